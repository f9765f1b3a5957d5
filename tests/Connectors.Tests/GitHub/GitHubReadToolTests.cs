using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.Connectors.Registry;
using Assistiv.Connectors.Tests.TestSupport;
using Json.Schema;
using WireMock.ResponseBuilders;

namespace Assistiv.Connectors.Tests.GitHub;

/// <summary>
/// The read tools' request shapes and result pruning against GitHub's own response examples (Fixtures/github, from
/// @octokit/openapi 23.0.2). Expected values are the examples' values as published by GitHub.
/// </summary>
public sealed class GitHubReadToolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static JsonNode Ok(ToolCallOutcome outcome)
    {
        var completed = Assert.IsType<ToolCallOutcome.Completed>(outcome);
        Assert.False(completed.IsError, completed.Text);
        Assert.True(completed.Text.Length <= 100_000); // API.md §8.3
        return JsonNode.Parse(completed.Text)!;
    }

    internal static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}\nActual   {ToolResults.Serialize(actual)}");

    internal static void AssertConformsToOutputSchema(BrokerHarness h, string tool, JsonObject structured)
    {
        var schema = JsonSchema.FromText(h.Catalogue.ToolsByName[tool].OutputSchema!.Value.GetRawText());
        var result = schema.Evaluate(JsonDocument.Parse(structured.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("; ", result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public async Task GetMe_ReturnsThePrunedProfile_AsStructuredContent()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/user")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("user")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var completed = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("github_get_me", "{}", Ct));

        // Values of GitHub's "private-user" example (GET /user).
        var me = completed.StructuredContent!;
        Assert.Equal("octocat", me["login"]!.GetValue<string>());
        Assert.Equal(1, me["id"]!.GetValue<long>());
        Assert.Equal("monalisa octocat", me["name"]!.GetValue<string>());
        Assert.Equal("octocat@github.com", me["email"]!.GetValue<string>());
        Assert.Equal("https://github.com/octocat", me["html_url"]!.GetValue<string>());
        Assert.Equal(2, me["public_repos"]!.GetValue<long>());
        Assert.False(me.ContainsKey("plan"));
        Assert.False(me.ContainsKey("node_id"));
        Assert.Equal(completed.Text, me.ToJsonString());
        AssertConformsToOutputSchema(h, "github_get_me", me);
    }

    [Fact]
    public async Task SearchRepositories_PassesQuerySortAndPaging_AndReportsTotal()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/search/repositories")
                .WithParam("q", "topic:mcp language:csharp").WithParam("sort", "stars").WithParam("per_page", "10").WithParam("page", "2"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("search-repositories")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_search_repositories", """{"query":"topic:mcp language:csharp","sort":"stars","per_page":10,"page":2}""", Ct));

        // GitHub's "repo-search-result-item-paginated" example: total_count 40, dtrupenn/Tetris.
        Assert.Equal(40, result["total"]!.GetValue<long>());
        Assert.False(result["has_more"]!.GetValue<bool>());
        Assert.Null(result["next"]);
        var repo = result["items"]![0]!;
        Assert.Equal("dtrupenn/Tetris", repo["full_name"]!.GetValue<string>());
        Assert.Equal("https://github.com/dtrupenn/Tetris", repo["html_url"]!.GetValue<string>());
        Assert.Equal("master", repo["default_branch"]!.GetValue<string>());
        Assert.Null(repo["owner"]);
    }

    [Fact]
    public async Task GetFileContents_DecodesTextFiles()
    {
        using var gh = new GitHubFake();

        // The published example's "content" is not valid base64 (it holds escaped "\n" sequences), so the file body is
        // replaced by GitHub's documented encoding of known text: base64 in lines of 60 characters.
        var text = "# Octokit\n\nRuby toolkit for the GitHub API.\n";
        var file = Fixtures.GitHubNode("content-file");
        file["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).Insert(20, "\n") + "\n";
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octokit/octokit.rb/contents/README.md").WithParam("ref", "main"))
            .RespondWith(GitHubFake.Json(200, file.ToJsonString()));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var completed = Assert.IsType<ToolCallOutcome.Completed>(
            await h.CallAsync("github_get_file_contents", """{"owner":"octokit","repo":"octokit.rb","path":"README.md","ref":"main"}""", Ct));

        var structured = completed.StructuredContent!;
        Assert.Equal(text, structured["content"]!.GetValue<string>());
        Assert.Equal("file", structured["type"]!.GetValue<string>());
        Assert.Equal("3d21ec53a331a6f037a91c368710b99387d012c1", structured["sha"]!.GetValue<string>());
        Assert.Equal(5362, structured["size"]!.GetValue<long>());
        Assert.False(structured["binary"]!.GetValue<bool>());
        Assert.False(structured["truncated"]!.GetValue<bool>());
        AssertConformsToOutputSchema(h, "github_get_file_contents", structured);
    }

    [Fact]
    public async Task GetFileContents_MarksBinaryFiles_WithoutContent()
    {
        using var gh = new GitHubFake();
        var file = Fixtures.GitHubNode("content-file");
        file["content"] = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]);
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/r/contents/logo.png")).RespondWith(GitHubFake.Json(200, file.ToJsonString()));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var completed = Assert.IsType<ToolCallOutcome.Completed>(await h.CallAsync("github_get_file_contents", """{"owner":"o","repo":"r","path":"logo.png"}""", Ct));

        Assert.True(completed.StructuredContent!["binary"]!.GetValue<bool>());
        Assert.Null(completed.StructuredContent!["content"]);
        AssertConformsToOutputSchema(h, "github_get_file_contents", completed.StructuredContent!);
    }

    [Fact]
    public async Task GetFileContents_ListsDirectories()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octokit/octokit.rb/contents/lib")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("content-directory")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var completed = Assert.IsType<ToolCallOutcome.Completed>(
            await h.CallAsync("github_get_file_contents", """{"owner":"octokit","repo":"octokit.rb","path":"lib/"}""", Ct));

        // GitHub's "content-file-response-if-content-is-a-directory" example: lib/octokit.rb (file), lib/octokit (dir).
        var structured = completed.StructuredContent!;
        Assert.Equal("dir", structured["type"]!.GetValue<string>());
        Assert.Equal(["lib/octokit.rb", "lib/octokit"], structured["entries"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()));
        Assert.Equal(["file", "dir"], structured["entries"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
        AssertConformsToOutputSchema(h, "github_get_file_contents", structured);
    }

    [Fact]
    public async Task ListIssues_PassesFilters_AndReadsTheNextLink()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/issues")
                .WithParam("state", "all").WithParam("labels", "bug,ui").WithParam("per_page", "1").WithParam("page", "1"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("issue-items"),
                ("Link", $"<{gh.Url}/repositories/1300192/issues?state=all&labels=bug%2Cui&per_page=1&page=2>; rel=\"next\", <{gh.Url}/repositories/1300192/issues?per_page=1&page=5>; rel=\"last\"")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_list_issues", """{"owner":"octocat","repo":"Hello-World","state":"all","labels":["bug","ui"],"per_page":1}""", Ct));

        // API.md §8.3 list envelope; values of GitHub's "issue-items" example.
        Assert.True(result["has_more"]!.GetValue<bool>());
        Assert.Equal(2, result["next"]!["page"]!.GetValue<int>());
        Assert.Null(result["total"]);
        var issue = result["items"]![0]!;
        Assert.Equal(1347, issue["number"]!.GetValue<long>());
        Assert.Equal("Found a bug", issue["title"]!.GetValue<string>());
        Assert.Equal("octocat", issue["user"]!.GetValue<string>());
        Assert.Equal(["bug"], issue["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.True(issue["is_pull_request"]!.GetValue<bool>());
        Assert.Null(issue["body"]);
    }

    [Fact]
    public async Task ListReviews_SignalsMore_WhenAFullPageHasANextLink()
    {
        // CONNECTORS.md B9: page 1 returns 30 reviews + link rel="next"; page 2 returns 5.
        using var gh = new GitHubFake();
        var review = Fixtures.GitHubNode("pull-request-review-items")[0]!;
        string Reviews(int count, int firstId) => new JsonArray(Enumerable.Range(firstId, count).Select(i =>
        {
            var r = review.DeepClone();
            r["id"] = i;
            return (JsonNode?)r;
        }).ToArray()).ToJsonString();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/r/pulls/5/reviews").WithParam("page", "1").WithParam("per_page", "30"))
            .RespondWith(GitHubFake.Json(200, Reviews(30, 1), ("Link", $"<{gh.Url}/repositories/1/pulls/5/reviews?page=2>; rel=\"next\", <{gh.Url}/repositories/1/pulls/5/reviews?page=2>; rel=\"last\"")));
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/r/pulls/5/reviews").WithParam("page", "2").WithParam("per_page", "30"))
            .RespondWith(GitHubFake.Json(200, Reviews(5, 31), ("Link", $"<{gh.Url}/repositories/1/pulls/5/reviews?page=1>; rel=\"prev\", <{gh.Url}/repositories/1/pulls/5/reviews?page=1>; rel=\"first\"")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var first = Ok(await h.CallAsync("github_pull_request_read", """{"owner":"o","repo":"r","pull_number":5,"method":"get_reviews"}""", Ct));
        var second = Ok(await h.CallAsync("github_pull_request_read", """{"owner":"o","repo":"r","pull_number":5,"method":"get_reviews","page":2}""", Ct));

        Assert.Equal(30, first["items"]!.AsArray().Count);
        Assert.True(first["has_more"]!.GetValue<bool>());
        AssertJson("""{"page":2}""", first["next"]!);
        Assert.Equal(5, second["items"]!.AsArray().Count);
        Assert.False(second["has_more"]!.GetValue<bool>());
        Assert.Null(second["next"]);
        Assert.Equal("APPROVED", second["items"]![0]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task SearchIssues_EncodesTheQuery_AndNamesTheRepository()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/search/issues")
                .WithParam("q", "repo:batterseapower/pinyin-toolkit is:issue label:\"bug fix\" #132")
                .WithParam("advanced_search", "true").WithParam("per_page", "30").WithParam("page", "1"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("search-issues")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_search_issues", """{"query":"repo:batterseapower/pinyin-toolkit is:issue label:\"bug fix\" #132"}""", Ct));

        // GitHub's "issue-search-result-item-paginated" example: total_count 280, issue 132.
        Assert.Equal(280, result["total"]!.GetValue<long>());
        var item = result["items"]![0]!;
        Assert.Equal(132, item["number"]!.GetValue<long>());
        Assert.Equal("batterseapower/pinyin-toolkit", item["repository"]!.GetValue<string>());
        Assert.Equal("Nick3C", item["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task IssueRead_Get_ReturnsTheIssueWithBody()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/issues/1347")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("issue-get")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var issue = Ok(await h.CallAsync("github_issue_read", """{"owner":"octocat","repo":"Hello-World","issue_number":1347}""", Ct));

        Assert.Equal("I'm having a problem with this.", issue["body"]!.GetValue<string>());
        Assert.Equal("v1.0", issue["milestone"]!.GetValue<string>());
        Assert.Equal(["octocat"], issue["assignees"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("completed", issue["state_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task IssueRead_GetComments_ListsComments()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/issues/1347/comments").WithParam("per_page", "50").WithParam("page", "3"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("issue-comment-items")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_issue_read",
            """{"owner":"octocat","repo":"Hello-World","issue_number":1347,"method":"get_comments","per_page":50,"page":3}""", Ct));

        var comment = result["items"]![0]!;
        Assert.Equal("Me too", comment["body"]!.GetValue<string>());
        Assert.Equal("octocat", comment["user"]!.GetValue<string>());
        Assert.Equal("https://github.com/octocat/Hello-World/issues/1347#issuecomment-1", comment["html_url"]!.GetValue<string>());
    }

    [Fact]
    public async Task IssueRead_GetLabels_ListsLabels()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/issues/1347/labels")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("label-items")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_issue_read", """{"owner":"octocat","repo":"Hello-World","issue_number":1347,"method":"get_labels"}""", Ct));

        AssertJson("""[{"name":"bug","color":"f29513","description":"Something isn't working"},{"name":"enhancement","color":"a2eeef","description":"New feature or request"}]""", result["items"]!);
    }

    [Fact]
    public async Task ListPullRequests_PassesStateAndBase()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/pulls").WithParam("state", "closed").WithParam("base", "master"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("pull-request-simple-items")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_list_pull_requests", """{"owner":"octocat","repo":"Hello-World","state":"closed","base":"master"}""", Ct));

        var pr = result["items"]![0]!;
        Assert.Equal(1347, pr["number"]!.GetValue<long>());
        Assert.Equal(("new-topic", "master"), (pr["head"]!.GetValue<string>(), pr["base"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PullRequestRead_Get_ReturnsBranchesAndCounts()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/pulls/1347")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("pull-request")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var pr = Ok(await h.CallAsync("github_pull_request_read", """{"owner":"octocat","repo":"Hello-World","pull_number":1347}""", Ct));

        // GitHub's "pull-request" example.
        AssertJson("""{"ref":"new-topic","sha":"6dcb09b5b57875f334f61aebed695e2e4193db5e","repository":"octocat/Hello-World"}""", pr["head"]!);
        Assert.Equal((100, 3, 5), (pr["additions"]!.GetValue<int>(), pr["deletions"]!.GetValue<int>(), pr["changed_files"]!.GetValue<int>()));
        Assert.Equal("clean", pr["mergeable_state"]!.GetValue<string>());
        Assert.Equal(["other_user"], pr["requested_reviewers"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task PullRequestRead_GetDiff_AsksForTheDiffMediaType()
    {
        using var gh = new GitHubFake();
        const string diff = "diff --git a/README b/README\nindex c57eff5..b0b7ebe 100644\n--- a/README\n+++ b/README\n@@ -1 +1 @@\n-Hello World\n+Hello World!\n";
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/pulls/1347").WithHeader("Accept", "application/vnd.github.diff"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.github.diff; charset=utf-8").WithBody(diff));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_pull_request_read", """{"owner":"octocat","repo":"Hello-World","pull_number":1347,"method":"get_diff"}""", Ct));

        Assert.Equal(diff, result["diff"]!.GetValue<string>());
        Assert.False(result["truncated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task PullRequestRead_GetFiles_ListsFilesWithPatches()
    {
        using var gh = new GitHubFake();
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/pulls/1347/files")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("diff-entry-items")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_pull_request_read", """{"owner":"octocat","repo":"Hello-World","pull_number":1347,"method":"get_files"}""", Ct));

        AssertJson("""{"filename":"file1.txt","status":"added","additions":103,"deletions":21,"changes":124,"patch":"@@ -132,7 +132,7 @@ module Test @@ -1000,7 +1000,7 @@ module Test"}""", result["items"]![0]!);
    }

    [Fact]
    public async Task PullRequestRead_GetStatus_CombinesStatusesAndCheckRuns()
    {
        using var gh = new GitHubFake();
        const string sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
        gh.Server.Given(GitHubFake.Request("GET", "/repos/octocat/Hello-World/pulls/1347")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("pull-request")));
        gh.Server.Given(GitHubFake.Request("GET", $"/repos/octocat/Hello-World/commits/{sha}/status")).RespondWith(GitHubFake.Json(200, Fixtures.GitHub("combined-commit-status")));
        gh.Server.Given(GitHubFake.Request("GET", $"/repos/octocat/Hello-World/commits/{sha}/check-runs").WithParam("per_page", "100"))
            .RespondWith(GitHubFake.Json(200, Fixtures.GitHub("check-run-paginated")));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var status = Ok(await h.CallAsync("github_pull_request_read", """{"owner":"octocat","repo":"Hello-World","pull_number":1347,"method":"get_status"}""", Ct));

        Assert.Equal(sha, status["sha"]!.GetValue<string>());
        Assert.Equal("success", status["state"]!.GetValue<string>());
        Assert.Equal("continuous-integration/jenkins", status["statuses"]![0]!["context"]!.GetValue<string>());
        Assert.Equal(("mighty_readme", "completed", "neutral"),
            (status["check_runs"]![0]!["name"]!.GetValue<string>(), status["check_runs"]![0]!["status"]!.GetValue<string>(), status["check_runs"]![0]!["conclusion"]!.GetValue<string>()));
        Assert.Equal(1, status["check_runs_total"]!.GetValue<int>());
    }
    [Fact]
    public async Task IssueRead_CapsAHugeBody_AndFlagsIt()
    {
        using var gh = new GitHubFake();
        var issue = Fixtures.GitHubNode("issue-get");
        issue["body"] = new string('b', 180_000);
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/r/issues/1")).RespondWith(GitHubFake.Json(200, issue.ToJsonString()));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_issue_read", """{"owner":"o","repo":"r","issue_number":1}""", Ct));

        Assert.True(result["body_truncated"]!.GetValue<bool>());
        Assert.EndsWith("…[truncated]", result["body"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1347, result["number"]!.GetValue<long>());
    }

    [Fact]
    public async Task GetFiles_ReturnsFewerFiles_InsteadOfCuttingTheList()
    {
        // API.md §8.3: a list that would exceed the size limit returns fewer items, with has_more true.
        using var gh = new GitHubFake();
        var file = Fixtures.GitHubNode("diff-entry-items")[0]!;
        var files = new JsonArray(Enumerable.Range(1, 30).Select(i =>
        {
            var f = file.DeepClone();
            f["filename"] = $"file{i}.txt";
            f["patch"] = new string('+', 19_000);
            return (JsonNode?)f;
        }).ToArray());
        gh.Server.Given(GitHubFake.Request("GET", "/repos/o/r/pulls/9/files").WithParam("page", "1").WithParam("per_page", "30"))
            .RespondWith(GitHubFake.Json(200, files.ToJsonString()));
        await using var h = await BrokerHarness.CreateAsync(Ct, gh.Configuration());

        var result = Ok(await h.CallAsync("github_pull_request_read", """{"owner":"o","repo":"r","pull_number":9,"method":"get_files"}""", Ct));

        var items = result["items"]!.AsArray();
        Assert.InRange(items.Count, 1, 29);
        Assert.Equal("file1.txt", items[0]!["filename"]!.GetValue<string>());
        Assert.True(result["has_more"]!.GetValue<bool>());
        Assert.Equal(2, result["next"]!["page"]!.GetValue<int>());
        Assert.Equal(items.Count, result["next"]!["per_page"]!.GetValue<int>());
    }
}
