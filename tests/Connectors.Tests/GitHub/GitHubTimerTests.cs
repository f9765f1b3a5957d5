using Assistiv.Connectors.Tests.TestSupport;

namespace Assistiv.Connectors.Tests.GitHub;

/// <summary>Counts the process's live timers; nothing else may run beside it.</summary>
[CollectionDefinition(nameof(TimerCountCollection), DisableParallelization = true)]
public sealed class TimerCountCollection;

/// <summary>
/// A GitHub call leaves no timer behind (decision 0085). Octokit 14's own adapter starts a 100-second timer per request
/// and never disposes it; the gateway's adapter sends with the call's token instead. The test's clock is fake, so the
/// tool broker's own timeout creates no real timer either: every real timer alive after the calls is one that leaked.
/// </summary>
[Collection(nameof(TimerCountCollection))]
public sealed class GitHubTimerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GitHubCalls_LeaveNoTimerRunning()
    {
        const int Calls = 100;
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());
        GitHubReadToolTests.Ok(await h.CallAsync("github_get_me", "{}", Ct)); // connection pool, lazy statics
        var before = Timer.ActiveCount;

        for (var i = 0; i < Calls; i++)
        {
            GitHubReadToolTests.Ok(await h.CallAsync("github_get_me", "{}", Ct));
        }

        // With Octokit's adapter this grows by at least one timer per call (100); a handful of unrelated timers (the
        // harness's background services, the connection pool's scavenger) may come and go.
        Assert.True(Timer.ActiveCount - before < Calls / 10, $"live timers {before} → {Timer.ActiveCount} after {Calls} calls");
    }
}
