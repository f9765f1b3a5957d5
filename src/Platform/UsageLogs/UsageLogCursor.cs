using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Assistiv.Platform.UsageLogs;

/// <summary>
/// The opaque cursor of a newest-first list (API.md §0.2): it encodes the sort key of the last row returned
/// (<c>created_at</c> in Unix ms and <c>id</c>), so it stays valid while new rows arrive. Wire form: base64url of
/// <c>v1.{ms}.{id}</c>.
/// </summary>
/// <param name="CreatedAt">The last row's creation time.</param>
/// <param name="Id">The last row's id.</param>
public readonly record struct UsageLogCursor(DateTimeOffset CreatedAt, Guid Id)
{
    /// <summary>The wire form.</summary>
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v1.{CreatedAt.ToUnixTimeMilliseconds()}.{Id:N}")));

    /// <summary>Parses a wire cursor; false when it is not one of ours (→ 422 <c>param: "cursor"</c>).</summary>
    /// <param name="text">The query or body value.</param>
    /// <param name="cursor">The decoded cursor.</param>
    public static bool TryDecode(string? text, out UsageLogCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 128)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        if (parts is not ["v1", var ms, var id]
            || !long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs)
            || unixMs > 253_402_300_799_999
            || !Guid.TryParseExact(id, "N", out var guid))
        {
            return false;
        }

        cursor = new UsageLogCursor(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), guid);
        return true;
    }
}
