using Assistiv.Connectors.Registry;
using Assistiv.Connectors.Tests.TestSupport;
using WireMock.Matchers;
using WireMock.ResponseBuilders;
using static Assistiv.Connectors.Tests.GitHub.GitHubReadToolTests;

namespace Assistiv.Connectors.Tests.GitHub;

/// <summary>Upstream error mapping of API.md §8.5 with GitHub's error bodies (CONNECTORS.md §1.2).</summary>
public sealed class GitHubErrorTests
{
    private const string OtherToken = "ghu_SecondTokenAfterRefresh0123456789ab";

    // GitHub's documented 401 body (CONNECTORS.md §1.2).
    private const string BadCredentials = """{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ToolCallOutcome.Completed Error(ToolCallOutcome outcome, string code)
    {
        var completed = Assert.IsType<ToolCallOutcome.Completed>(outcome);
        Assert.True(completed.IsError);
        Assert.Equal(code, completed.ErrorCode);
        Assert.StartsWith($"[{code}] ", completed.Text, StringComparison.Ordinal);
        return completed;
    }

    [Fact]
    public async Task Unauthorized_RefreshesOnce_AndRetriesWithTheNewToken()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(401, BadCredentials));
        gh.Server.Given(GitHubFake.Request("GET", "/user", OtherToken)).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        h.Tokens.EnqueueRefresh(AccessTokenResult.Ok(OtherToken));

        var me = Ok(await h.CallAsync("github_get_me", "{}", Ct));

        Assert.Equal("octocat", me["login"]!.GetValue<string>());
        Assert.Equal([GitHubFake.UserToken], h.Tokens.RefreshedTokens);
        Assert.Empty(h.Tokens.MarkedNeedsReauth);
        Assert.Equal("success", h.Meter.Single().Status);
    }

    [Fact]
    public async Task Unauthorized_Twice_MarksNeedsReauth_AndAnswersWithTheLink()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(401, BadCredentials));
        gh.Server.Given(GitHubFake.Request("GET", "/user", OtherToken)).RespondWith(GitHubFake.Json(401, BadCredentials));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        h.Tokens.EnqueueRefresh(AccessTokenResult.Ok(OtherToken));

        var outcome = await h.CallAsync("github_get_me", "{}", Ct);

        // API.md §8.5 table: 401 after one refresh-and-retry → needs_reauth (+ link), status → needs_reauth.
        var required = Assert.IsType<ToolCallOutcome.ConnectRequired>(outcome);
        Assert.Equal("needs_reauth", required.Code);
        Assert.StartsWith("[needs_reauth] GitHub ", required.Message, StringComparison.Ordinal);
        Assert.Single(h.Tokens.RefreshedTokens);
        Assert.Single(h.Tokens.MarkedNeedsReauth);
        Assert.Equal(2, gh.Server.LogEntries.Count);
        Assert.Equal(("error", "needs_reauth"), (h.Meter.Single().Status, h.Meter.Single().ErrorCode));
    }

    [Fact]
    public async Task Unauthorized_WithoutRefreshToken_AnswersNeedsReauth_WithoutRetrying()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(401, BadCredentials));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        h.Tokens.EnqueueRefresh(AccessTokenResult.NeedsReauth); // the token source marks the connection itself

        var required = Assert.IsType<ToolCallOutcome.ConnectRequired>(await h.CallAsync("github_get_me", "{}", Ct));

        Assert.Equal("needs_reauth", required.Code);
        Assert.Single(gh.Server.LogEntries);
    }

    [Fact]
    public async Task Unauthorized_WithATransientRefreshFailure_IsUpstreamUnavailable()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(401, BadCredentials));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        h.Tokens.EnqueueRefresh(AccessTokenResult.Unavailable);

        // API.md §8.5 table: refresh failed transiently → upstream_unavailable, status unchanged.
        Error(await h.CallAsync("github_get_me", "{}", Ct), "upstream_unavailable");
        Assert.Empty(h.Tokens.MarkedNeedsReauth);
    }

    [Fact]
    public async Task Forbidden_IsUpstreamForbidden_WithGitHubsMessage()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/r/issues"))
            .RespondWith(GitHubFake.Json(403, """{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/issues#list-repository-issues","status":"403"}""",
                ("x-ratelimit-remaining", "4999")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var error = Error(await h.CallAsync("github_list_issues", """{"owner":"o","repo":"r"}""", Ct), "upstream_forbidden");

        Assert.Equal("[upstream_forbidden] GitHub denied the request: Resource not accessible by integration", error.Text);
        Assert.Single(gh.Server.LogEntries); // a plain 403 is not retried
    }

    [Fact]
    public async Task NotFound_IsUpstreamNotFound()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/missing/issues/1"))
            .RespondWith(GitHubFake.Json(404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/issues/issues#get-an-issue","status":"404"}"""));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var error = Error(await h.CallAsync("github_issue_read", """{"owner":"o","repo":"missing","issue_number":1}""", Ct), "upstream_not_found");

        Assert.Equal("[upstream_not_found] GitHub found nothing there, or the connected account cannot see it.", error.Text);
        Assert.Equal(("error", "upstream_not_found"), (h.Meter.Single().Status, h.Meter.Single().ErrorCode));
    }

    [Fact]
    public async Task ValidationFailed_IsUpstreamRejected_WithTheProviderMessage()
    {
        using var gh = new GitHubFake();

        // GitHub's documented 422 body (CONNECTORS.md §1.2).
        gh.Server.Given(GitHubFake.Request("POST", "/repos/o/r/issues"))
            .RespondWith(GitHubFake.Json(422, """{"message":"Validation Failed","errors":[{"resource":"Issue","field":"title","code":"missing_field"}],"documentation_url":"https://docs.github.com/rest/issues/issues#create-an-issue","status":"422"}"""));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var error = Error(await h.CallAsync("github_issue_write", """{"method":"create","owner":"o","repo":"r","title":" "}""", Ct), "upstream_rejected");

        Assert.Equal("[upstream_rejected] GitHub rejected the request: Validation Failed: Issue.title missing_field", error.Text);
    }

    [Fact]
    public async Task Conflict_IsUpstreamRejected()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/r/git/ref/heads/main"))
            .RespondWith(GitHubFake.Json(409, """{"message":"Git Repository is empty.","documentation_url":"https://docs.github.com/rest/git/refs#get-a-reference","status":"409"}"""));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var error = Error(await h.CallAsync("github_create_branch", """{"owner":"o","repo":"r","branch":"b","from_branch":"main"}""", Ct), "upstream_rejected");

        Assert.Equal("[upstream_rejected] GitHub rejected the request: Git Repository is empty.", error.Text);
    }

    [Theory]
    [InlineData(429, """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"429"}""")]
    [InlineData(403, """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}""")]
    public async Task RateLimited_WithShortRetryAfter_IsWaitedOutAndRetried(int status, string body)
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).InScenario("limit").WillSetStateTo("open")
            .RespondWith(GitHubFake.Json(status, body, ("retry-after", "3")));
        gh.Server.Given(GitHubFake.Request("GET", "/user")).InScenario("limit").WhenStateIs("open")
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var call = h.CallAsync("github_get_me", "{}", Ct);

        // API.md §8.5: a 429 whose retry time is ≤ 10 s is waited out (on the injected clock) and retried.
        await Wait.UntilAsync(() => h.Time.TimerDueTimes.Contains(TimeSpan.FromSeconds(3)), Ct);
        h.Time.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, Ct);
        Assert.Equal(1, gh.Count("GET", "/user"));
        h.Time.Advance(TimeSpan.FromSeconds(0.2));

        var me = Ok(await call.WaitAsync(Wait.DefaultTimeout, Ct));
        Assert.Equal("octocat", me["login"]!.GetValue<string>());
        Assert.Equal(2, gh.Count("GET", "/user"));
    }

    [Fact]
    public async Task RateLimited_WithLongRetryAfter_IsUpstreamRateLimited_WithoutWaiting()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user"))
            .RespondWith(GitHubFake.Json(429, """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","status":"429"}""", ("retry-after", "120")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var error = Error(await h.CallAsync("github_get_me", "{}", Ct), "upstream_rate_limited");

        // API.md §8.5: otherwise → upstream_rate_limited with the retry seconds.
        Assert.Equal("[upstream_rate_limited] GitHub rate limit reached; retry in 120 seconds.", error.Text);
        Assert.Equal(1, gh.Count("GET", "/user"));
    }

    [Fact]
    public async Task PrimaryRateLimit_UsesTheResetHeader()
    {
        using var gh = new GitHubFake();
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        var reset = h.Time.GetUtcNow().AddSeconds(300).ToUnixTimeSeconds();

        // CONNECTORS.md §1.2: primary limit → 403 with x-ratelimit-remaining: 0; wait until x-ratelimit-reset.
        gh.Server.Given(GitHubFake.Request("GET", "/user"))
            .RespondWith(GitHubFake.Json(403, """{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-rate-limit","status":"403"}""",
                ("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-used", "5000"), ("x-ratelimit-reset", reset.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        var error = Error(await h.CallAsync("github_get_me", "{}", Ct), "upstream_rate_limited");

        Assert.Equal("[upstream_rate_limited] GitHub rate limit reached; retry in 300 seconds.", error.Text);
    }

    [Fact]
    public async Task RateLimited_RetriesAtMostTwice()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user"))
            .RespondWith(GitHubFake.Json(429, """{"message":"You have exceeded a secondary rate limit.","status":"429"}""", ("retry-after", "2")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var call = h.CallAsync("github_get_me", "{}", Ct);
        for (var wait = 1; wait <= 2; wait++)
        {
            var expectedTimers = wait;
            await Wait.UntilAsync(() => h.Time.TimerDueTimes.Count(t => t == TimeSpan.FromSeconds(2)) == expectedTimers, Ct);
            h.Time.Advance(TimeSpan.FromSeconds(2));
        }

        var error = Error(await call.WaitAsync(Wait.DefaultTimeout, Ct), "upstream_rate_limited");

        Assert.Equal("[upstream_rate_limited] GitHub rate limit reached; retry in 2 seconds.", error.Text);
        Assert.Equal(3, gh.Count("GET", "/user"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task ServerErrors_AreUpstreamUnavailable(int status)
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(status, """{"message":"Server Error"}"""));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        Error(await h.CallAsync("github_get_me", "{}", Ct), "upstream_unavailable");
    }

    [Fact]
    public async Task NetworkFailure_IsUpstreamUnavailable()
    {
        // Port 1 on loopback: nothing listens, so the connection is refused.
        await using var h = await BrokerHarness.CreateAsync(Ct, new Dictionary<string, string?> { ["Gateway:Apps:github:ApiBaseUrl"] = "http://127.0.0.1:1" });

        Error(await h.CallAsync("github_get_me", "{}", Ct), "upstream_unavailable");
    }

    [Fact]
    public async Task SlowUpstream_IsUpstreamTimeout_After30Seconds()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")).WithDelay(TimeSpan.FromSeconds(5)));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var call = h.CallAsync("github_get_me", "{}", Ct);
        await Wait.UntilAsync(() => h.Time.TimerDueTimes.Contains(TimeSpan.FromSeconds(30)), Ct);
        await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, Ct);
        h.Time.Advance(TimeSpan.FromSeconds(31));

        // API.md §8.5 table: no answer within 30 s → upstream_timeout.
        var error = Error(await call.WaitAsync(Wait.DefaultTimeout, Ct), "upstream_timeout");
        Assert.Equal("[upstream_timeout] GitHub did not answer within 30 seconds.", error.Text);
    }

    [Fact]
    public async Task ClientCancellation_LogsACancelledRow_AndRethrows()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")).WithDelay(TimeSpan.FromSeconds(5)));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        using var client = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = h.CallAsync("github_get_me", "{}", client.Token);
        await Wait.UntilAsync(() => h.Time.TimerDueTimes.Contains(TimeSpan.FromSeconds(30)), Ct);
        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Wait.DefaultTimeout, Ct));
        Assert.Equal(("cancelled", "cancelled"), (h.Meter.Single().Status, h.Meter.Single().ErrorCode));
    }

    [Fact]
    public async Task Tokens_NeverAppearInResultsOrLogs_EvenWhenTheProviderEchoesThem()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("POST", "/repos/o/r/issues"))
            .RespondWith(GitHubFake.Json(422, $$"""{"message":"Token {{GitHubFake.UserToken}} cannot create issues; also ghp_abcdefghijklmnopqrstuvwxyz0123456789 and Bearer {{OtherToken}}","status":"422"}"""));
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(401, BadCredentials));
        gh.Server.Given(GitHubFake.Request("GET", "/user", OtherToken)).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        h.Tokens.EnqueueRefresh(AccessTokenResult.Ok(OtherToken));

        var rejected = Error(await h.CallAsync("github_issue_write", """{"method":"create","owner":"o","repo":"r","title":"t"}""", Ct), "upstream_rejected");
        var me = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("github_get_me", "{}", Ct));

        string[] secrets = [GitHubFake.UserToken, OtherToken, "ghp_abcdefghijklmnopqrstuvwxyz0123456789"];
        var logs = h.AllLogText();
        var rows = string.Join("\n", h.Meter.Completions.Select(c => c.Completion.ErrorMessage));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, rejected.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, me.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, rows, StringComparison.Ordinal);
        }

        Assert.Contains("***", rejected.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderMessages_AreCutTo300Characters()
    {
        using var gh = new GitHubFake();
        var longMessage = string.Join(' ', Enumerable.Repeat("word", 200));
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(400, $$"""{"message":"{{longMessage}}"}"""));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var error = Error(await h.CallAsync("github_get_me", "{}", Ct), "upstream_rejected");

        var message = error.Text["[upstream_rejected] GitHub rejected the request: ".Length..];
        Assert.Equal(300, message.Length);
        Assert.EndsWith("…", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnexpectedBodies_AreUpstreamUnavailable_NotAFault()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{not json"));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        Error(await h.CallAsync("github_get_me", "{}", Ct), "upstream_unavailable");
    }

    [Fact]
    public async Task EnterpriseBaseUrl_IsUsed_AndGuarded()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/api/v3/user")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")));
        var settings = new Dictionary<string, string> { ["enterprise_base_url"] = gh.Url };

        // API.md §9.4: with enterprise_base_url E, {api} = E/api/v3; §1.8: an API-supplied host on loopback is refused
        // unless Gateway:Network:AllowPrivateTargets is true.
        await using (var blocked = await BrokerHarness.CreateAsync(Ct, gh.Configuration(), githubSettings: settings))
        {
            Error(await blocked.CallAsync("github_get_me", "{}", Ct), "upstream_unavailable");
            Assert.Empty(gh.Server.LogEntries);
        }

        await using var allowed = await BrokerHarness.CreateAsync(Ct,
            gh.Configuration(new Dictionary<string, string?> { ["Gateway:Network:AllowPrivateTargets"] = "true" }), githubSettings: settings);
        Assert.Equal("octocat", Ok(await allowed.CallAsync("github_get_me", "{}", Ct))["login"]!.GetValue<string>());
        Assert.Equal(1, gh.Count("GET", "/api/v3/user"));
    }
}
