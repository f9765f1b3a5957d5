namespace Assistiv.OAuthBroker.Connect;

/// <summary>What <c>GET /oauth/authorize</c> answers (API.md §9.1); the host maps each kind to its HTTP form.</summary>
public enum AuthorizeOutcomeKind
{
    /// <summary>A state was created: 302 to <see cref="AuthorizeOutcome.Location"/> (or 200 JSON with the URL).</summary>
    Authorize,

    /// <summary>The connect link was used or expired: 302 to <see cref="AuthorizeOutcome.Location"/>, the platform's error page.</summary>
    LinkRejected,

    /// <summary>Unknown or malformed connect token (or one of a deleted end user): 401 <c>invalid_api_key</c>.</summary>
    InvalidConnectToken,

    /// <summary>The connect token's end user is deactivated: 403 <c>forbidden</c>.</summary>
    EndUserInactive,

    /// <summary><c>app</c> missing, or not the connect token's app: 422 with <c>param: "app"</c>.</summary>
    InvalidApp,

    /// <summary>Unknown app, or not activated for the platform: 404 <c>not_found</c> with <c>param: "app"</c>.</summary>
    AppNotFound,
}

/// <summary>The result of starting a connect (API.md §9.1).</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Location">The provider authorize URL, or the platform's error redirect; null otherwise.</param>
/// <param name="StateExpiresAt">Expiry of the created state (<see cref="AuthorizeOutcomeKind.Authorize"/> only).</param>
/// <param name="CookieNonce">
/// The <c>gw_connect</c> cookie value to set when the state was created from a connect token, else null (the state
/// keeps only its SHA-256).
/// </param>
/// <param name="Message">Plain-words reason for the error kinds.</param>
public sealed record AuthorizeOutcome(AuthorizeOutcomeKind Kind, Uri? Location, DateTimeOffset? StateExpiresAt, string? CookieNonce, string? Message)
{
    internal static AuthorizeOutcome Error(AuthorizeOutcomeKind kind, string message) => new(kind, null, null, null, message);

    internal static AuthorizeOutcome Rejected(Uri location) => new(AuthorizeOutcomeKind.LinkRejected, location, null, null, null);
}
