using System.Text.Json;
using Assistiv.Connectors.Registry;
using Assistiv.Connectors.Tests.TestSupport;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Connectors.Tests.Registry;

/// <summary>The tools/call pipeline of API.md §8.5 on the mock app and on GitHub's gateway-side answers.</summary>
public sealed class ToolBrokerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CallAsync_ReturnsUnknownTool_ForAnUnknownName()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);

        var outcome = await h.CallAsync("github_delete_everything", "{}", Ct);

        Assert.Equal(new ToolCallOutcome.UnknownTool("github_delete_everything"), outcome);
        Assert.Empty(h.Meter.Completions); // API.md §8.5: no log row
    }

    [Fact]
    public async Task CallAsync_ReturnsUnknownTool_WhenHiddenByPolicy()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);
        ToolPolicy[] policies = [ToolPolicy.Default, new(null, ReadOnly: true), ToolPolicy.Default];

        var outcome = await h.CallAsync("github_create_gist", """{"files":{"a.txt":"x"}}""", Ct, policies);

        // API.md §8.7: a hidden tool is not callable: -32602 as for an unknown tool, no log row.
        Assert.IsType<ToolCallOutcome.UnknownTool>(outcome);
        Assert.Empty(h.Meter.Completions);
        Assert.Equal(0, h.Tokens.GetCalls);
    }

    [Fact]
    public async Task CallAsync_ReturnsUnknownTool_WhenTheAppIsNotActivated()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct, apps: ["github"]);

        Assert.IsType<ToolCallOutcome.UnknownTool>(await h.CallAsync("mock_echo", """{"text":"hi"}""", Ct));
        Assert.Empty(h.Meter.Completions);
    }

    [Fact]
    public async Task CallAsync_ReturnsUnknownTool_ForAnotherAppsToolOnMcpApp()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);

        Assert.IsType<ToolCallOutcome.UnknownTool>(await h.CallAsync("mock_echo", """{"text":"hi"}""", Ct, appFilter: "github"));
        Assert.Empty(h.Meter.Completions);
    }

    [Fact]
    public async Task CallAsync_EchoesText_AsStructuredContent()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);

        var outcome = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("mock_echo", """{"text":"héllo \"world\""}""", Ct, appFilter: "mock"));

        // API.md §8.3: mock_echo ◆ → output {"text": …}.
        Assert.False(outcome.IsError);
        Assert.Equal("""{"text":"héllo \"world\""}""", outcome.Text);
        Assert.Equal("héllo \"world\"", outcome.StructuredContent!["text"]!.GetValue<string>());
        var completion = h.Meter.Single();
        Assert.Equal(("success", null, true), (completion.Status, completion.ErrorCode, completion.Success));
    }

    [Fact]
    public async Task CallAsync_MockFail_IsUpstreamUnavailable()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);

        var outcome = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("mock_fail", null, Ct));

        Assert.True(outcome.IsError);
        Assert.Equal("upstream_unavailable", outcome.ErrorCode);
        Assert.StartsWith("[upstream_unavailable] Mock is unavailable right now", outcome.Text, StringComparison.Ordinal);
        Assert.Equal(("error", "upstream_unavailable"), (h.Meter.Single().Status, h.Meter.Single().ErrorCode));
    }

    [Theory]
    [InlineData("mock_echo", """{"text":5}""", "[invalid_arguments] text: Value is \"integer\" but should be \"string\"")]
    [InlineData("mock_echo", "{}", "[invalid_arguments] text: required argument is missing")]
    [InlineData("mock_echo", """{"text":"a","extra":1}""", "[invalid_arguments] extra: unknown argument (allowed: text)")]
    [InlineData("mock_echo", "[1]", "[invalid_arguments] arguments: must be a JSON object, not an array.")]
    [InlineData("github_list_issues", """{"owner":"o","repo":"r","per_page":500}""", "[invalid_arguments] per_page: 500 should be at most 100")]
    [InlineData("github_list_issues", """{"owner":"o","repo":"r","labels":["bug",7]}""", "[invalid_arguments] labels[1]: Value is \"integer\" but should be \"string\"")]
    [InlineData("github_list_issues", """{"owner":"o","repo":"r","state":"merged"}""", "[invalid_arguments] state: must be one of \"open\", \"closed\", \"all\"")]
    [InlineData("github_create_gist", """{"files":{"a.md":""}}""", "[invalid_arguments] files.a.md: Value should be at least 1 characters")]
    [InlineData("github_issue_write", """{"method":"create","owner":"o","repo":"r"}""", "[invalid_arguments] title: required argument is missing (method create needs a title)")]
    [InlineData("github_issue_write", """{"method":"update","owner":"o","repo":"r","title":"t"}""", "[invalid_arguments] issue_number: required argument is missing (method update needs the issue number)")]
    public async Task CallAsync_RejectsInvalidArguments_NamingThePath(string tool, string arguments, string expected)
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);

        var outcome = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync(tool, arguments, Ct));

        // API.md §8.5: a tool result [invalid_arguments] naming the path, before anything binds them; not charged.
        Assert.Equal(expected, outcome.Text);
        Assert.True(outcome.IsError);
        Assert.Equal(0, h.Tokens.GetCalls);
        Assert.Equal(0, h.Meter.Admissions);
        var (_, admission, completion) = Assert.Single(h.Meter.Completions);
        Assert.Null(admission);
        Assert.Equal(("error", "invalid_arguments"), (completion.Status, completion.ErrorCode));
    }

    [Fact]
    public async Task CallAsync_TreatsMissingArguments_AsAnEmptyObject()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);

        var outcome = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("mock_echo", null, Ct));

        Assert.Equal("[invalid_arguments] text: required argument is missing", outcome.Text);
    }

    [Fact]
    public async Task CallAsync_AnswersNotConnected_WithTheExactTextAndLink()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);
        h.Tokens.Current = AccessTokenResult.NotConnected;

        var outcome = await h.CallAsync("github_get_me", "{}", Ct, elicitationId: "elic-1");

        // API.md §8.5, exact text.
        var required = Assert.IsType<ToolCallOutcome.ConnectRequired>(outcome);
        Assert.Equal("not_connected", required.Code);
        Assert.Equal(
            "[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: https://gateway.example/oauth/authorize?app=github&connect_token=ct1",
            required.Message);
        Assert.Equal(new Uri("https://gateway.example/oauth/authorize?app=github&connect_token=ct1"), required.ConnectUrl);
        var (connection, elicitationId) = Assert.Single(h.Links.Issued);
        Assert.Equal((h.PlatformId, h.EndUserId, "github", "elic-1"), (connection.PlatformId, connection.EndUserId, connection.App, elicitationId));
        Assert.Equal(0, h.Meter.Admissions);
        var completion = h.Meter.Single();
        Assert.Equal(("error", "not_connected"), (completion.Status, completion.ErrorCode));
        Assert.DoesNotContain("connect_token", completion.ErrorMessage ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_AnswersNeedsReauth_WithTheLink()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);
        h.Tokens.Current = AccessTokenResult.NeedsReauth;

        var required = Assert.IsType<ToolCallOutcome.ConnectRequired>(await h.CallAsync("mock_echo", """{"text":"x"}""", Ct));

        Assert.Equal("needs_reauth", required.Code);
        Assert.StartsWith("[needs_reauth] Mock ", required.Message, StringComparison.Ordinal);
        Assert.EndsWith("then retry: https://gateway.example/oauth/authorize?app=mock&connect_token=ct1", required.Message, StringComparison.Ordinal);
        Assert.Equal("needs_reauth", h.Meter.Single().ErrorCode);
    }

    [Fact]
    public async Task CallAsync_IsUpstreamUnavailable_WhenTheTokenCannotBeRefreshed()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);
        h.Tokens.Current = AccessTokenResult.Unavailable;

        var outcome = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("mock_echo", """{"text":"x"}""", Ct));

        // API.md §8.5 table: refresh failed transiently → upstream_unavailable.
        Assert.Equal("upstream_unavailable", outcome.ErrorCode);
        Assert.Equal(0, h.Meter.Admissions);
    }

    [Theory]
    [InlineData(ToolAdmissionStatus.BudgetSuspended, "budget_suspended")]
    [InlineData(ToolAdmissionStatus.BudgetExhausted, "budget_exhausted")]
    [InlineData(ToolAdmissionStatus.WalletInsufficient, "wallet_insufficient")]
    public async Task CallAsync_IsRejected_WhenTheMeterRefuses(ToolAdmissionStatus status, string code)
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);
        h.Meter.AdmitStatus = status;

        var outcome = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("mock_echo", """{"text":"x"}""", Ct));

        // API.md §8.5: [budget_*] / [wallet_insufficient] → log status rejected.
        Assert.StartsWith($"[{code}] ", outcome.Text, StringComparison.Ordinal);
        Assert.Equal(("rejected", code), (h.Meter.Single().Status, h.Meter.Single().ErrorCode));
    }

    [Fact]
    public async Task CallAsync_WritesTheUsageRow_WithTheRealMeter()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct, realMeter: true);

        await h.CallAsync("mock_echo", """{"text":"x"}""", Ct);

        await using var db = await h.Database.Factory.CreateDbContextAsync(Ct);
        var row = await db.UsageLogs.SingleAsync(Ct);

        // API.md §4.9 log row for an MCP tool call within the free tier (§8.5).
        Assert.Equal("mcp_tool", row.RequestType);
        Assert.Equal(("mock", "mock_echo"), (row.McpApp, row.McpTool));
        Assert.Equal(("success", null, "free_tier"), (row.Status, row.ErrorCode, row.BillingStatus));
        Assert.Equal((h.PlatformId, (Guid?)h.EndUserId, (Guid?)h.ApiKeyId), (row.PlatformId, row.EndUserId, row.ApiKeyId));
        Assert.Equal("req_01JTESTREQUEST0000000000000", row.RequestId);
        Assert.Equal((0L, 0L), (row.EstimatedCostMicros, row.BilledMicros));
    }

    [Fact]
    public async Task CallAsync_Answers_BeforeTheSettlementFinishes()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Meter.CompletionGate = gate;

        // The broker itself, not the harness's CallAsync (that one waits for the settlement).
        var outcome = await h.Broker.CallAsync(h.Context(), "mock_echo", JsonDocument.Parse("""{"text":"x"}""").RootElement, Ct);

        Assert.False(Assert.IsType<ToolCallOutcome.Completed>(outcome).IsError);
        Assert.Empty(h.Meter.Completions);
        Assert.Equal(1, h.Settlements.Count);
        var settled = h.Settlements.WhenSettledAsync(Ct);
        Assert.False(settled.IsCompleted);

        gate.SetResult();
        await settled;
        Assert.Equal("success", h.Meter.Single().Status);
        Assert.Equal(0, h.Settlements.Count);
    }

    [Fact]
    public async Task CallAsync_LogsNoToken_AndNoLink()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);
        h.Tokens.Current = AccessTokenResult.NotConnected;
        await h.CallAsync("mock_echo", """{"text":"x"}""", Ct);

        Assert.DoesNotContain("connect_token", h.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToolCallOutcome_TextOfErrors_UsesBracketedCodes()
    {
        // Sanity of the serialized JSON helpers the results depend on.
        Assert.Equal("""{"a":"é"}""", ToolResults.Serialize(JsonSerializer.SerializeToNode(new Dictionary<string, string> { ["a"] = "é" })));
    }
}
