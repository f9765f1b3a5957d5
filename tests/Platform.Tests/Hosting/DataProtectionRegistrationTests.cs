using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Tests.Hosting;

/// <summary>
/// <c>AddPlatform</c>'s Data Protection set-up (API.md §3.2: key ring in the database, protected by the certificate).
/// </summary>
public sealed class DataProtectionRegistrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gw-platform-tests", Guid.CreateVersion7().ToString("N"));

    public DataProtectionRegistrationTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public void KeyRing_IsInTheDatabaseUnderTheCertificate_WhenAuthenticationAddedDataProtectionFirst()
    {
        var builder = Builder(CreateCertificate());
        // The server's host adds authentication before the platform; AddAuthentication calls AddDataProtection itself.
        builder.Services.AddAuthentication();

        builder.AddPlatform(runMigrations: false);

        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value;
        Assert.IsType<EntityFrameworkCoreXmlRepository<PlatformDbContext>>(options.XmlRepository);
        Assert.IsType<CertificateXmlEncryptor>(options.XmlEncryptor);
    }

    [Fact]
    public void MigratorThenKeyRingCheck_StartBeforeEveryOtherHostedService()
    {
        var builder = Builder(CreateCertificate());
        builder.Services.AddAuthentication();

        builder.AddPlatform();

        // Hosted services start in registration order; the Data Protection library's own one reads the key ring table
        // and writes a new key when none decrypts.
        using var host = builder.Build();
        var hosted = host.Services.GetServices<IHostedService>().ToArray();
        Assert.IsType<DatabaseMigrator>(hosted[0]);
        Assert.IsType<DataProtectionStartupCheck>(hosted[1]);
    }

    [Fact]
    public void PreRegisteredProvider_IsKept_AndNoCertificateIsLoaded()
    {
        // A certificate path that does not exist: loading it would throw.
        var builder = Builder(Path.Combine(_dir, "missing.pfx"));
        var ephemeral = new EphemeralDataProtectionProvider();
        builder.Services.AddSingleton<IDataProtectionProvider>(ephemeral);

        builder.AddPlatform(runMigrations: false);

        using var host = builder.Build();
        Assert.Same(ephemeral, host.Services.GetRequiredService<IDataProtectionProvider>());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private HostApplicationBuilder Builder(string certificatePath)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Database:Provider"] = "sqlite",
            ["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(_dir, "gateway.db")}",
            ["Gateway:DataProtection:CertificatePath"] = certificatePath,
        });
        return builder;
    }

    private string CreateCertificate()
    {
        var path = Path.Combine(_dir, "dp-cert.pfx");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=platform-tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pfx));
        return path;
    }
}
