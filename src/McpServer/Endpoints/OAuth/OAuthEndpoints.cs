using System.Net;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.OAuthBroker.Connect;
using Assistiv.Platform.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Endpoints.OAuth;

/// <summary>
/// The OAuth routes (API.md §9, §2.8 rows 43–44): <c>GET /oauth/authorize</c> (end-user key or connect link),
/// <c>GET /oauth/callback</c> and, with <c>Gateway:EnableMockApps</c>, <c>GET /oauth/mock/authorize</c>.
/// </summary>
internal static class OAuthEndpoints
{
    public const string ConnectCookie = "gw_connect";

    // The cookie only has to outlive the state it is bound to (10 minutes, API.md §9.1).
    private static readonly TimeSpan s_cookieLifetime = TimeSpan.FromMinutes(10);

    public static WebApplication MapOAuthApi(this WebApplication app)
    {
        var oauth = app.MapGroup("/oauth").AddEndpointFilter(static async (context, next) =>
        {
            // The URLs of these routes carry single-use secrets; keep them out of caches and Referer headers.
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            context.HttpContext.Response.Headers["Referrer-Policy"] = "no-referrer";
            return await next(context);
        });
        oauth.MapGet("/authorize", AuthorizeAsync);
        oauth.MapGet("/callback", CallbackAsync);
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.EnableMockApps)
        {
            oauth.MapGet("/mock/authorize", MockAuthorize);
        }

        return app;
    }

    /// <summary>
    /// API.md §9.1. A bearer key is checked like every end-user route (§2.6: 401 → 403 <c>wrong_key_type</c> → inactive
    /// end user); without one, a <c>connect_token</c> authenticates the request instead (row 43).
    /// </summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext http, OAuthConnectService connect, IAuthorizationService authorization,
        IOptions<GatewayOptions> gateway, CancellationToken ct)
    {
        var query = http.Request.Query;
        var app = query.TryGetValue("app", out var appValue) ? appValue.ToString() : null;
        AuthorizeOutcome outcome;
        if (ApiKeyAuthenticationHandler.ReadBearer(http.Request.Headers.Authorization.ToString()) is not null)
        {
            if (http.GetKeyPrincipal() is not { } key)
            {
                return http.GetAuthFailure() ?? ApiErrors.InvalidApiKey();
            }

            var allowed = await authorization.AuthorizeAsync(http.User, http, GatewayAuth.EndUser);
            if (!allowed.Succeeded)
            {
                return http.GetAuthFailure() ?? ApiErrors.Forbidden("This key may not use this route.");
            }

            outcome = await connect.StartForEndUserAsync(key.PlatformId, key.EndUserId!.Value, app, ct);
        }
        else if (query.TryGetValue("connect_token", out var token))
        {
            outcome = await connect.StartWithConnectTokenAsync(token.ToString(), app, ct);
        }
        else
        {
            return ApiErrors.MissingApiKey();
        }

        switch (outcome.Kind)
        {
            case AuthorizeOutcomeKind.Authorize:
                if (outcome.CookieNonce is { } nonce)
                {
                    http.Response.Cookies.Append(ConnectCookie, nonce, CookieOptions(gateway.Value, s_cookieLifetime));
                }

                return WantsJson(http.Request)
                    ? Results.Json(new AuthorizeUrlDto(outcome.Location!.AbsoluteUri, outcome.StateExpiresAt!.Value), OAuthJsonContext.Default.AuthorizeUrlDto)
                    : Results.Redirect(outcome.Location!.AbsoluteUri);
            case AuthorizeOutcomeKind.LinkRejected:
                return Results.Redirect(outcome.Location!.AbsoluteUri);
            case AuthorizeOutcomeKind.InvalidConnectToken:
                return ApiErrors.InvalidApiKey();
            case AuthorizeOutcomeKind.EndUserInactive:
                return ApiErrors.Forbidden(outcome.Message!);
            case AuthorizeOutcomeKind.InvalidApp:
                return ApiErrors.Validation("app", outcome.Message!);
            default:
                return ApiErrors.NotFound(outcome.Message!, "app");
        }
    }

    /// <summary>API.md §9.2: a redirect to the platform, or a 400 page when no state names a platform to go back to.</summary>
    private static async Task<IResult> CallbackAsync(HttpContext http, OAuthCallbackService callback, IOptions<GatewayOptions> gateway, CancellationToken ct)
    {
        var query = http.Request.Query;
        var cookie = http.Request.Cookies[ConnectCookie];
        var outcome = await callback.CompleteAsync(Value(query, "state"), Value(query, "code"), Value(query, "error"), cookie, ct);
        if (cookie is not null && outcome.App is not null)
        {
            http.Response.Cookies.Delete(ConnectCookie, CookieOptions(gateway.Value, null));
        }

        return outcome.Redirect is { } redirect
            ? Results.Redirect(redirect.AbsoluteUri)
            : Results.Content(ErrorPage(outcome.Code), "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// API.md §9.3: the mock provider's consent screen approves at once (or denies with <c>deny=1</c>) and always returns
    /// to our own callback; a <c>redirect_uri</c> parameter is ignored, so this is no open redirect.
    /// </summary>
    private static IResult MockAuthorize(HttpContext http, IOptions<GatewayOptions> gateway)
    {
        var query = http.Request.Query;
        var state = Uri.EscapeDataString(Value(query, "state") ?? "");
        var outcome = Value(query, "deny") == "1" ? "error=access_denied" : "code=mock-code";
        return Results.Redirect(gateway.Value.Url("/oauth/callback?" + outcome + "&state=" + state));
    }

    /// <summary>
    /// API.md §9.1: HttpOnly, SameSite=Lax, Path=/oauth, Secure when <c>{base}</c> is https. A path prefix of the public
    /// base URL is kept in front of <c>/oauth</c>, because the browser sees the prefixed path (decision 0044).
    /// </summary>
    private static CookieOptions CookieOptions(GatewayOptions gateway, TimeSpan? maxAge)
    {
        var baseUri = new Uri(gateway.BaseUrl);
        return new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = baseUri.AbsolutePath.TrimEnd('/') + "/oauth",
            Secure = baseUri.Scheme == Uri.UriSchemeHttps,
            MaxAge = maxAge,
            IsEssential = true,
        };
    }

    private static bool WantsJson(HttpRequest request)
    {
        foreach (var accept in request.GetTypedHeaders().Accept)
        {
            if (accept.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Value(IQueryCollection query, string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;

    private static string ErrorPage(string code)
    {
        var safe = WebUtility.HtmlEncode(code);
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Connection failed</title></head>\n"
            + "<body><h1>Connection failed</h1>\n<p>Error: <code>" + safe + "</code>. This sign-in link is not valid any more. "
            + "Start the connection again from the app you came from.</p></body></html>\n";
    }
}
