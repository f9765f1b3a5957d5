using Assistiv.Connectors.Registry;
using Assistiv.Connectors.Tests.TestSupport;
using WireMock.Matchers;
using WireMock.ResponseBuilders;
using static Assistiv.Connectors.Tests.GitHub.GitHubReadToolTests;

namespace Assistiv.Connectors.Tests.GitHub;

/// <summary>The write tools: method, path and exact JSON body the gateway sends, and the pruned answer.</summary>
public sealed class GitHubWriteToolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IssueWrite_Create_PostsOnlyTheGivenFields()
    {
        using var gh = new GitHubFake();

        // Request body of GitHub's "Create an issue" example (POST /repos/{owner}/{repo}/issues).
        gh.Server.Given(GitHubFake.Request("POST", "/repos/octocat/Hello-World/issues")
                .WithBody(new JsonMatcher("""{"title":"Found a bug","body":"I'm having a problem with this.","labels":["bug"],"assignees":["octocat"]}""")))
            .RespondWith(GitHubFake.Json(201, Fixtures.GitHub("issue-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var issue = Ok(await h.CallAsync("github_issue_write",
            """{"method":"create","owner":"octocat","repo":"Hello-World","title":"Found a bug","body":"I'm having a problem with this.","labels":["bug"],"assignees":["octocat"]}""", Ct));

        Assert.Equal(1347, issue["number"]!.GetValue<long>());
        Assert.Equal("https://github.com/octocat/Hello-World/issues/1347", issue["html_url"]!.GetValue<string>());
    }

    [Fact]
    public async Task IssueWrite_Update_PatchesOnlyTheChangedFields()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("PATCH", "/repos/octocat/Hello-World/issues/1347").WithBody(new JsonMatcher("""{"state":"closed","labels":[]}""")))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("issue-updated")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var issue = Ok(await h.CallAsync("github_issue_write",
            """{"method":"update","owner":"octocat","repo":"Hello-World","issue_number":1347,"state":"closed","labels":[]}""", Ct));

        Assert.Equal("Found a bug", issue["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddIssueComment_PostsTheBody()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("POST", "/repos/octocat/Hello-World/issues/1347/comments").WithBody(new JsonMatcher("""{"body":"Me too"}""")))
            .RespondWith(GitHubFake.Json(201, Fixtures.GitHub("issue-comment-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var comment = Ok(await h.CallAsync("github_add_issue_comment", """{"owner":"octocat","repo":"Hello-World","issue_number":1347,"body":"Me too"}""", Ct));

        AssertJson("""{"id":1,"user":"octocat","body":"Me too","created_at":"2011-04-14T16:00:49Z","updated_at":"2011-04-14T16:00:49Z","html_url":"https://github.com/octocat/Hello-World/issues/1347#issuecomment-1"}""", comment);
    }

    [Fact]
    public async Task CreatePullRequest_PostsHeadBaseAndDraft()
    {
        using var gh = new GitHubFake();

        // Request body of GitHub's "Create a pull request" example, plus draft.
        gh.Server.Given(GitHubFake.Request("POST", "/repos/octocat/Hello-World/pulls")
                .WithBody(new JsonMatcher("""{"title":"Amazing new feature","body":"Please pull these awesome changes in!","head":"octocat:new-feature","base":"master","draft":true}""")))
            .RespondWith(GitHubFake.Json(201, Fixtures.GitHub("pull-request-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var pr = Ok(await h.CallAsync("github_create_pull_request",
            """{"owner":"octocat","repo":"Hello-World","title":"Amazing new feature","body":"Please pull these awesome changes in!","head":"octocat:new-feature","base":"master","draft":true}""", Ct));

        Assert.Equal(1347, pr["number"]!.GetValue<long>());
    }

    [Fact]
    public async Task CreateBranch_StartsFromTheNamedBranch()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/git/ref/heads/feature/A")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("git-ref")));
        gh.Server.Given(GitHubFake.Request("POST", "/repos/octocat/Hello-World/git/refs")
                .WithBody(new JsonMatcher("""{"ref":"refs/heads/featureA","sha":"aa218f56b14c9653891f9e74264a383fa43fefbd"}""")))
            .RespondWith(GitHubFake.Json(201, Fixtures.GitHub("git-ref-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var created = Ok(await h.CallAsync("github_create_branch", """{"owner":"octocat","repo":"Hello-World","branch":"featureA","from_branch":"feature/A"}""", Ct));

        AssertJson("""{"ref":"refs/heads/featureA","sha":"aa218f56b14c9653891f9e74264a383fa43fefbd","from_branch":"feature/A"}""", created);
    }

    [Fact]
    public async Task CreateBranch_StartsFromTheDefaultBranch_WhenNoneIsNamed()
    {
        using var gh = new GitHubFake();

        // GitHub's "full-repository" example has default_branch "master".
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("full-repository")));
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/git/ref/heads/master")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("git-ref")));
        gh.Server.Given(GitHubFake.Request("POST", "/repos/octocat/Hello-World/git/refs")
                .WithBody(new JsonMatcher("""{"ref":"refs/heads/featureA","sha":"aa218f56b14c9653891f9e74264a383fa43fefbd"}""")))
            .RespondWith(GitHubFake.Json(201, Fixtures.GitHub("git-ref-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var created = Ok(await h.CallAsync("github_create_branch", """{"owner":"octocat","repo":"Hello-World","branch":"featureA"}""", Ct));

        Assert.Equal("master", created["from_branch"]!.GetValue<string>());
    }

    [Fact]
    public async Task DispatchWorkflow_PostsRefAndInputs_AndAccepts204()
    {
        using var gh = new GitHubFake();

        // Request body of GitHub's "Create a workflow dispatch event" example; the answer is 204 No Content.
        gh.Server.Given(GitHubFake.Request("POST", "/repos/octocat/Hello-World/actions/workflows/ci.yml/dispatches")
                .WithBody(new JsonMatcher("""{"ref":"topic-branch","inputs":{"name":"Mona the Octocat","home":"San Francisco, CA"}}""")))
            .RespondWith(Response.Create().WithStatusCode(204));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_dispatch_workflow",
            """{"owner":"octocat","repo":"Hello-World","workflow_id":"ci.yml","ref":"topic-branch","inputs":{"name":"Mona the Octocat","home":"San Francisco, CA"}}""", Ct));

        AssertJson("""{"dispatched":true,"workflow_id":"ci.yml","ref":"topic-branch"}""", result);
    }

    [Fact]
    public async Task CreateGist_PostsFilesAsContentObjects_SecretByDefault()
    {
        using var gh = new GitHubFake();

        // Request body shape of GitHub's "Create a gist" example: files map name → {"content": …}; public defaults false.
        gh.Server.Given(GitHubFake.Request("POST", "/gists")
                .WithBody(new JsonMatcher("""{"description":"Example of a gist","public":false,"files":{"README.md":{"content":"Hello World"}}}""")))
            .RespondWith(GitHubFake.Json(201, Fixtures.GitHub("gist-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var gist = Ok(await h.CallAsync("github_create_gist", """{"description":"Example of a gist","files":{"README.md":"Hello World"}}""", Ct));

        Assert.Equal("2decf6c462d9b4418f2", gist["id"]!.GetValue<string>());
        Assert.Equal("https://gist.github.com/2decf6c462d9b4418f2", gist["html_url"]!.GetValue<string>());
        Assert.Equal(["README.md"], gist["files"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task WriteTools_SendJsonContentType()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("POST", "/gists")).RespondWith(GitHubFake.Json(201, Fixtures.GitHub("gist-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        Ok(await h.CallAsync("github_create_gist", """{"files":{"a.md":"x"}}""", Ct));

        var request = Assert.Single(gh.Server.LogEntries).RequestMessage;
        Assert.StartsWith("application/json", request.Headers!["Content-Type"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outcome_IsCompletedWithoutStructuredContent_ForToolsWithoutOutputSchema()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("POST", "/gists")).RespondWith(GitHubFake.Json(201, Fixtures.GitHub("gist-created")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var completed = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("github_create_gist", """{"files":{"a.md":"x"}}""", Ct));

        Assert.Null(completed.StructuredContent);
    }
}
