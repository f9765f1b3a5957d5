using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;

namespace Assistiv.Platform.Secrets;

/// <summary>
/// Encrypts secrets at rest with ASP.NET Core Data Protection (AES-256-GCM, key ring in the database, protected by the
/// operator's or the generated certificate; API.md §3.2). One protector per purpose of <see cref="SecretPurposes"/>.
/// </summary>
public sealed class SecretProtector
{
    private readonly IDataProtectionProvider _provider;
    private readonly ConcurrentDictionary<string, IDataProtector> _protectors = new(StringComparer.Ordinal);

    /// <summary>Creates the protector.</summary>
    /// <param name="provider">The configured Data Protection provider.</param>
    public SecretProtector(IDataProtectionProvider provider) => _provider = provider;

    /// <summary>Encrypts <paramref name="plaintext"/> for <paramref name="purpose"/>; the result is base64url text.</summary>
    /// <param name="purpose">A <see cref="SecretPurposes"/> value.</param>
    /// <param name="plaintext">The secret.</param>
    public string Protect(string purpose, string plaintext) => Get(purpose).Protect(plaintext);

    /// <summary>Decrypts a value made by <see cref="Protect(string, string)"/> with the same purpose.</summary>
    /// <param name="purpose">A <see cref="SecretPurposes"/> value.</param>
    /// <param name="protectedText">The stored ciphertext.</param>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The payload is corrupt, of another purpose, or its key is gone.</exception>
    public string Unprotect(string purpose, string protectedText) => Get(purpose).Unprotect(protectedText);

    /// <summary>Encrypts bytes for <paramref name="purpose"/>.</summary>
    /// <param name="purpose">A <see cref="SecretPurposes"/> value.</param>
    /// <param name="plaintext">The secret bytes.</param>
    public byte[] Protect(string purpose, byte[] plaintext) => Get(purpose).Protect(plaintext);

    /// <summary>Decrypts bytes made by <see cref="Protect(string, byte[])"/>.</summary>
    /// <param name="purpose">A <see cref="SecretPurposes"/> value.</param>
    /// <param name="protectedBytes">The ciphertext.</param>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The payload is corrupt, of another purpose, or its key is gone.</exception>
    public byte[] Unprotect(string purpose, byte[] protectedBytes) => Get(purpose).Unprotect(protectedBytes);

    private IDataProtector Get(string purpose) => _protectors.GetOrAdd(purpose, static (p, provider) => provider.CreateProtector(p), _provider);
}
