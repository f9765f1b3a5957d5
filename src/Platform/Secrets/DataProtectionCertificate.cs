using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Assistiv.Platform.Secrets;

/// <summary>
/// Loads the certificate that protects the Data Protection key ring (API.md §3.2), or creates the self-signed one on
/// first start: an RSA-2048 certificate made with <see cref="CertificateRequest"/>, stored as a PFX with file mode 0600.
/// The certificate never enters the database, so a copy of the database alone decrypts nothing.
/// </summary>
public static class DataProtectionCertificate
{
    /// <summary>The default path of the generated certificate.</summary>
    public const string DefaultPath = "./data/dp-cert.pfx";

    /// <summary>Loads the configured certificate, or the generated one (created when missing) when no path is configured.</summary>
    /// <param name="configuredPath"><c>Gateway:DataProtection:CertificatePath</c>, or null.</param>
    /// <param name="password"><c>Gateway:DataProtection:CertificatePassword</c>, or null.</param>
    /// <param name="time">Clock for the validity window of a generated certificate.</param>
    /// <exception cref="InvalidOperationException">A configured certificate cannot be read.</exception>
    public static X509Certificate2 LoadOrCreate(string? configuredPath, string? password, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            try
            {
                return X509CertificateLoader.LoadPkcs12FromFile(configuredPath, password, X509KeyStorageFlags.EphemeralKeySet);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"Gateway:DataProtection:CertificatePath '{configuredPath}' could not be loaded as a PFX ({ex.GetType().Name}). " +
                    "Check the path and Gateway:DataProtection:CertificatePassword.", ex);
            }
        }

        var path = Path.GetFullPath(DefaultPath);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=assistiv-gateway-data-protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var now = time.GetUtcNow();
            using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
            var pfx = cert.Export(X509ContentType.Pfx);
            var temp = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(pfx);
            }

            // Two processes starting together (the CLI and a server) must end up with one certificate: the first move wins.
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException)
            {
                File.Delete(temp);
            }
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
    }
}
