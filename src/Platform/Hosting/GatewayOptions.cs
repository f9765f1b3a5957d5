using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Hosting;

/// <summary>
/// Gateway-wide settings shared by every project (API.md §1.3), bound from the <c>Gateway</c> section and validated
/// at start-up. Each project keeps its own finer options next to its code.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Gateway";

    /// <summary>
    /// <c>Gateway:PublicBaseUrl</c>: the only source of URLs the server hands out (API.md §1.2). Absolute, no trailing
    /// slash, may hold a path prefix. Default <c>http://127.0.0.1:8080</c>.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary><c>Gateway:ListenUrls</c>: the listener (default <c>http://127.0.0.1:8080</c>; <c>ASPNETCORE_URLS</c> also works).</summary>
    public string? ListenUrls { get; set; }

    /// <summary><c>Gateway:InstanceId</c>: stable across restarts; recorded on holds. Default machine name + <c>:</c> + port.</summary>
    public string? InstanceId { get; set; }

    /// <summary><c>Gateway:EnableMockApps</c>: adds the offline <c>mock</c> MCP app (API.md §9.3).</summary>
    public bool EnableMockApps { get; set; }

    /// <summary><c>Gateway:EnableMockProvider</c>: adds the offline <c>mock</c> LLM provider (API.md §6.5).</summary>
    public bool EnableMockProvider { get; set; }

    /// <summary>The public base URL without a trailing slash.</summary>
    public string BaseUrl => PublicBaseUrl.TrimEnd('/');

    /// <summary>An absolute URL under the public base URL, e.g. <c>Url("/oauth/callback")</c>.</summary>
    /// <param name="path">A path starting with <c>/</c>.</param>
    public string Url(string path) => BaseUrl + path;
}

/// <summary>Validates <see cref="GatewayOptions"/>; messages name the key and a valid example (STYLE.md §0.5).</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return ValidateOptionsResult.Fail(
                $"Gateway:PublicBaseUrl must be an absolute http(s) URL without query, e.g. https://gateway.example.com (got '{options.PublicBaseUrl}').");
        }

        return ValidateOptionsResult.Success;
    }
}
