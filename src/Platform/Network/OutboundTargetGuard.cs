using System.Net;
using System.Net.Sockets;

namespace Assistiv.Platform.Network;

/// <summary>
/// The outbound target guard of API.md §1.8 for hosts supplied through the API (llm-config <c>base_url</c>,
/// <c>github.enterprise_base_url</c>, webhook <c>url</c>): a <see cref="SocketsHttpHandler.ConnectCallback"/> that checks,
/// on every connection, the address actually connected to, and a creation-time check of a URL. Refused: loopback,
/// unspecified, 0/8, 10/8, 100.64/10, 169.254/16, 172.16/12, 192.168/16, multicast and reserved IPv4 (224/4, 240/4),
/// ::, ::1, fc00::/7, fe80::/10, fec0::/10, ff00::/8, and the IPv4-mapped, IPv4-compatible and NAT64 (64:ff9b::/96)
/// forms of refused IPv4 addresses. Hosts from server configuration (<c>Gateway:Apps:*</c>, provider defaults) are
/// trusted and do not use this guard.
/// </summary>
public static class OutboundTargetGuard
{
    /// <summary>Whether <paramref name="address"/> is refused as an outbound target while private targets are not allowed.</summary>
    /// <param name="address">Any IPv4 or IPv6 address.</param>
    public static bool IsRefused(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return IsRefusedV4(v4);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);

        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible form; :: and ::1 land in 0/8 and are refused).
        if (b[..10].IndexOfAnyExcept((byte)0) < 0 && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0)))
        {
            return IsRefusedV4(b[12..]);
        }

        // 64:ff9b::/96, the NAT64 well-known prefix, reaches the embedded IPv4 address.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return IsRefusedV4(b[12..]);
        }

        return (b[0] & 0xFE) == 0xFC                       // fc00::/7 unique local
            || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)     // fe80::/10 link-local
            || (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)     // fec0::/10 site-local (deprecated, still private)
            || b[0] == 0xFF;                               // ff00::/8 multicast
    }

    /// <summary>
    /// Creates the connect callback for a <see cref="SocketsHttpHandler"/>: resolves the host, skips refused addresses,
    /// connects, then checks the remote address of the connected socket. Throws <see cref="OutboundTargetBlockedException"/>
    /// when every address is refused.
    /// </summary>
    /// <param name="allowPrivateTargets"><c>Gateway:Network:AllowPrivateTargets</c>; when true nothing is refused.</param>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> CreateConnectCallback(bool allowPrivateTargets) =>
        (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivateTargets, cancellationToken);

    /// <summary>
    /// A handler for API-supplied hosts: the guarded connect callback, no automatic redirects, no cookies, a 10 s connect
    /// timeout and pooled connections recycled every 2 minutes (so DNS changes are seen, and re-checked).
    /// </summary>
    /// <param name="allowPrivateTargets"><c>Gateway:Network:AllowPrivateTargets</c>.</param>
    public static SocketsHttpHandler CreateHandler(bool allowPrivateTargets) => new()
    {
        ConnectCallback = CreateConnectCallback(allowPrivateTargets),
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };

    /// <summary>
    /// The creation-time check (API.md §1.8): an absolute <c>https://</c> URL (<c>http://</c> only with
    /// <paramref name="allowPrivateTargets"/>) without user info, whose host literal or every resolved address is allowed.
    /// </summary>
    /// <param name="url">The URL as supplied.</param>
    /// <param name="allowPrivateTargets"><c>Gateway:Network:AllowPrivateTargets</c>.</param>
    /// <param name="cancellationToken">Cancels the DNS lookup.</param>
    public static async ValueTask<OutboundTargetVerdict> CheckAsync(string? url, bool allowPrivateTargets, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || string.IsNullOrEmpty(uri.Host))
        {
            return OutboundTargetVerdict.InvalidUrl;
        }

        var https = string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);
        var http = string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase);
        if (!https && !(http && allowPrivateTargets))
        {
            return OutboundTargetVerdict.SchemeNotAllowed;
        }

        if (allowPrivateTargets)
        {
            return OutboundTargetVerdict.Allowed;
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
            }
            catch (SocketException)
            {
                return OutboundTargetVerdict.Unresolvable;
            }
        }

        if (addresses.Length == 0)
        {
            return OutboundTargetVerdict.Unresolvable;
        }

        // Any refused address fails the check: a name that resolves to both a public and a private address could be
        // served the private one later.
        foreach (var address in addresses)
        {
            if (IsRefused(address))
            {
                return OutboundTargetVerdict.BlockedTarget;
            }
        }

        return OutboundTargetVerdict.Allowed;
    }

    private static bool IsRefusedV4(ReadOnlySpan<byte> a) =>
        a[0] == 0                                   // 0/8, includes 0.0.0.0
        || a[0] == 10                               // 10/8
        || a[0] == 127                              // 127/8 loopback
        || (a[0] == 100 && (a[1] & 0xC0) == 64)     // 100.64/10 carrier-grade NAT
        || (a[0] == 169 && a[1] == 254)             // 169.254/16 link-local (cloud metadata)
        || (a[0] == 172 && (a[1] & 0xF0) == 16)     // 172.16/12
        || (a[0] == 192 && a[1] == 168)             // 192.168/16
        || a[0] >= 224;                             // 224/4 multicast, 240/4 reserved, broadcast

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivateTargets, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);

        Exception? lastFailure = null;
        foreach (var address in addresses)
        {
            if (!allowPrivateTargets && IsRefused(address))
            {
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);

                // The check that counts is on the connected socket's peer, not on what DNS said (API.md §1.8).
                if (!allowPrivateTargets && (socket.RemoteEndPoint is not IPEndPoint remote || IsRefused(remote.Address)))
                {
                    socket.Dispose();
                    throw new OutboundTargetBlockedException($"Outbound connection to '{endpoint.Host}' is not allowed.");
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastFailure = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastFailure ?? new OutboundTargetBlockedException($"Outbound connection to '{endpoint.Host}' is not allowed.");
    }
}
