using System.Collections.Frozen;
using Assistiv.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The DNS-rebinding guard of API.md §8.2: an <c>Origin</c> is allowed when its (scheme, host, port) is the public base
/// URL's, a loopback origin (<c>http://localhost:*</c>, <c>http://127.0.0.1:*</c>, <c>http://[::1]:*</c>, any port) or
/// listed in <c>Gateway:Mcp:AllowedOrigins</c>. <c>Origin: null</c> and anything unparsable are refused. <c>Host</c> is
/// never consulted: reverse proxies rewrite it.
/// </summary>
internal sealed class McpOriginPolicy
{
    private readonly FrozenSet<string> _allowed;

    public McpOriginPolicy(IOptions<GatewayOptions> gateway, IOptions<McpGatewayOptions> mcp)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        if (Normalize(gateway.Value.PublicBaseUrl) is { } own)
        {
            allowed.Add(own);
        }

        foreach (var origin in mcp.Value.AllowedOrigins)
        {
            if (Normalize(origin) is { } normalized)
            {
                allowed.Add(normalized);
            }
        }

        _allowed = allowed.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Whether a present <c>Origin</c> header value may use <c>/mcp*</c>.</summary>
    public bool IsAllowed(string origin)
    {
        if (!TryParse(origin, out var uri, allowPath: false))
        {
            return false;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && IsLoopbackHost(uri.Host))
        {
            return true;
        }

        return _allowed.Contains(Format(uri));
    }

    /// <summary>
    /// <c>scheme://host:port</c> (lowercase, explicit port) of an origin or of a base URL (whose path is ignored), or null
    /// when the value is not an absolute http(s) URL.
    /// </summary>
    public static string? Normalize(string value) =>
        TryParse(value, out var uri, allowPath: true) ? Format(uri) : null;

    private static bool TryParse(string value, out Uri uri, bool allowPath)
    {
        uri = null!;
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Equals("null", StringComparison.OrdinalIgnoreCase)
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
            || parsed.UserInfo.Length > 0 || parsed.Query.Length > 0 || parsed.Fragment.Length > 0
            || (!allowPath && parsed.AbsolutePath != "/"))
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    private static string Format(Uri uri) => string.Concat(uri.Scheme, "://", uri.Host.ToLowerInvariant(), ":", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host == "127.0.0.1" || host == "[::1]";
}
