using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Idempotency;
using Assistiv.Platform.Keys;
using Assistiv.Platform.LlmConfigs;
using Assistiv.Platform.RateLimits;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Secrets;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Assistiv.Platform.Usage;
using Assistiv.Platform.UsageLogs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;

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

        if (!HasOwnDataProtectionProvider(services))
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
        services.TryAddSingleton<LastUsedRecorder>();
        services.TryAddSingleton<EndUserBootstrapService>();
        services.TryAddSingleton<McpAppStore>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<RateLimitService>();
        services.TryAddSingleton<LlmConfigService>();
        services.TryAddSingleton<UsageLogQueryService>();

        if (runMigrations)
        {
            services.AddSingleton<DatabaseMigrator>();
            services.AddSingleton<DataProtectionStartupCheck>();
            // These two start first, in this order (hosted services start in registration order). The Data Protection
            // library's own hosted service, registered earlier by AddAuthentication, reads the key ring from the database
            // and, when no stored key decrypts (a wrong certificate), writes a new key under that certificate; every later
            // start with the right certificate would then fail on that key. The check refuses the wrong one first.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<DatabaseMigrator>()));
            services.Insert(1, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<DataProtectionStartupCheck>()));
            services.AddHostedService<LastUsedWriter>();
            if (storage.IsSqlite)
            {
                // SqliteWalRewind, shared with the money writer, is registered by AddMoney below.
                services.TryAddSingleton(sp => new SqliteCheckpointer(storage, sp.GetRequiredService<SqliteWalRewind>(),
                    sp.GetRequiredService<ILogger<SqliteCheckpointer>>()));
                services.AddHostedService(sp => sp.GetRequiredService<SqliteCheckpointer>());
            }
            // Server only (the CLI passes runMigrations: false): the hourly purge of API.md §1.4.
            services.AddHostedService<IdempotencyPurgeService>();
        }

        services.AddMoney(storage, background: runMigrations);

        return builder;
    }

    /// <summary>
    /// True when the caller registered an <see cref="IDataProtectionProvider"/> of its own before this call (tests
    /// register an ephemeral one). The library's default registration does not count: <c>AddAuthentication</c>,
    /// <c>AddAntiforgery</c> and others call <c>AddDataProtection</c> on their own, and taking that for "configured" left
    /// the server's key ring in <c>~/.aspnet/DataProtection-Keys</c>, per machine and unencrypted at rest, instead of the
    /// database under the certificate (API.md §3.2).
    /// </summary>
    private static bool HasOwnDataProtectionProvider(IServiceCollection services)
    {
        var library = typeof(DataProtectionServiceCollectionExtensions).Assembly;
        return services.Any(d => d.ServiceType == typeof(IDataProtectionProvider) && !d.IsKeyedService
            && !(d.ImplementationFactory is { } factory && factory.Method.DeclaringType?.Assembly == library));
    }
}
