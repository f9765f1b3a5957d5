using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;
using Octokit;
using Octokit.Internal;

namespace Assistiv.Connectors.GitHub;

/// <summary>
/// The 14 GitHub tools of API.md §8.3 on Octokit 14. Each call builds its own <see cref="Connection"/> with the user's
/// bearer token (never kept in a shared client) over a pooled handler from <see cref="IHttpMessageHandlerFactory"/>,
/// through <see cref="GitHubHttpClient"/> (Octokit's adapter without its per-request timer: the call's token bounds it). The
/// base address is the activation's <c>enterprise_base_url</c> + <c>/api/v3/</c> when set (an API-supplied host, so its
/// handler runs the outbound target guard, API.md §1.8), else the catalogue's API base URL. Octokit follows redirects
/// itself and drops <c>Authorization</c> on a host change. Lists pass <c>per_page</c>/<c>page</c> through and read
/// <c>has_more</c> from the <c>Link</c> header's <c>rel="next"</c> (CONNECTORS.md B9).
/// </summary>
internal sealed class GitHubConnector : IConnector
{
    /// <summary>Named client for configuration-supplied (trusted) GitHub hosts.</summary>
    public const string HttpClientName = "assistiv.github";

    /// <summary>Named client for activation-supplied GitHub Enterprise hosts: guarded connect callback.</summary>
    public const string GuardedHttpClientName = "assistiv.github.guarded";

    private const string DiffMediaType = "application/vnd.github.diff";
    private const int DefaultPerPage = 30;

    private static readonly ProductHeaderValue s_product = new("assistiv-gateway");

    private readonly IHttpMessageHandlerFactory _handlers;
    private readonly TimeProvider _time;

    public GitHubConnector(IHttpMessageHandlerFactory handlers, TimeProvider time)
    {
        _handlers = handlers;
        _time = time;
    }

    public string App => "github";

    public string? CheckArguments(ToolDescriptor tool, JsonElement arguments)
    {
        if (tool.Name != "github_issue_write")
        {
            return null;
        }

        var create = arguments.Str("method") == "create";
        if (create)
        {
            if (!arguments.Has("title"))
            {
                return "title: required argument is missing (method create needs a title)";
            }

            if (arguments.Has("issue_number"))
            {
                return "issue_number: only with method update";
            }

            if (arguments.Has("state"))
            {
                return "state: only with method update (new issues are open)";
            }

            return null;
        }

        if (!arguments.Has("issue_number"))
        {
            return "issue_number: required argument is missing (method update needs the issue number)";
        }

        return arguments.Has("title") || arguments.Has("body") || arguments.Has("state") || arguments.Has("labels") || arguments.Has("assignees")
            ? null
            : "arguments: method update needs at least one of title, body, state, labels, assignees";
    }

    public async Task<ConnectorResult> InvokeAsync(ToolDescriptor tool, JsonElement arguments, UpstreamContext context, CancellationToken cancellationToken)
    {
        var endpoints = context.App.ResolveEndpoints(context.Activation.Settings);
        if (endpoints.ApiBaseUrl is null || !Uri.TryCreate(endpoints.ApiBaseUrl + "/", UriKind.Absolute, out var baseAddress))
        {
            return ConnectorResult.Fail(UpstreamFailureKind.Unavailable, "the GitHub API address is not configured");
        }

        var clientName = endpoints.FromActivationSettings ? GuardedHttpClientName : HttpClientName;
        using var http = GitHubHttpClient.Create(() => _handlers.CreateHandler(clientName), cancellationToken);
        var connection = new Connection(
            s_product,
            baseAddress,
            new InMemoryCredentialStore(new Credentials(context.AccessToken, AuthenticationType.Bearer)),
            http,
            GitHubJsonSerializer.Instance);
        var api = new Api(connection, cancellationToken);
        try
        {
            return tool.Name switch
            {
                "github_get_me" => GetMe(await api.GetAsync("user"), tool),
                "github_search_repositories" => await SearchRepositoriesAsync(api, arguments),
                "github_get_file_contents" => await GetFileContentsAsync(api, arguments, tool),
                "github_list_issues" => await ListIssuesAsync(api, arguments),
                "github_search_issues" => await SearchIssuesAsync(api, arguments),
                "github_issue_read" => await IssueReadAsync(api, arguments),
                "github_issue_write" => await IssueWriteAsync(api, arguments),
                "github_add_issue_comment" => await AddIssueCommentAsync(api, arguments),
                "github_list_pull_requests" => await ListPullRequestsAsync(api, arguments),
                "github_pull_request_read" => await PullRequestReadAsync(api, arguments),
                "github_create_pull_request" => await CreatePullRequestAsync(api, arguments),
                "github_create_branch" => await CreateBranchAsync(api, arguments),
                "github_dispatch_workflow" => await DispatchWorkflowAsync(api, arguments),
                "github_create_gist" => await CreateGistAsync(api, arguments),
                _ => throw new InvalidOperationException($"The GitHub connector has no tool '{tool.Name}'."),
            };
        }
        catch (ApiException ex)
        {
            return GitHubErrors.Map(ex, _time);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && GitHubErrors.IsNetworkFailure(ex))
        {
            // Connection refused, DNS, TLS, or a refused target (OutboundTargetBlockedException inside).
            return ConnectorResult.Fail(UpstreamFailureKind.Unavailable);
        }
    }

    private static ConnectorResult GetMe(JsonElement user, ToolDescriptor tool) =>
        ToolResults.Object(GitHubShapes.Me(user), structured: tool.OutputSchema is not null);

    private static async Task<ConnectorResult> SearchRepositoriesAsync(Api api, JsonElement args)
    {
        var (page, perPage) = Paging(args);
        var query = new Dictionary<string, string>
        {
            ["q"] = Uri.EscapeDataString(args.Str("query")!),
            ["per_page"] = Number(perPage),
            ["page"] = Number(page),
        };
        if (args.Str("sort") is { } sort)
        {
            query["sort"] = sort;
        }

        var response = await api.GetPageAsync("search/repositories", query);
        return Page(response, page, perPage, GitHubShapes.Repository, itemsProperty: "items");
    }

    private static async Task<ConnectorResult> GetFileContentsAsync(Api api, JsonElement args, ToolDescriptor tool)
    {
        var path = args.Str("path") ?? "";
        var endpoint = $"{Repo(args)}/contents/{EscapePath(path.Trim('/'))}";
        var query = new Dictionary<string, string>();
        if (args.Str("ref") is { } gitRef)
        {
            query["ref"] = gitRef;
        }

        var content = await api.GetAsync(endpoint, query);
        JsonObject result;
        if (content.ValueKind == JsonValueKind.Array)
        {
            result = Directory(path, content);
        }
        else
        {
            result = await FileAsync(api, endpoint, query, content);
        }

        return ToolResults.Object(result, structured: tool.OutputSchema is not null);
    }

    private static JsonObject Directory(string path, JsonElement listing)
    {
        var entries = new JsonArray();
        var size = 0;
        var truncated = false;
        foreach (var entry in listing.EnumerateArray())
        {
            var item = Json.Pick(entry, "name", "path", "type", "size");
            size += item.ToJsonString().Length;
            if (size > GitHubShapes.MaxContentLength)
            {
                truncated = true;
                break;
            }

            entries.Add(item);
        }

        return new JsonObject
        {
            ["type"] = "dir",
            ["path"] = path.Trim('/'),
            ["entries"] = entries,
            ["truncated"] = truncated,
        };
    }

    private static async Task<JsonObject> FileAsync(Api api, string endpoint, Dictionary<string, string> query, JsonElement file)
    {
        var type = file.Str("type") ?? "file";
        var result = Json.Pick(file, "type", "path", "name", "sha", "size", "html_url");
        if (type == "symlink")
        {
            result["target"] = file.Str("target");
            return result;
        }

        if (type == "submodule")
        {
            result["target"] = file.Str("submodule_git_url");
            return result;
        }

        byte[]? bytes = null;
        var encoding = file.Str("encoding");
        if (encoding == "base64" && file.Str("content") is { } encoded)
        {
            bytes = DecodeBase64(encoded);
        }
        else if (encoding == "none")
        {
            // Files of 1-100 MB come without content; the raw media type returns the bytes.
            bytes = await api.GetRawAsync(endpoint, query);
        }

        var text = bytes is null ? null : DecodeUtf8(bytes);
        result["binary"] = bytes is not null && text is null;
        result["content"] = text is null ? null : ToolResults.CapField(text, GitHubShapes.MaxContentLength, out _);
        result["truncated"] = text is not null && text.Length > GitHubShapes.MaxContentLength;
        return result;
    }

    private static async Task<ConnectorResult> ListIssuesAsync(Api api, JsonElement args)
    {
        var (page, perPage) = Paging(args);
        var query = new Dictionary<string, string>
        {
            ["state"] = args.Str("state") ?? "open",
            ["per_page"] = Number(perPage),
            ["page"] = Number(page),
        };
        if (args.StringArray("labels") is { Count: > 0 } labels)
        {
            query["labels"] = string.Join(',', labels.Select(l => l!.GetValue<string>()));
        }

        var response = await api.GetPageAsync($"{Repo(args)}/issues", query);
        return Page(response, page, perPage, GitHubShapes.IssueSummary);
    }

    private static async Task<ConnectorResult> SearchIssuesAsync(Api api, JsonElement args)
    {
        var (page, perPage) = Paging(args);

        // advanced_search=true: the legacy issue search is deprecated (CONNECTORS.md §1.2).
        var query = new Dictionary<string, string>
        {
            ["q"] = Uri.EscapeDataString(args.Str("query")!),
            ["advanced_search"] = "true",
            ["per_page"] = Number(perPage),
            ["page"] = Number(page),
        };
        var response = await api.GetPageAsync("search/issues", query);
        return Page(response, page, perPage, GitHubShapes.SearchIssue, itemsProperty: "items");
    }

    private static async Task<ConnectorResult> IssueReadAsync(Api api, JsonElement args)
    {
        var issue = $"{Repo(args)}/issues/{Number(args.Int("issue_number", 0))}";
        switch (args.Str("method") ?? "get")
        {
            case "get_comments":
            {
                var (page, perPage) = Paging(args);
                var response = await api.GetPageAsync($"{issue}/comments", PageQuery(page, perPage));
                return Page(response, page, perPage, c => GitHubShapes.Comment(c));
            }

            case "get_labels":
            {
                var (page, perPage) = Paging(args);
                var response = await api.GetPageAsync($"{issue}/labels", PageQuery(page, perPage));
                return Page(response, page, perPage, GitHubShapes.Label);
            }

            default:
                return ToolResults.Object(GitHubShapes.Issue(await api.GetAsync(issue)), structured: false);
        }
    }

    private static async Task<ConnectorResult> IssueWriteAsync(Api api, JsonElement args)
    {
        var body = new JsonObject();
        Json.Copy(body, args, "title", "body");
        if (args.StringArray("labels") is { } labels)
        {
            body["labels"] = labels;
        }

        if (args.StringArray("assignees") is { } assignees)
        {
            body["assignees"] = assignees;
        }

        JsonElement issue;
        if (args.Str("method") == "create")
        {
            issue = await api.PostAsync($"{Repo(args)}/issues", body);
        }
        else
        {
            Json.Copy(body, args, "state");
            issue = await api.PatchAsync($"{Repo(args)}/issues/{Number(args.Int("issue_number", 0))}", body);
        }

        return ToolResults.Object(GitHubShapes.Issue(issue), structured: false);
    }

    private static async Task<ConnectorResult> AddIssueCommentAsync(Api api, JsonElement args)
    {
        var body = new JsonObject { ["body"] = args.Str("body") };
        var comment = await api.PostAsync($"{Repo(args)}/issues/{Number(args.Int("issue_number", 0))}/comments", body);
        return ToolResults.Object(GitHubShapes.Comment(comment, GitHubShapes.MaxBodyLength), structured: false);
    }

    private static async Task<ConnectorResult> ListPullRequestsAsync(Api api, JsonElement args)
    {
        var (page, perPage) = Paging(args);
        var query = new Dictionary<string, string>
        {
            ["state"] = args.Str("state") ?? "open",
            ["per_page"] = Number(perPage),
            ["page"] = Number(page),
        };
        if (args.Str("base") is { } baseBranch)
        {
            query["base"] = baseBranch;
        }

        var response = await api.GetPageAsync($"{Repo(args)}/pulls", query);
        return Page(response, page, perPage, GitHubShapes.PullRequestSummary);
    }

    private static async Task<ConnectorResult> PullRequestReadAsync(Api api, JsonElement args)
    {
        var pull = $"{Repo(args)}/pulls/{Number(args.Int("pull_number", 0))}";
        switch (args.Str("method") ?? "get")
        {
            case "get_diff":
            {
                var diff = await api.GetTextAsync(pull, DiffMediaType) ?? "";
                var capped = ToolResults.CapField(diff, GitHubShapes.MaxContentLength, out var truncated);
                return ToolResults.Object(new JsonObject { ["diff"] = capped, ["truncated"] = truncated }, structured: false);
            }

            case "get_files":
            {
                var (page, perPage) = Paging(args);
                var response = await api.GetPageAsync($"{pull}/files", PageQuery(page, perPage));
                return Page(response, page, perPage, GitHubShapes.File);
            }

            case "get_reviews":
            {
                var (page, perPage) = Paging(args);
                var response = await api.GetPageAsync($"{pull}/reviews", PageQuery(page, perPage));
                return Page(response, page, perPage, GitHubShapes.Review);
            }

            case "get_status":
            {
                var pr = await api.GetAsync(pull);
                var sha = pr.Prop("head") is { } head ? head.Str("sha") : null;
                if (sha is null)
                {
                    return ConnectorResult.Fail(UpstreamFailureKind.Unavailable, "the pull request has no head commit");
                }

                var commit = $"{Repo(args)}/commits/{Uri.EscapeDataString(sha)}";
                var combined = await api.GetAsync($"{commit}/status");
                var checkRuns = await api.GetAsync($"{commit}/check-runs", PageQuery(1, 100));
                return ToolResults.Object(GitHubShapes.Status(sha, combined, checkRuns), structured: false);
            }

            default:
                return ToolResults.Object(GitHubShapes.PullRequest(await api.GetAsync(pull)), structured: false);
        }
    }

    private static async Task<ConnectorResult> CreatePullRequestAsync(Api api, JsonElement args)
    {
        var body = new JsonObject();
        Json.Copy(body, args, "title", "head", "base", "body", "draft");
        var pr = await api.PostAsync($"{Repo(args)}/pulls", body);
        return ToolResults.Object(GitHubShapes.PullRequest(pr), structured: false);
    }

    private static async Task<ConnectorResult> CreateBranchAsync(Api api, JsonElement args)
    {
        var repo = Repo(args);
        var from = args.Str("from_branch");
        if (from is null)
        {
            var repository = await api.GetAsync(repo);
            from = repository.Str("default_branch");
            if (from is null)
            {
                return ConnectorResult.Fail(UpstreamFailureKind.Rejected, "the repository has no default branch (it may be empty)");
            }
        }

        var source = await api.GetAsync($"{repo}/git/ref/heads/{EscapePath(from)}");
        var sha = source.Prop("object") is { } obj ? obj.Str("sha") : null;
        if (sha is null)
        {
            return ConnectorResult.Fail(UpstreamFailureKind.NotFound, $"branch '{from}' has no commit");
        }

        var created = await api.PostAsync($"{repo}/git/refs", new JsonObject
        {
            ["ref"] = "refs/heads/" + args.Str("branch"),
            ["sha"] = sha,
        });
        var result = GitHubShapes.Ref(created);
        result["from_branch"] = from;
        return ToolResults.Object(result, structured: false);
    }

    private static async Task<ConnectorResult> DispatchWorkflowAsync(Api api, JsonElement args)
    {
        var body = new JsonObject { ["ref"] = args.Str("ref") };
        if (args.Prop("inputs") is { ValueKind: JsonValueKind.Object } inputs)
        {
            body["inputs"] = Json.ToNode(inputs);
        }

        var workflow = args.Str("workflow_id")!;
        var answer = await api.PostAsync($"{Repo(args)}/actions/workflows/{Uri.EscapeDataString(workflow)}/dispatches", body);

        // 204 No Content; newer GitHub versions may answer 200 with the run's id and URLs.
        var result = new JsonObject { ["dispatched"] = true, ["workflow_id"] = workflow, ["ref"] = args.Str("ref") };
        if (answer.ValueKind == JsonValueKind.Object)
        {
            Json.Copy(result, answer, "workflow_run_id", "html_url");
        }

        return ToolResults.Object(result, structured: false);
    }

    private static async Task<ConnectorResult> CreateGistAsync(Api api, JsonElement args)
    {
        var files = new JsonObject();
        foreach (var file in args.GetProperty("files").EnumerateObject())
        {
            files[file.Name] = new JsonObject { ["content"] = file.Value.GetString() };
        }

        var body = new JsonObject
        {
            ["description"] = args.Str("description"),
            ["public"] = args.Bool("public") ?? false,
            ["files"] = files,
        };
        if (body["description"] is null)
        {
            body.Remove("description");
        }

        var gist = await api.PostAsync("gists", body);
        return ToolResults.Object(GitHubShapes.Gist(gist), structured: false);
    }

    private static ConnectorResult Page(
        IApiResponse<JsonElement> response,
        int page,
        int perPage,
        Func<JsonElement, JsonObject> shape,
        string? itemsProperty = null)
    {
        var body = response.Body;
        var array = itemsProperty is null ? body : body.Prop(itemsProperty) ?? default;
        var items = new List<JsonNode>();
        if (array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                items.Add(shape(item));
            }
        }

        long? total = itemsProperty is not null && body.Prop("total_count") is { ValueKind: JsonValueKind.Number } t ? t.GetInt64() : null;
        var hasMore = response.HttpResponse.ApiInfo?.Links?.ContainsKey("next") ?? false;
        return ToolResults.PagedList(items, page, perPage, hasMore, total);
    }

    private static (int Page, int PerPage) Paging(JsonElement args) =>
        (args.Int("page", 1), args.Int("per_page", DefaultPerPage));

    private static Dictionary<string, string> PageQuery(int page, int perPage) => new()
    {
        ["per_page"] = Number(perPage),
        ["page"] = Number(page),
    };

    private static string Repo(JsonElement args) =>
        $"repos/{Uri.EscapeDataString(args.Str("owner")!)}/{Uri.EscapeDataString(args.Str("repo")!)}";

    private static string EscapePath(string path) =>
        string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static byte[]? DecodeBase64(string encoded)
    {
        // GitHub wraps base64 content at 60 characters with "\n".
        var compact = encoded.Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);
        var buffer = new byte[compact.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(compact, buffer, out var written) ? buffer[..written] : null;
    }

    private static string? DecodeUtf8(byte[] bytes)
    {
        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Contains('\0', StringComparison.Ordinal) ? null : text;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Octokit <see cref="IConnection"/> calls in the shapes the tools need; every call honours the call's token.</summary>
    private sealed class Api(IConnection connection, CancellationToken cancellationToken)
    {
        private static readonly Dictionary<string, string> s_noQuery = [];

        public async Task<JsonElement> GetAsync(string endpoint, Dictionary<string, string>? query = null) =>
            (await GetPageAsync(endpoint, query ?? s_noQuery)).Body;

        public Task<IApiResponse<JsonElement>> GetPageAsync(string endpoint, Dictionary<string, string> query) =>
            connection.Get<JsonElement>(Relative(endpoint), query, null, cancellationToken);

        public async Task<string?> GetTextAsync(string endpoint, string accepts) =>
            (await connection.Get<string>(Relative(endpoint), s_noQuery, accepts, cancellationToken)).Body;

        // Octokit's raw and PATCH overloads take no token: the adapter (GitHubHttpClient) sends them with the call's.
        public async Task<byte[]?> GetRawAsync(string endpoint, Dictionary<string, string> query) =>
            (await connection.GetRaw(Relative(endpoint), query)).Body;

        public async Task<JsonElement> PostAsync(string endpoint, JsonObject body) =>
            (await connection.Post<JsonElement>(Relative(endpoint), Content(body), accepts: null, contentType: "application/json",
                parameters: null, cancellationToken: cancellationToken)).Body;

        public async Task<JsonElement> PatchAsync(string endpoint, JsonObject body) =>
            (await connection.Patch<JsonElement>(Relative(endpoint), Content(body))).Body;

        private static Uri Relative(string endpoint) => new(endpoint, UriKind.Relative);

        // An HttpContent passes Octokit's pipeline untouched, so the body is exactly this JSON with a JSON content type
        // (Octokit would label a serialized PATCH body application/x-www-form-urlencoded).
        private static StringContent Content(JsonObject body)
        {
            var content = new StringContent(ToolResults.Serialize(body), Encoding.UTF8);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return content;
        }
    }
}
