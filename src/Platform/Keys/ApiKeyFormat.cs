using System.Security.Cryptography;

namespace Assistiv.Platform.Keys;

/// <summary>
/// Raw key format (API.md §2.1): <c>sk-plat_</c> or <c>sk-eu_</c> + 64 lowercase hex characters (32 bytes from a CSPRNG);
/// <c>key_prefix</c> = the first 12 characters; storage = lowercase hex SHA-256 of the raw key (API.md §2.2).
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>Prefix of platform keys.</summary>
    public const string PlatformPrefix = "sk-plat_";

    /// <summary>Prefix of end-user keys.</summary>
    public const string EndUserPrefix = "sk-eu_";

    /// <summary>Length of <c>key_prefix</c>.</summary>
    public const int KeyPrefixLength = 12;

    /// <summary>Creates a new raw key of <paramref name="type"/>.</summary>
    /// <param name="type">Key type.</param>
    public static string Generate(ApiKeyType type)
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return (type == ApiKeyType.Platform ? PlatformPrefix : EndUserPrefix) + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Lowercase hex SHA-256 of the raw key, as stored.</summary>
    /// <param name="rawKey">The presented key.</param>
    public static string Hash(ReadOnlySpan<char> rawKey)
    {
        Span<byte> utf8 = stackalloc byte[256];
        if (rawKey.Length > 256)
        {
            return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rawKey.ToString())));
        }

        var n = System.Text.Encoding.UTF8.GetBytes(rawKey, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..n], hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The type a raw key claims by its prefix, or null when it has neither prefix.</summary>
    /// <param name="rawKey">The presented key.</param>
    public static ApiKeyType? TypeOf(ReadOnlySpan<char> rawKey) =>
        rawKey.StartsWith(PlatformPrefix, StringComparison.Ordinal) ? ApiKeyType.Platform
        : rawKey.StartsWith(EndUserPrefix, StringComparison.Ordinal) ? ApiKeyType.EndUser
        : null;

    /// <summary>True when the key has a known prefix followed by exactly 64 lowercase hex characters.</summary>
    /// <param name="rawKey">The presented key.</param>
    public static bool IsWellFormed(ReadOnlySpan<char> rawKey)
    {
        var type = TypeOf(rawKey);
        if (type is null)
        {
            return false;
        }

        var body = rawKey[(type == ApiKeyType.Platform ? PlatformPrefix.Length : EndUserPrefix.Length)..];
        if (body.Length != 64)
        {
            return false;
        }

        foreach (var c in body)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The <c>key_prefix</c> of a raw key.</summary>
    /// <param name="rawKey">The raw key.</param>
    public static string PrefixOf(string rawKey)
    {
        ArgumentNullException.ThrowIfNull(rawKey);
        return rawKey[..Math.Min(KeyPrefixLength, rawKey.Length)];
    }
}
