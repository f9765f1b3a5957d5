using Assistiv.OAuthBroker.Connect;
using Microsoft.AspNetCore.WebUtilities;

namespace Assistiv.OAuthBroker.Tests.TestSupport;

/// <summary>Drives the connect flow through the broker's services, as the host's routes do.</summary>
internal static class Flow
{
    public static Dictionary<string, string> Query(Uri url) =>
        QueryHelpers.ParseQuery(url.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);

    public static async Task<AuthorizeOutcome> AuthorizeAsync(BrokerHarness h, Guid platformId, Guid endUserId, string app = "github")
    {
        var outcome = await h.Get<OAuthConnectService>().StartForEndUserAsync(platformId, endUserId, app, TestContext.Current.CancellationToken);
        Assert.Equal(AuthorizeOutcomeKind.Authorize, outcome.Kind);
        return outcome;
    }

    public static string State(AuthorizeOutcome outcome) => Query(outcome.Location!)["state"];

    public static Task<CallbackOutcome> CallbackAsync(BrokerHarness h, string? state, string? code, string? error = null, string? cookie = null) =>
        h.Get<OAuthCallbackService>().CompleteAsync(state, code, error, cookie, TestContext.Current.CancellationToken);

    /// <summary>Authorize with a key, then the callback with <paramref name="code"/>.</summary>
    public static async Task<CallbackOutcome> ConnectAsync(BrokerHarness h, Guid platformId, Guid endUserId, string code, string app = "github")
    {
        var authorize = await AuthorizeAsync(h, platformId, endUserId, app);
        return await CallbackAsync(h, State(authorize), code);
    }
}
