using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Hosting;

/// <summary>
/// Fails start-up when the key ring holds keys that the configured certificate cannot decrypt (API.md §3.2: exit 1,
/// naming <c>CertificatePath</c>), instead of silently minting a new key and leaving every stored secret unreadable.
/// Runs after <see cref="DatabaseMigrator"/>.
/// </summary>
public sealed partial class DataProtectionStartupCheck : IHostedService
{
    private readonly IKeyManager _keys;
    private readonly IDataProtectionProvider _provider;
    private readonly IConfiguration _configuration;
    private readonly ILogger<DataProtectionStartupCheck> _logger;

    /// <summary>Creates the check.</summary>
    /// <param name="keys">The key manager.</param>
    /// <param name="provider">The provider.</param>
    /// <param name="configuration">Configuration (to tell whether an operator certificate is set).</param>
    /// <param name="logger">Logger.</param>
    public DataProtectionStartupCheck(IKeyManager keys, IDataProtectionProvider provider, IConfiguration configuration,
        ILogger<DataProtectionStartupCheck> logger)
    {
        _keys = keys;
        _provider = provider;
        _configuration = configuration;
        _logger = logger;
    }

    /// <summary>True once the key ring was found readable.</summary>
    public bool Healthy { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">A stored key cannot be decrypted with the configured certificate.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_configuration["Gateway:DataProtection:CertificatePath"]))
        {
            LogGeneratedCertificate(_logger, Path.GetFullPath(Secrets.DataProtectionCertificate.DefaultPath));
        }

        foreach (var key in _keys.GetAllKeys())
        {
            try
            {
                _ = key.Descriptor;
            }
            catch (CryptographicException ex)
            {
                throw new InvalidOperationException(
                    "The Data Protection key ring holds keys that the configured certificate cannot decrypt. Set " +
                    "Gateway:DataProtection:CertificatePath (and CertificatePassword) to the certificate that protected them.", ex);
            }
        }

        var protector = _provider.CreateProtector("gateway.startup-check.v1");
        Healthy = protector.Unprotect(protector.Protect("ok")) == "ok";
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Warning, "Data Protection keys are protected by the generated certificate {Path}. For production, set Gateway:DataProtection:CertificatePath to an operator certificate kept outside the data folder.")]
    private static partial void LogGeneratedCertificate(ILogger logger, string path);
}
