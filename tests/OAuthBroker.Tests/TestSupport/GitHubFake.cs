using System.Net;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Assistiv.OAuthBroker.Tests.TestSupport;

/// <summary>
/// github.com OAuth (<c>/login/oauth/access_token</c>) and api.github.com (<c>/user</c>, token revoke) on one WireMock
/// server, with bodies shaped as GitHub documents them (CONNECTORS.md §1.1): token errors at HTTP 200 with
/// <c>error</c>, <c>error_description</c>, <c>error_uri</c>; GitHub App user tokens with <c>expires_in: 28800</c> and an
/// empty <c>scope</c>.
/// </summary>
internal sealed class GitHubFake : IDisposable
{
    public const string TokenPath = "/login/oauth/access_token";

    public GitHubFake()
    {
        Server = WireMockServer.Start();
        // Fallbacks rank below the per-test stubs (WireMock: the lower priority number wins).
        Server.Given(Request.Create().WithPath("/user").UsingGet())
            .AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(401).WithBodyAsJson(new { message = "Bad credentials", documentation_url = "https://docs.github.com/rest" }));
        Server.Given(Request.Create().WithPath("/applications/*/token").UsingDelete())
            .AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(HttpStatusCode.NoContent));
    }

    public WireMockServer Server { get; }

    public string Url => Server.Urls[0];

    /// <summary>Configuration pointing the <c>github</c> app at this fake (API.md §1.3 <c>Gateway:Apps:{app}:*</c>).</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Gateway:Apps:github:AuthorizeUrl"] = Url + "/login/oauth/authorize",
        ["Gateway:Apps:github:TokenUrl"] = Url + TokenPath,
        ["Gateway:Apps:github:ApiBaseUrl"] = Url,
    };

    /// <summary>An OAuth App token for <paramref name="code"/>: no expiry, comma-separated <c>scope</c>.</summary>
    public void OAuthAppToken(string code, string accessToken, string scope = "repo,gist")
    {
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody((IDictionary<string, string>? f) => Field(f, "code") == code))
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithBodyAsJson(new { access_token = accessToken, scope, token_type = "bearer" }));
    }

    /// <summary>A GitHub App user token for <paramref name="code"/> (CONNECTORS.md B8).</summary>
    public void GitHubAppToken(string code, string accessToken, string refreshToken)
    {
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody((IDictionary<string, string>? f) => Field(f, "code") == code))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new
            {
                access_token = accessToken,
                expires_in = 28800,
                refresh_token = refreshToken,
                refresh_token_expires_in = 15811200,
                scope = "",
                token_type = "bearer",
            }));
    }

    /// <summary>A refresh of <paramref name="refreshToken"/> answered with a rotated pair, optionally after a delay.</summary>
    public void Refresh(string refreshToken, string newAccessToken, string newRefreshToken, TimeSpan? delay = null)
    {
        var response = Response.Create().WithStatusCode(200).WithBodyAsJson(new
        {
            access_token = newAccessToken,
            expires_in = 28800,
            refresh_token = newRefreshToken,
            refresh_token_expires_in = 15811200,
            scope = "",
            token_type = "bearer",
        });
        if (delay is { } d)
        {
            response = response.WithDelay(d);
        }

        Server.Given(Request.Create().WithPath(TokenPath).UsingPost()
                .WithBody((IDictionary<string, string>? f) => Field(f, "grant_type") == "refresh_token" && Field(f, "refresh_token") == refreshToken))
            .RespondWith(response);
    }

    /// <summary>A token-endpoint error at HTTP 200, as GitHub sends it (CONNECTORS.md §1.1, B7).</summary>
    public void ErrorAt200(Func<IDictionary<string, string>?, bool> match, string error, string description)
    {
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody(match))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new
            {
                error,
                error_description = description,
                error_uri = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors",
            }));
    }

    public void ServerError(Func<IDictionary<string, string>?, bool> match, int status = 502)
    {
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody(match))
            .RespondWith(Response.Create().WithStatusCode(status).WithBody("<html>Bad gateway</html>"));
    }

    /// <summary>
    /// Token requests that reach the fake and then hang until the test releases them (answering 502). Returns a task
    /// that completes when the first request arrived.
    /// </summary>
    public Task HangTokenRequests(TaskCompletionSource release)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost())
            .RespondWith(Response.Create().WithCallback(async _ =>
            {
                arrived.TrySetResult();
                await release.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return new WireMock.ResponseMessage { StatusCode = 502 };
            }));
        return arrived.Task;
    }

    public void User(string accessToken, string login)
    {
        Server.Given(Request.Create().WithPath("/user").UsingGet().WithHeader("Authorization", "Bearer " + accessToken))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { login, id = 1, name = "The Octocat" }));
    }

    public IReadOnlyList<ILogEntry> TokenRequests() => Requests(TokenPath, "POST");

    public IReadOnlyList<ILogEntry> Requests(string pathPrefix, string method) =>
        Server.LogEntries.Where(e => e.RequestMessage.Path.StartsWith(pathPrefix, StringComparison.Ordinal)
            && string.Equals(e.RequestMessage.Method, method, StringComparison.OrdinalIgnoreCase)).ToList();

    public static string? Field(IDictionary<string, string>? form, string name) =>
        form is not null && form.TryGetValue(name, out var v) ? v : null;

    /// <summary>Parses a logged form body (<c>application/x-www-form-urlencoded</c>).</summary>
    public static Dictionary<string, string> Form(ILogEntry entry)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (entry.RequestMessage.Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            result[key] = value;
        }

        return result;
    }

    public void Dispose() => Server.Stop();
}
