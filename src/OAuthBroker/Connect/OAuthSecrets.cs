using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Assistiv.OAuthBroker.Connect;

/// <summary>
/// Random values of the connect flow (API.md §9.1): connect tokens, states, cookie nonces and PKCE verifiers are 32
/// bytes from the CSPRNG as base64url (43 characters); only their SHA-256 (lowercase hex) is stored.
/// </summary>
internal static class OAuthSecrets
{
    /// <summary>Length of a 32-byte value as unpadded base64url.</summary>
    public const int TokenLength = 43;

    public static string NewToken()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>True for a string that could be one of our tokens; anything else is answered without a lookup.</summary>
    public static bool IsWellFormed(string? value)
    {
        if (value is null || value.Length != TokenLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    public static string Hash(string value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>RFC 7636 §4.2 S256: <c>BASE64URL(SHA256(ASCII(code_verifier)))</c>.</summary>
    public static string PkceChallenge(string verifier)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(verifier), hash);
        return Base64Url.EncodeToString(hash);
    }

    /// <summary>Constant-time comparison of two hex hashes.</summary>
    public static bool HashEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
