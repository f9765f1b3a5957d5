using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// UUIDv7 ids that strictly increase within the process (RFC 9562 §6.2 method 1: the 12-bit <c>rand_a</c> field is a
/// counter within a millisecond). Ledger lists sort by <c>created_at</c>, then <c>id</c> (API.md §0.2), and one money
/// operation can write two rows of one budget in the same millisecond (a lazy <c>period_reset</c>, then the charge), so
/// the newest row must also have the larger id. <see cref="Guid.CreateVersion7(DateTimeOffset)"/> fills that field
/// randomly.
/// </summary>
internal static class MonotonicIds
{
    private static long s_last;

    public static Guid Next(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        long next;
        while (true)
        {
            var last = Volatile.Read(ref s_last);
            next = Math.Max(ms << 12, last + 1);
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
            {
                break;
            }
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        var time = next >> 12;
        var counter = (ushort)(next & 0xFFF);
        // Big-endian layout of RFC 9562: 48-bit ms, 4-bit version 7, 12-bit counter, 2-bit variant, 62 random bits.
        BinaryPrimitives.WriteUInt16BigEndian(bytes[0..2], (ushort)(time >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..6], (uint)time);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[6..8], (ushort)(0x7000 | counter));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
