using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Assistiv.EndToEnd.Tests.Support;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.EndToEnd.Tests.Flows;

/// <summary>
/// After <c>init</c>, the server on the same SQLite file keeps its Data Protection key ring in that database, each key
/// encrypted with the certificate the CLI generated, for AES-256-GCM (API.md §3.2).
/// </summary>
public sealed class InitDataProtectionFlowTests
{
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Regression: the host's <c>AddAuthentication</c> registered the library's default Data Protection first and the
    /// platform then skipped its own set-up, so keys went to <c>~/.aspnet/DataProtection-Keys</c>, unencrypted.
    /// </summary>
    [Fact]
    public async Task Server_KeepsTheKeyRingInTheDatabase_EncryptedWithTheInitCertificate()
    {
        await using var gateway = await InitializedGateway.StartAsync(_time);
        // Activation stores a client secret, so at least one key exists by now.
        await gateway.ActivateAsync("mock", "mock-client", "mock-secret");

        var keys = await KeyRingAsync(gateway);

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

    /// <summary>
    /// API.md §3.2: start-up fails (exit 1, naming <c>CertificatePath</c>) when the key ring holds keys the certificate
    /// cannot decrypt. Regression: the library's hosted service ran first and wrote a new key under the wrong certificate,
    /// so every later start with the right certificate failed too.
    /// </summary>
    [Fact]
    public async Task Serve_WithAnotherCertificate_Exits1AndWritesNoKey_SoTheInitCertificateStillDecryptsTheSecrets()
    {
        await using var gateway = await InitializedGateway.StartAsync(_time);
        await gateway.ActivateAsync("mock", "mock-client", "mock-secret");
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        var before = await KeyRingAsync(gateway);
        var other = Path.Combine(Path.GetDirectoryName(gateway.CertificatePath)!, "other-cert.pfx");
        WriteCertificate(other);

        (int ExitCode, string StdOut, string StdErr) wrong = default;
        await gateway.RestartServerAsync(async () =>
            wrong = await gateway.RunExecutableAsync("serve", "--urls", "http://127.0.0.1:0", "--Gateway:DataProtection:CertificatePath=" + other));

        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("Gateway:DataProtection:CertificatePath", wrong.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, await KeyRingAsync(gateway));
        // The server is back on the init certificate: the stored client secret still decrypts, so a connect completes
        // (API.md §9.2; an undecryptable secret would answer error=token_exchange_failed).
        Assert.StartsWith("https://app.example.com/mcp/oauth-callback?status=connected&app=mock&account=",
            (await ConnectMockAsync(gateway, user.Key)).AbsoluteUri, StringComparison.Ordinal);
    }

    private static async Task<List<string>> KeyRingAsync(InitializedGateway gateway)
    {
        var factory = gateway.Factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var db = await factory.CreateDbContextAsync(Ct);
        return await db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml!).ToListAsync(Ct);
    }

    /// <summary>Authorize with the key, then the mock provider's redirect to the callback (API.md §9.3).</summary>
    private static async Task<Uri> ConnectMockAsync(InitializedGateway gateway, string key)
    {
        using var client = gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/oauth/authorize?app=mock");
        request.Headers.Accept.ParseAdd("application/json");
        using var authorize = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, authorize.StatusCode);
        using var doc = JsonDocument.Parse(await authorize.Content.ReadAsStringAsync(Ct));
        using var browser = gateway.NewBrowser();
        using var toCallback = await browser.OpenAsync(new Uri(doc.RootElement.GetProperty("url").GetString()!));
        using var toPlatform = await browser.OpenAsync(toCallback.Headers.Location!);
        Assert.Equal(HttpStatusCode.Redirect, toPlatform.StatusCode);
        return toPlatform.Headers.Location!;
    }

    private static void WriteCertificate(string path)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=another-operator-certificate", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pfx));
    }
}
