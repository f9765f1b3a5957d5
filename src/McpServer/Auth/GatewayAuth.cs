using Assistiv.Platform.Keys;

namespace Assistiv.McpServer.Auth;

/// <summary>Names and accessors of the gateway's authentication (API.md §2).</summary>
internal static class GatewayAuth
{
    public const string Scheme = "ApiKey";

    public const string PlatformManagement = "platform:management";
    public const string PlatformAdmin = "platform:admin";
    public const string EndUser = "end-user";
    public const string AnyInference = "inference";

    private const string FailureItem = "gateway.auth.failure";

    /// <summary>The authenticated key of this request, or null.</summary>
    public static KeyPrincipal? GetKeyPrincipal(this HttpContext context) =>
        context.Features.Get<KeyPrincipalFeature>()?.Principal;

    /// <summary>The authenticated key; throws when the endpoint was mapped without authorization (a bug).</summary>
    public static KeyPrincipal RequireKeyPrincipal(this HttpContext context) =>
        context.GetKeyPrincipal() ?? throw new InvalidOperationException("Endpoint requires an authenticated key.");

    /// <summary>Records the first authentication or authorization failure of the request, written by the challenge.</summary>
    public static void SetAuthFailure(this HttpContext context, Errors.ApiErrorResult error) =>
        context.Items.TryAdd(FailureItem, error);

    public static Errors.ApiErrorResult? GetAuthFailure(this HttpContext context) =>
        context.Items.TryGetValue(FailureItem, out var v) ? v as Errors.ApiErrorResult : null;
}

internal sealed class KeyPrincipalFeature(KeyPrincipal principal)
{
    public KeyPrincipal Principal { get; } = principal;
}
