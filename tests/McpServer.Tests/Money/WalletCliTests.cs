using System.Diagnostics;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using static Assistiv.McpServer.Tests.Money.MoneyHttp;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>
/// API.md §3.3 <c>--wallet-usd</c>: <c>init</c> runs as a process on a SQLite file, then the server is hosted in
/// process on that same file (API.md §1.7).
/// </summary>
public sealed class WalletCliTests
{
    [Fact]
    public async Task Init_WithWalletUsd_CreatesWalletWithBalanceAndOneTopUpRow()
    {
        using var factory = new GatewayFactory();
        var (code, stdout, _) = await RunCliAsync(factory, "init", "--name", "Cli", "--wallet-usd", "12.5", "--json");
        Assert.Equal(0, code);
        var created = JsonNode.Parse(stdout)!;
        using var admin = factory.Client(created["api_key"]!.GetValue<string>());
        var pid = created["platform_id"]!.GetValue<string>();
        var wallet = await GetAsync(admin, $"/v1/platforms/{pid}/wallet");
        // API.md §3.3: wallet balance X; X > 0 writes one top_up row.
        Assert.Equal("12.500000", Raw(wallet, "balance"));
        var row = Assert.Single(wallet["recent_transactions"]!.AsArray())!;
        Assert.Equal("top_up", row["type"]!.GetValue<string>());
        Assert.Equal("12.500000", Raw(row, "amount"));
    }

    [Fact]
    public async Task PlatformCreate_WithoutWalletUsd_WritesNoWalletRow()
    {
        using var factory = new GatewayFactory();
        var (code, stdout, _) = await RunCliAsync(factory, "platform", "create", "--name", "Cli zero", "--json");
        Assert.Equal(0, code);
        var created = JsonNode.Parse(stdout)!;
        using var admin = factory.Client(created["api_key"]!.GetValue<string>());
        var wallet = await GetAsync(admin, $"/v1/platforms/{created["platform_id"]!.GetValue<string>()}/wallet");
        // API.md §3.3: 0 writes none.
        Assert.Equal("0.000000", Raw(wallet, "balance"));
        Assert.Empty(wallet["recent_transactions"]!.AsArray());
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.0000001")]
    [InlineData("ten")]
    public async Task Init_Exits2_ForBadWalletUsd(string value)
    {
        using var factory = new GatewayFactory();
        var (code, _, stderr) = await RunCliAsync(factory, "init", "--wallet-usd", value);
        // API.md §3.3: exit code 2 for bad arguments.
        Assert.True(code == 2, stderr);
        Assert.Contains("--wallet-usd", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(GatewayFactory factory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gateway.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = factory.DataDirectory };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Gateway__Database__Provider"] = "sqlite";
        psi.Environment["ConnectionStrings__Gateway"] = $"Data Source={Path.Combine(factory.DataDirectory, "gateway.db")}";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}
