using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Assistiv.Platform.Common;

/// <summary>
/// The wire form shared by the opaque keyset cursors (API.md §0.2): base64url of <c>{tag}.{unix ms}.{id:N}</c>, where the
/// tag says what the cursor is for (a list's version or sort order). Decoding refuses anything this server did not make.
/// </summary>
public static class KeysetCursorText
{
    private const int MaxLength = 128;

    // 9999-12-31T23:59:59.999Z, the largest instant DateTimeOffset can hold.
    private const long MaxUnixMs = 253_402_300_799_999;

    /// <summary>Encodes a sort key.</summary>
    /// <param name="tag">A short tag without <c>.</c>.</param>
    /// <param name="unixMs">The last row's <c>created_at</c> in Unix ms.</param>
    /// <param name="id">The last row's id.</param>
    public static string Encode(string tag, long unixMs, Guid id) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{tag}.{unixMs}.{id:N}")));

    /// <summary>Decodes a cursor text; false for anything malformed (→ 422 <c>param: "cursor"</c> at the boundary).</summary>
    /// <param name="text">The cursor as received.</param>
    /// <param name="tag">The tag.</param>
    /// <param name="unixMs">The Unix ms, 0 to year 9999.</param>
    /// <param name="id">The id.</param>
    public static bool TryDecode(string? text, out string tag, out long unixMs, out Guid id)
    {
        tag = "";
        unixMs = 0;
        id = Guid.Empty;
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
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

        if (Encoding.ASCII.GetString(bytes).Split('.') is not [var t, var ms, var g]
            || !long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out unixMs)
            || unixMs > MaxUnixMs
            || !Guid.TryParseExact(g, "N", out id))
        {
            return false;
        }

        tag = t;
        return true;
    }
}
