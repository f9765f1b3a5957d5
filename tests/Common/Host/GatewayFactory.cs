using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.Platform.Tenancy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.Tests.Common.Host;

/// <summary>
/// The real gateway host on Kestrel at 127.0.0.1 port 0 (API.md §1.7, STYLE.md §7): a fresh SQLite file (or a fresh
/// PostgreSQL database) per factory, an ephemeral Data Protection provider, optional <see cref="FakeTimeProvider"/>,
/// and test settings as configuration overrides. Clients talk HTTP to <see cref="BaseAddress"/>.
/// </summary>
internal sealed class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gw-tests", Guid.CreateVersion7().ToString("N"));
    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);
    private static readonly Lazy<string> s_throwawayCertificate = new(CreateThrowawayCertificate);
    private bool _ephemeralDataProtection = true;

    public GatewayFactory(FakeTimeProvider? time = null, string? postgresConnectionString = null)
    {
        Directory.CreateDirectory(_dir);
        Time = time;
        _settings["Gateway:PublicBaseUrl"] = "http://127.0.0.1:8080";
        _settings["Gateway:Network:AllowPrivateTargets"] = "true";
        _settings["Gateway:EnableMockApps"] = "true";
        _settings["Gateway:EnableMockProvider"] = "true";
        // The host configures its real key ring before the test's ephemeral provider replaces it; this keeps it from
        // generating ./data/dp-cert.pfx in the test's working folder.
        _settings["Gateway:DataProtection:CertificatePath"] = s_throwawayCertificate.Value;
        if (postgresConnectionString is null)
        {
            _settings["Gateway:Database:Provider"] = "sqlite";
            _settings["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(_dir, "gateway.db")}";
        }
        else
        {
            _settings["Gateway:Database:Provider"] = "postgres";
            _settings["ConnectionStrings:Gateway"] = postgresConnectionString;
        }

        UseKestrel(0);
    }

    /// <summary>
    /// A host on an existing SQLite file, e.g. one the CLI made (API.md §1.7: a flow that begins with <c>init</c> runs the
    /// CLI as a process on a SQLite file, then hosts the server in-process on that same file). The file is the caller's
    /// and is not deleted. With <paramref name="dataProtectionCertificatePath"/> the host uses the real Data Protection
    /// key ring in that database, protected by that certificate (API.md §3.2), instead of an ephemeral provider.
    /// </summary>
    public static GatewayFactory OnSqliteFile(string databasePath, FakeTimeProvider? time = null, string? dataProtectionCertificatePath = null)
    {
        if (!File.Exists(databasePath))
        {
            throw new FileNotFoundException("The SQLite file to host on does not exist.", databasePath);
        }

        var factory = new GatewayFactory(time).With("ConnectionStrings:Gateway", $"Data Source={databasePath}");
        if (dataProtectionCertificatePath is not null)
        {
            factory._ephemeralDataProtection = false;
            factory.With("Gateway:DataProtection:CertificatePath", dataProtectionCertificatePath);
        }

        return factory;
    }

    public FakeTimeProvider? Time { get; }

    /// <summary>The folder of this factory's SQLite file.</summary>
    public string DataDirectory => _dir;

    /// <summary>Adds or replaces a configuration value before the host starts.</summary>
    public GatewayFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Extra service registrations applied after the app's own.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; set; }

    /// <summary>The server's real address (starts the server on first use).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }

        builder.UseEnvironment("Development");
        builder.ConfigureServices(services =>
        {
            if (_ephemeralDataProtection)
            {
                services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
            }

            if (Time is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Time);
            }
        });
        builder.ConfigureTestServices(services => ConfigureTestServices?.Invoke(services));
    }

    /// <summary>An HTTP client to the real socket, optionally with a bearer key.</summary>
    public HttpClient Client(string? key = null)
    {
        StartServer();
        var client = new HttpClient { BaseAddress = ClientOptions.BaseAddress, Timeout = TestConstants.DefaultTimeout };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Creates a platform and its admin key through the same service the CLI uses.</summary>
    public async Task<TestPlatform> CreatePlatformAsync(string? name = null)
    {
        StartServer();
        var platforms = Services.GetRequiredService<PlatformService>();
        var (p, _, raw) = await platforms.CreateAsync(name ?? "Test " + Guid.CreateVersion7().ToString("N")[..8], null, CancellationToken.None);
        return new TestPlatform(this, p.Id, raw);
    }

    /// <summary>A self-signed PFX for this test process, as the server would generate it (API.md §3.2).</summary>
    private static string CreateThrowawayCertificate()
    {
        var path = Path.Combine(Path.GetTempPath(), "gw-tests", $"dp-cert-{Environment.ProcessId}-{Guid.CreateVersion7():N}.pfx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=gateway-tests-data-protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pfx));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>A platform made for one test, with helpers that go through the public HTTP API.</summary>
internal sealed record TestPlatform(GatewayFactory Factory, Guid Id, string AdminKey)
{
    public string Path(string suffix = "") => $"/v1/platforms/{Id}{suffix}";

    public HttpClient Admin() => Factory.Client(AdminKey);

    /// <summary>Creates an end user over HTTP and returns its id and raw key.</summary>
    public async Task<TestEndUser> CreateEndUserAsync(string? externalId = null)
    {
        using var client = Admin();
        using var response = await client.PostAsJsonAsync(Path("/end-users"), new { external_id = externalId ?? "user-" + Guid.CreateVersion7().ToString("N")[..12] });
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return new TestEndUser(Guid.Parse(body["id"]!.GetValue<string>()), body["api_key"]!["raw_key"]!.GetValue<string>(), body["external_id"]!.GetValue<string>());
    }
}

internal sealed record TestEndUser(Guid Id, string Key, string ExternalId);

internal static class HttpAssert
{
    /// <summary>Asserts the API.md §11.1 envelope and returns the error object.</summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(response.Headers.GetValues("x-request-id").Single(), error.GetProperty("request_id").GetString());
        return error.Clone();
    }
}
