namespace Assistiv.OAuthBroker.Connect;

/// <summary>
/// Where the browser lands after a connect (API.md §9.2 step 7): <c>{redirect_base_url}/mcp/oauth-callback</c> with
/// <c>status=connected&amp;app={app}&amp;account={label}</c> or <c>status=error&amp;app={app}&amp;error={code}</c>.
/// </summary>
internal static class PlatformRedirect
{
    public static Uri Connected(string redirectBaseUrl, string app, string? accountLabel) =>
        new(Base(redirectBaseUrl) + "?status=connected&app=" + Uri.EscapeDataString(app) + "&account=" + Uri.EscapeDataString(accountLabel ?? ""));

    public static Uri Error(string redirectBaseUrl, string app, string code) =>
        new(Base(redirectBaseUrl) + "?status=error&app=" + Uri.EscapeDataString(app) + "&error=" + Uri.EscapeDataString(code));

    private static string Base(string redirectBaseUrl) => redirectBaseUrl.TrimEnd('/') + "/mcp/oauth-callback";
}
