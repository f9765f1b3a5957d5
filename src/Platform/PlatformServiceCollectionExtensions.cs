using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Idempotency;
using Assistiv.Platform.Keys;
using Assistiv.Platform.LlmConfigs;
using Assistiv.Platform.RateLimits;
using Assistiv.Platform.Secrets;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Assistiv.Platform.UsageLogs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registration of the platform layer (storage, keys, tenancy, secrets).</summary>
public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// Adds storage for the configured provider (API.md §1.3), migrations at start-up, Data Protection with the key ring
    /// in the database (API.md §3.2), and the tenancy and key services. Uses <c>TryAdd</c> so tests can pre-register
    /// fakes (<see cref="TimeProvider"/>, <see cref="IDataProtectionProvider"/>).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="runMigrations">False for the CLI, which migrates explicitly.</param>
    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder, bool runMigrations = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        var storage = StorageRegistration.ReadOptions(builder.Configuration);
        services.AddPlatformStorage(storage);
        services.TryAddSingleton<CachePolicy>();
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());

        if (!services.Any(d => d.ServiceType == typeof(IDataProtectionProvider)))
        {
            // Loaded eagerly: a bad operator certificate must stop start-up with a message naming the setting.
            var cert = DataProtectionCertificate.LoadOrCreate(
                builder.Configuration["Gateway:DataProtection:CertificatePath"],
                builder.Configuration["Gateway:DataProtection:CertificatePassword"], TimeProvider.System);
            // ProtectKeysWithCertificate + UnprotectKeysWithAnyCertificate: decryption otherwise looks the certificate up
            // in the machine store, where a file-loaded one is not (STYLE.md §3).
            services.AddDataProtection()
                .SetApplicationName("assistiv-gateway")
                .PersistKeysToDbContext<PlatformDbContext>()
                .ProtectKeysWithCertificate(cert)
                .UnprotectKeysWithAnyCertificate(cert)
                .UseCryptographicAlgorithms(new AuthenticatedEncryptorConfiguration
                {
                    EncryptionAlgorithm = EncryptionAlgorithm.AES_256_GCM,
                    ValidationAlgorithm = ValidationAlgorithm.HMACSHA256,
                });
        }

        services.TryAddSingleton<SecretProtector>();
        services.TryAddSingleton<ApiKeyService>();
        services.TryAddSingleton<PlatformService>();
        services.TryAddSingleton<EndUserService>();
        services.TryAddSingleton<McpAppStore>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<RateLimitService>();
        services.TryAddSingleton<LlmConfigService>();
        services.TryAddSingleton<UsageLogQueryService>();

        if (runMigrations)
        {
            services.AddSingleton<DatabaseMigrator>();
            services.AddHostedService(sp => sp.GetRequiredService<DatabaseMigrator>());
            services.AddSingleton<DataProtectionStartupCheck>();
            services.AddHostedService(sp => sp.GetRequiredService<DataProtectionStartupCheck>());
            // Server only (the CLI passes runMigrations: false): the hourly purge of API.md §1.4.
            services.AddHostedService<IdempotencyPurgeService>();
        }

        return builder;
    }
}
