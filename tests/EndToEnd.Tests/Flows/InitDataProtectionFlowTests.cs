using System.Security.Cryptography.X509Certificates;
using Assistiv.EndToEnd.Tests.Support;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.EndToEnd.Tests.Flows;

/// <summary>
/// After <c>init</c>, the server on the same SQLite file keeps its Data Protection key ring in that database, each key
/// encrypted with the certificate the CLI generated, for AES-256-GCM (API.md §3.2). Regression: the host's
/// <c>AddAuthentication</c> registered the library's default Data Protection first, and the platform then skipped its own
/// set-up, so keys went to <c>~/.aspnet/DataProtection-Keys</c> unencrypted.
/// </summary>
public sealed class InitDataProtectionFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_KeepsTheKeyRingInTheDatabase_EncryptedWithTheInitCertificate()
    {
        await using var gateway = await InitializedGateway.StartAsync(new FakeTimeProvider(TimeProvider.System.GetUtcNow()));
        // Activation stores a client secret, so at least one key exists by now.
        await gateway.ActivateAsync("mock", "mock-client", "mock-secret");

        var factory = gateway.Factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var db = await factory.CreateDbContextAsync(Ct);
        var keys = await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync(Ct);

        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(gateway.CertificatePath, null);
        var certificateData = Convert.ToBase64String(certificate.RawData);
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryption algorithm=\"AES_256_GCM\" />", xml, StringComparison.Ordinal);
            // The master key is an XML-encryption envelope for the certificate, never plain text.
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
            Assert.Contains(certificateData, xml, StringComparison.Ordinal);
            Assert.DoesNotContain("unencrypted form", xml, StringComparison.Ordinal);
        });
    }
}
