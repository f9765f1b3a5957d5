using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.Connectors.Registry;

namespace Assistiv.Connectors.GitHub;

/// <summary>
/// Prunes GitHub REST objects to the fields a model needs (API.md §8.3: "compact JSON pruned to the useful fields").
/// Nested users become their login, labels their name; API URLs, node ids and avatar links are dropped. Long text
/// fields are capped (and flagged) so one value cannot crowd a result past the 100,000-character limit.
/// </summary>
internal static class GitHubShapes
{
    public const int MaxBodyLength = 50_000;
    public const int MaxListBodyLength = 10_000;
    public const int MaxPatchLength = 20_000;
    public const int MaxContentLength = 90_000;

    public static JsonObject Me(JsonElement u)
    {
        var o = Json.Pick(u, "login", "id", "name", "email", "html_url", "type", "company", "location", "bio",
            "public_repos", "followers", "following", "created_at");
        return o;
    }

    public static JsonObject Repository(JsonElement r)
    {
        var o = Json.Pick(r, "full_name", "description", "private", "html_url", "language", "stargazers_count", "forks_count",
            "open_issues_count", "default_branch", "archived", "updated_at");
        return o;
    }

    public static JsonObject IssueSummary(JsonElement i)
    {
        var o = Json.Pick(i, "number", "title", "state");
        o["user"] = i.Login("user");
        o["labels"] = i.Names("labels", "name");
        o["assignees"] = i.Names("assignees", "login");
        Json.Copy(o, i, "comments", "created_at", "updated_at", "closed_at", "html_url");
        o["is_pull_request"] = i.Has("pull_request");
        return o;
    }

    public static JsonObject SearchIssue(JsonElement i)
    {
        var o = IssueSummary(i);
        o["repository"] = RepositoryFromUrl(i.Str("repository_url"));
        return o;
    }

    public static JsonObject Issue(JsonElement i)
    {
        var o = Json.Pick(i, "number", "title", "state", "state_reason");
        o["body"] = Capped(i.Str("body"), MaxBodyLength, o, "body_truncated");
        o["user"] = i.Login("user");
        o["labels"] = i.Names("labels", "name");
        o["assignees"] = i.Names("assignees", "login");
        o["milestone"] = i.Prop("milestone") is { } m ? m.Str("title") : null;
        Json.Copy(o, i, "comments", "locked", "created_at", "updated_at", "closed_at", "html_url");
        o["is_pull_request"] = i.Has("pull_request");
        return o;
    }

    public static JsonObject Comment(JsonElement c, int maxBody = MaxListBodyLength)
    {
        var o = Json.Pick(c, "id");
        o["user"] = c.Login("user");
        o["body"] = Capped(c.Str("body"), maxBody, o, "body_truncated");
        Json.Copy(o, c, "created_at", "updated_at", "html_url");
        return o;
    }

    public static JsonObject Label(JsonElement l) => Json.Pick(l, "name", "color", "description");

    public static JsonObject PullRequestSummary(JsonElement p)
    {
        var o = Json.Pick(p, "number", "title", "state", "draft");
        o["user"] = p.Login("user");
        o["head"] = p.Prop("head") is { } h ? h.Str("ref") : null;
        o["base"] = p.Prop("base") is { } b ? b.Str("ref") : null;
        o["labels"] = p.Names("labels", "name");
        Json.Copy(o, p, "created_at", "updated_at", "merged_at", "html_url");
        return o;
    }

    public static JsonObject PullRequest(JsonElement p)
    {
        var o = Json.Pick(p, "number", "title", "state", "draft", "merged", "mergeable", "mergeable_state");
        o["body"] = Capped(p.Str("body"), MaxBodyLength, o, "body_truncated");
        o["user"] = p.Login("user");
        o["head"] = Branch(p.Prop("head"), withRepository: true);
        o["base"] = Branch(p.Prop("base"), withRepository: false);
        o["labels"] = p.Names("labels", "name");
        o["requested_reviewers"] = p.Names("requested_reviewers", "login");
        o["merged_by"] = p.Login("merged_by");
        Json.Copy(o, p, "commits", "additions", "deletions", "changed_files", "comments", "review_comments",
            "created_at", "updated_at", "closed_at", "merged_at", "html_url");
        return o;
    }

    public static JsonObject File(JsonElement f)
    {
        var o = Json.Pick(f, "filename", "status", "additions", "deletions", "changes", "previous_filename");
        o["patch"] = Capped(f.Str("patch"), MaxPatchLength, o, "patch_truncated");
        return o;
    }

    public static JsonObject Review(JsonElement r)
    {
        var o = Json.Pick(r, "id");
        o["user"] = r.Login("user");
        o["state"] = r.Str("state");
        o["body"] = Capped(r.Str("body"), MaxListBodyLength, o, "body_truncated");
        Json.Copy(o, r, "submitted_at", "html_url");
        return o;
    }

    public static JsonObject Status(string sha, JsonElement combined, JsonElement checkRuns)
    {
        var statuses = new JsonArray();
        if (combined.Prop("statuses") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var s in list.EnumerateArray())
            {
                statuses.Add(Json.Pick(s, "context", "state", "description", "target_url"));
            }
        }

        var runs = new JsonArray();
        if (checkRuns.Prop("check_runs") is { ValueKind: JsonValueKind.Array } runList)
        {
            foreach (var r in runList.EnumerateArray())
            {
                var run = Json.Pick(r, "name", "status", "conclusion", "html_url", "started_at", "completed_at");
                runs.Add(run);
            }
        }

        return new JsonObject
        {
            ["sha"] = sha,
            ["state"] = combined.Str("state"),
            ["statuses"] = statuses,
            ["check_runs"] = runs,
            ["check_runs_total"] = checkRuns.Prop("total_count") is { } t ? Json.ToNode(t) : runs.Count,
        };
    }

    public static JsonObject Gist(JsonElement g)
    {
        var o = Json.Pick(g, "id", "html_url", "public", "description");
        var files = new JsonArray();
        if (g.Prop("files") is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var file in map.EnumerateObject())
            {
                files.Add(file.Name);
            }
        }

        o["files"] = files;
        Json.Copy(o, g, "created_at");
        return o;
    }

    public static JsonObject Ref(JsonElement r) => new()
    {
        ["ref"] = r.Str("ref"),
        ["sha"] = r.Prop("object") is { } obj ? obj.Str("sha") : null,
    };

    private static JsonObject? Branch(JsonElement? branch, bool withRepository)
    {
        if (branch is not { } b)
        {
            return null;
        }

        var o = Json.Pick(b, "ref", "sha");
        if (withRepository)
        {
            o["repository"] = b.Prop("repo") is { } repo ? repo.Str("full_name") : null;
        }

        return o;
    }

    // "https://api.github.com/repos/octocat/Hello-World" -> "octocat/Hello-World"
    private static string? RepositoryFromUrl(string? url)
    {
        if (url is null)
        {
            return null;
        }

        var at = url.LastIndexOf("/repos/", StringComparison.Ordinal);
        return at < 0 ? null : url[(at + "/repos/".Length)..];
    }

    private static string? Capped(string? value, int max, JsonObject owner, string flag)
    {
        if (value is null)
        {
            return null;
        }

        var capped = ToolResults.CapField(value, max, out var truncated);
        if (truncated)
        {
            owner[flag] = true;
        }

        return capped;
    }
}
