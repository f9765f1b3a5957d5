using System.Net;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using WireMock;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Assistiv.EndToEnd.Tests.Support;

/// <summary>
/// One WireMock server standing in for github.com OAuth (<c>/login/oauth/*</c>) and api.github.com, with responses shaped
/// as GitHub documents them: token answers per CONNECTORS.md §1.1, API answers from GitHub's own OpenAPI examples
/// (<c>Fixtures/github</c>, shared with Connectors.Tests). API stubs match method, path and the user's
/// <c>Authorization: Bearer</c> token, never Octokit's <c>Accept</c> or <c>User-Agent</c> (API.md §1.7); any other token
/// gets GitHub's 401 <c>Bad credentials</c>.
/// </summary>
internal sealed class GitHubWire : IDisposable
{
    public const string TokenPath = "/login/oauth/access_token";
    public const string AuthorizePath = "/login/oauth/authorize";

    public GitHubWire()
    {
        Server = WireMockServer.Start();
        // Fallbacks rank below the per-token stubs (WireMock: the lower priority number wins).
        Server.Given(Request.Create().WithPath("/user", "/repos/*").UsingAnyMethod())
            .AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json; charset=utf-8")
                .WithBody("""{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"""));
        // CONNECTORS.md §1.1: DELETE /applications/{client_id}/token → 204.
        Server.Given(Request.Create().WithPath("/applications/*/token").UsingDelete())
            .AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(HttpStatusCode.NoContent));
    }

    public WireMockServer Server { get; }

    public string Url => Server.Urls[0];

    /// <summary>Points the <c>github</c> app at this fake (API.md §1.3 <c>Gateway:Apps:{app}:*</c>).</summary>
    public void Configure(GatewayFactory factory) => factory
        .With("Gateway:Apps:github:AuthorizeUrl", Url + AuthorizePath)
        .With("Gateway:Apps:github:TokenUrl", Url + TokenPath)
        .With("Gateway:Apps:github:ApiBaseUrl", Url)
        .With("Gateway:Apps:github:RevokeUrl", Url + "/applications/{client_id}/token");

    /// <summary>
    /// An OAuth App token for <paramref name="code"/> (CONNECTORS.md §1.1: with <c>Accept: application/json</c>,
    /// <c>{"access_token":"gho_…","scope":"repo,gist","token_type":"bearer"}</c>).
    /// </summary>
    public void OAuthAppToken(string code, string accessToken)
    {
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody((IDictionary<string, string>? f) => Field(f, "code") == code))
            .RespondWith(Json(200, new JsonObject { ["access_token"] = accessToken, ["scope"] = "repo,gist", ["token_type"] = "bearer" }));
    }

    /// <summary>
    /// A GitHub App user token for <paramref name="code"/> (CONNECTORS.md §1.1: adds <c>expires_in</c> 28800, a
    /// <c>ghr_</c> refresh token, <c>refresh_token_expires_in</c>; <c>scope</c> is "").
    /// </summary>
    public void GitHubAppToken(string code, string accessToken, string refreshToken)
    {
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody((IDictionary<string, string>? f) => Field(f, "code") == code))
            .RespondWith(Json(200, AppUserToken(accessToken, refreshToken)));
    }

    /// <summary>
    /// The refresh grant for <paramref name="refreshToken"/>, single use as GitHub documents it ("once a refresh token is
    /// used, it and the old access token stop working"): the first request gets the rotated pair (after
    /// <paramref name="delay"/>, so concurrent callers arrive while it is in flight), every later one GitHub's HTTP-200
    /// <c>bad_refresh_token</c> (CONNECTORS.md §1.1, B8).
    /// </summary>
    public void SingleUseRefresh(string refreshToken, string newAccessToken, string newRefreshToken, TimeSpan delay)
    {
        var uses = 0;
        var rotated = AppUserToken(newAccessToken, newRefreshToken).ToJsonString();
        const string spent = """{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired.","error_uri":"https://docs.github.com"}""";
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost()
                .WithBody((IDictionary<string, string>? f) => Field(f, "grant_type") == "refresh_token" && Field(f, "refresh_token") == refreshToken))
            .RespondWith(Response.Create().WithDelay(delay).WithCallback(_ => JsonMessage(200, Interlocked.Increment(ref uses) == 1 ? rotated : spent)));
    }

    /// <summary>
    /// <c>GET /user</c> for <paramref name="accessToken"/>: GitHub's example user (OpenAPI
    /// <c>private-user-response-with-public-and-private-profile-information</c>) with <paramref name="login"/>.
    /// </summary>
    public void User(string accessToken, string login)
    {
        var user = Fixture("user");
        user["login"] = login;
        Server.Given(Request.Create().WithPath("/user").UsingGet().WithHeader("Authorization", "Bearer " + accessToken, ignoreCase: false))
            .AtPriority(1)
            .RespondWith(Json(200, user));
    }

    /// <summary>
    /// <c>POST /repos/{owner}/{repo}/issues</c> for <paramref name="accessToken"/> → 201 with GitHub's <c>issue</c>
    /// example (the documented response of that operation).
    /// </summary>
    public void CreateIssue(string owner, string repo, string accessToken)
    {
        Server.Given(Request.Create().WithPath($"/repos/{owner}/{repo}/issues").UsingPost().WithHeader("Authorization", "Bearer " + accessToken, ignoreCase: false))
            .AtPriority(1)
            .RespondWith(Json(201, Fixture("issue-created")));
    }

    /// <summary>
    /// github.com's consent screen at <c>GET /login/oauth/authorize</c>, for a browser: "Authorize <paramref name="appName"/>"
    /// with an <b>Authorize</b> button that sends the browser to the request's <c>redirect_uri</c> with
    /// <c>code=<paramref name="code"/></c> and the request's own <c>state</c>, as GitHub does once the user approves
    /// (CONNECTORS.md §1.1). WireMock's Handlebars templating copies both query parameters into the page.
    /// </summary>
    public void ConsentPage(string appName, string code)
    {
        var html = $$$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Authorize application</title></head>
            <body>
            <h1>Authorize {{{WebUtility.HtmlEncode(appName)}}}</h1>
            <p><strong>{{{WebUtility.HtmlEncode(appName)}}}</strong> wants to access your GitHub account.</p>
            <form method="get" action="{{request.query.redirect_uri}}">
            <input type="hidden" name="code" value="{{{WebUtility.HtmlEncode(code)}}}">
            <input type="hidden" name="state" value="{{request.query.state}}">
            <button type="submit">Authorize</button>
            </form>
            </body></html>
            """;
        Server.Given(Request.Create().WithPath(AuthorizePath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/html; charset=utf-8").WithBody(html).WithTransformer());
    }

    public IReadOnlyList<ILogEntry> Requests(string method, string path) =>
        Server.LogEntries.Where(e => e.RequestMessage.Path == path
            && string.Equals(e.RequestMessage.Method, method, StringComparison.OrdinalIgnoreCase)).ToList();

    public IReadOnlyList<ILogEntry> TokenRequests(string grantType) =>
        Requests("POST", TokenPath).Where(e => Form(e).GetValueOrDefault("grant_type") == grantType).ToList();

    public static string? Authorization(ILogEntry entry) =>
        entry.RequestMessage.Headers?.FirstOrDefault(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase)).Value is { } v
            ? string.Join(",", v)
            : null;

    /// <summary>Parses a logged <c>application/x-www-form-urlencoded</c> body.</summary>
    public static Dictionary<string, string> Form(ILogEntry entry)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (entry.RequestMessage.Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            result[key] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
        }

        return result;
    }

    /// <summary>A response example from GitHub's OpenAPI description (see <c>Fixtures/github/_manifest.json</c>).</summary>
    public static JsonObject Fixture(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github", name + ".json")))!.AsObject();

    private static JsonObject AppUserToken(string accessToken, string refreshToken) => new()
    {
        ["access_token"] = accessToken,
        ["expires_in"] = 28800,
        ["refresh_token"] = refreshToken,
        ["refresh_token_expires_in"] = 15811200,
        ["scope"] = "",
        ["token_type"] = "bearer",
    };

    private static IResponseBuilder Json(int status, JsonNode body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(body.ToJsonString());

    private static ResponseMessage JsonMessage(int status, string body)
    {
        var message = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
        };
        message.AddHeader("Content-Type", "application/json; charset=utf-8");
        return message;
    }

    private static string? Field(IDictionary<string, string>? form, string name) =>
        form is not null && form.TryGetValue(name, out var v) ? v : null;

    public void Dispose() => Server.Stop();
}
