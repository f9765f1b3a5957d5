using System.Security.Cryptography;

namespace Assistiv.Platform.Common;

/// <summary>
/// Identifier factories. Stored resources use UUIDv7 (API.md §0.1), request and message ids use a 26-character
/// ULID (API.md §0.3, §10.3); the time part of both comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public static class Ids
{
    /// <summary>A new UUIDv7 whose timestamp is <paramref name="time"/>'s current UTC time.</summary>
    /// <param name="time">The clock (tests pass a fake one).</param>
    public static Guid NewId(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Guid.CreateVersion7(time.GetUtcNow());
    }

    /// <summary>A new request id, <c>req_</c> + 26-character Crockford ULID (48-bit time, 80 random bits).</summary>
    /// <param name="time">The clock (tests pass a fake one).</param>
    public static string NewRequestId(TimeProvider time) => "req_" + NewUlid(time);

    /// <summary>A new 26-character ULID string with its time part from <paramref name="time"/>.</summary>
    /// <param name="time">The clock (tests pass a fake one).</param>
    public static string NewUlid(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        return Ulid.NewUlid(time.GetUtcNow(), random).ToString();
    }
}
