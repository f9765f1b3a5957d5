using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>
/// WireMock standing in for api.github.com. Stubs assert what the gateway decides (method, path, query, body and the
/// user's <c>Authorization: Bearer</c> token) and never Octokit's own headers (API.md §1.7, CONNECTORS.md §1.2).
/// </summary>
public sealed class GitHubFake : IDisposable
{
    public const string UserToken = "gho_16C7e42F292c6912E7710c838347Ae178B4a";

    public GitHubFake() => Server = WireMockServer.Start();

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public IDictionary<string, string?> Configuration(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Apps:github:ApiBaseUrl"] = Url };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A request matcher with the user's bearer token.</summary>
    public static IRequestBuilder Request(string method, string path, string token = UserToken) =>
        WireMock.RequestBuilders.Request.Create().UsingMethod(method).WithPath(path).WithHeader("Authorization", "Bearer " + token);

    public static IResponseBuilder Json(int status, string body, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(body);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        return response;
    }

    public int Count(string method, string path) =>
        Server.LogEntries.Count(e => e.RequestMessage.Method == method && e.RequestMessage.Path == path);

    public void Dispose() => Server.Stop();
}
