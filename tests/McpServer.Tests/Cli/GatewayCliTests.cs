using System.Text.Json;
using System.Text.RegularExpressions;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Cli;

public sealed partial class GatewayCliTests
{
    [Fact]
    public async Task Init_CreatesPlatformAndAdminKey_ThenRefusesASecondTime()
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var ct = TestContext.Current.CancellationToken;
        var (code, stdout, _) = await GatewayProcess.RunAsync(dir, ct, "init");
        Assert.Equal(0, code);
        // API.md §3.3: text output "platform_id: …" / "platform_key: sk-plat_…" and nothing else on stdout.
        var lines = stdout.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(PlatformIdLine(), lines[0]);
        Assert.Matches(PlatformKeyLine(), lines[1]);

        var (again, _, stderr) = await GatewayProcess.RunAsync(dir, ct, "init");
        Assert.Equal(3, again); // exit 3: precondition failed (a platform exists)
        Assert.Contains("platform", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Path.Combine(dir, "data", "gateway.db")));
        // API.md §3.2: the generated certificate is stored with file mode 0600.
        var mode = File.GetUnixFileMode(Path.Combine(dir, "data", "dp-cert.pfx"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task PlatformCreate_WithJson_PrintsTheDocumentedObject_AndDefaultSlugIsSuffixed()
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var ct = TestContext.Current.CancellationToken;
        var (c1, o1, _) = await GatewayProcess.RunAsync(dir, ct, "platform", "create", "--name", "Acme Corp!", "--json");
        var (c2, o2, _) = await GatewayProcess.RunAsync(dir, ct, "platform", "create", "--name", "Acme Corp", "--json");
        Assert.Equal(0, c1);
        Assert.Equal(0, c2);
        using var d1 = JsonDocument.Parse(o1);
        using var d2 = JsonDocument.Parse(o2);
        // API.md §3.3: {"platform_id","platform_slug","key_id","api_key"}; slug = name lowercased, non-alphanumerics → "-",
        // trimmed, suffixed -2 when taken.
        Assert.Equal(["platform_id", "platform_slug", "key_id", "api_key"], d1.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("acme-corp", d1.RootElement.GetProperty("platform_slug").GetString());
        Assert.Equal("acme-corp-2", d2.RootElement.GetProperty("platform_slug").GetString());
        Assert.StartsWith("sk-plat_", d1.RootElement.GetProperty("api_key").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyCreate_ExitsWith2_WhenScopesGivenWithEndUser()
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var ct = TestContext.Current.CancellationToken;
        var (_, o, _) = await GatewayProcess.RunAsync(dir, ct, "init", "--json");
        var pid = JsonDocument.Parse(o).RootElement.GetProperty("platform_id").GetString()!;
        var (code, stdout, _) = await GatewayProcess.RunAsync(dir, ct, "key", "create", "--platform", pid, "--scopes", "inference",
            "--end-user", "01a22690-f09a-7033-affb-1445f0218595");
        Assert.Equal(2, code); // API.md §3.3: --scopes together with --end-user → exit 2
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("platfrom", "create")]
    public async Task UnknownCommand_ExitsWith2_AndStartsNoServer(params string[] args)
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        // API.md §3.3: exit 2 for bad arguments; a mistyped command must not fall through to `serve`.
        var (code, stdout, stderr) = await GatewayProcess.RunAsync(dir, TestContext.Current.CancellationToken, args);
        Assert.Equal(2, code);
        Assert.Contains("gateway:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout + stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "data", "gateway.db")));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    public async Task Help_ListsTheCommands_AndExits0(string arg)
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var (code, stdout, _) = await GatewayProcess.RunAsync(dir, TestContext.Current.CancellationToken, arg);
        Assert.Equal(0, code);
        Assert.All(["init", "platform", "key", "migrate", "serve"], c => Assert.Contains(c, stdout, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyCreate_ExitsWith3_WhenPlatformUnknown()
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var (code, _, _) = await GatewayProcess.RunAsync(dir, TestContext.Current.CancellationToken, "key", "create", "--platform", "01a22690-f09a-7033-affb-1445f0218595");
        Assert.Equal(3, code);
    }

    [Fact]
    public async Task KeyCreate_MintsAPlatformKeyWithGivenScopes()
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var ct = TestContext.Current.CancellationToken;
        var (_, o, _) = await GatewayProcess.RunAsync(dir, ct, "init", "--json");
        var pid = JsonDocument.Parse(o).RootElement.GetProperty("platform_id").GetString()!;
        var (code, stdout, _) = await GatewayProcess.RunAsync(dir, ct, "key", "create", "--platform", pid, "--scopes", "management", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(["key_id", "api_key", "key_prefix"], doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        var raw = doc.RootElement.GetProperty("api_key").GetString()!;
        // API.md §2.1: sk-plat_ + 64 lowercase hex; key_prefix = first 12 characters.
        Assert.Matches("^sk-plat_[0-9a-f]{64}$", raw);
        Assert.Equal(raw[..12], doc.RootElement.GetProperty("key_prefix").GetString());
    }

    [Fact]
    public async Task UnknownOption_ExitsWith2()
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var (code, _, _) = await GatewayProcess.RunAsync(dir, TestContext.Current.CancellationToken, "init", "--bogus");
        Assert.Equal(2, code);
    }

    [GeneratedRegex("^platform_id: [0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex PlatformIdLine();

    [GeneratedRegex("^platform_key: sk-plat_[0-9a-f]{64}$")]
    private static partial Regex PlatformKeyLine();
}
