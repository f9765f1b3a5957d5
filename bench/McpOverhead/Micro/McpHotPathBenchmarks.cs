using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;
using Assistiv.McpServer.Mcp;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Tenancy;
using BenchmarkDotNet.Attributes;

namespace Assistiv.Bench.McpOverhead.Micro;

/// <summary>
/// The pieces of one MCP request that the gateway adds before and after the connector (STYLE.md §4: no database
/// round-trip a cache can answer, no per-request allocation that a cache can avoid), on the real service graph.
/// </summary>
[MemoryDiagnoser]
public class McpHotPathBenchmarks
{
    private MicroHost _host = null!;
    private ApiKeyService _keys = null!;
    private McpAppStore _apps = null!;
    private PlatformService _platforms = null!;
    private ConnectorCatalogue _catalogue = null!;
    private IMcpToolBackend _backend = null!;
    private McpToolSets _toolSets = null!;
    private IToolCallMeter _meter = null!;
    private KeyPrincipal _principal = null!;
    private IReadOnlyDictionary<string, McpAppActivation> _activated = null!;
    private ToolPolicy[] _policies = null!;
    private ToolDescriptor _listIssues = null!;
    private JsonElement _listIssuesArguments;
    private ToolMeterRequest _meterRequest = null!;
    private ToolCallCompletion _success = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = MicroHost.CreateAsync().GetAwaiter().GetResult();
        _keys = _host.Get<ApiKeyService>();
        _apps = _host.Get<McpAppStore>();
        _platforms = _host.Get<PlatformService>();
        _catalogue = _host.Get<ConnectorCatalogue>();
        (_toolSets, _backend) = _host.Mcp();
        _meter = _host.Get<IToolCallMeter>();

        // Warm every cache the hot path relies on, as the second request of a user would find them.
        var lookup = _keys.AuthenticateAsync(_host.EndUserKey, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _principal = lookup.Principal ?? throw new InvalidOperationException("The end-user key did not authenticate: " + lookup.Status);
        _activated = _apps.GetActivatedAsync(_host.PlatformId, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _policies =
        [
            _platforms.GetToolPolicyAsync(_host.PlatformId, CancellationToken.None).AsTask().GetAwaiter().GetResult(),
            _principal.EndUserToolPolicy ?? ToolPolicy.Default,
            _principal.KeyToolPolicy ?? ToolPolicy.Default,
        ];
        _ = BuildRequestToolScope().AsTask().GetAwaiter().GetResult();

        _listIssues = _catalogue.ToolsByName["github_list_issues"];
        _listIssuesArguments = JsonDocument.Parse("""{"owner":"octo-org","repo":"octo-repo","state":"open","labels":["bug"],"per_page":30}""").RootElement.Clone();
        if (ArgumentValidator.Validate(_listIssues, _listIssuesArguments) is { } problem)
        {
            throw new InvalidOperationException("The sample arguments are invalid: " + problem);
        }

        _meterRequest = new ToolMeterRequest(_host.PlatformId, _host.EndUserId, _host.KeyId, "req_bench", "mock", "mock_echo");
        _success = new ToolCallCompletion(true, "success", null, null, 1);
    }

    [GlobalCleanup]
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>API-key authentication on a cache hit: SHA-256 of the key and one dictionary lookup (API.md §2.7).</summary>
    [Benchmark]
    public ValueTask<KeyLookupResult> KeyLookupCacheHit() => _keys.AuthenticateAsync(_host.EndUserKey, CancellationToken.None);

    /// <summary>The visibility function over the catalogue for one platform, three policies, no app filter (API.md §8.4).</summary>
    [Benchmark]
    public IReadOnlyList<ToolDescriptor> ToolVisibilityAllApps() => ToolVisibility.GetVisibleTools(_catalogue, _activated, _policies, null);

    /// <summary>JsonSchema.Net validation of a typical <c>github_list_issues</c> call (API.md §8.5).</summary>
    [Benchmark]
    public string? ValidateListIssuesArguments() => ArgumentValidator.Validate(_listIssues, _listIssuesArguments);

    /// <summary>
    /// What <c>McpRequestMiddleware</c> does per request to build its tool scope: activated apps and platform policy
    /// (cache hits), the three-policy array, the visible list, and the SDK tool set for that list.
    /// </summary>
    [Benchmark]
    public async ValueTask<int> RequestToolScope() => (await BuildRequestToolScope()).Count;

    /// <summary>
    /// The metering round trip of every visible, known tool call on SQLite: admit (free-tier claim) and complete (usage
    /// row + counter in one <c>BEGIN IMMEDIATE</c> transaction). After the first 1,000 calls of a month the claim finds the
    /// tier used up, which is the steady state here as in the load run.
    /// </summary>
    [Benchmark]
    public async Task MeterAdmitAndComplete()
    {
        var admission = await _meter.AdmitAsync(_meterRequest, CancellationToken.None);
        await _meter.CompleteAsync(_meterRequest, admission, _success, CancellationToken.None);
    }

    /// <summary>The admission half alone: the free-tier claim (one conditional UPDATE; when the tier is used up, a SELECT too).</summary>
    [Benchmark]
    public ValueTask<ToolAdmission> MeterAdmit() => _meter.AdmitAsync(_meterRequest, CancellationToken.None);

    /// <summary>The completion half alone for an unbilled call: the usage row in its own <c>BEGIN IMMEDIATE</c> transaction.</summary>
    [Benchmark]
    public ValueTask MeterCompleteUnbilled() => _meter.CompleteAsync(_meterRequest, s_unbilled, _success, CancellationToken.None);

    private static readonly ToolAdmission s_unbilled = new(ToolAdmissionStatus.Admitted, FreeSlot: false, HoldId: null);

    private async ValueTask<McpToolSet> BuildRequestToolScope()
    {
        var activated = await _apps.GetActivatedAsync(_principal.PlatformId, CancellationToken.None);
        var policies = new[]
        {
            await _platforms.GetToolPolicyAsync(_principal.PlatformId, CancellationToken.None),
            _principal.EndUserToolPolicy ?? ToolPolicy.Default,
            _principal.KeyToolPolicy ?? ToolPolicy.Default,
        };
        var visible = _backend.GetVisibleTools(activated, policies, null);
        return _toolSets.Get(visible);
    }
}
