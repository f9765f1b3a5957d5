using System.Net;
using System.Net.Sockets;
using Assistiv.Platform.Network;

namespace Assistiv.Connectors.Tests.Network;

/// <summary>Address classification and the creation-time check of API.md §1.8.</summary>
public sealed class OutboundTargetGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    // API.md §1.8: loopback, unspecified, 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7, fe80::/10,
    // multicast and their IPv4-mapped forms.
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456:789a::1")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    public void IsRefused_IsTrue_ForPrivateAndReservedAddresses(string address)
    {
        Assert.True(OutboundTargetGuard.IsRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("140.82.112.6")]      // api.github.com range
    [InlineData("8.8.8.8")]
    [InlineData("172.15.255.255")]    // just below 172.16/12
    [InlineData("172.32.0.1")]        // just above
    [InlineData("100.63.255.255")]    // just below 100.64/10
    [InlineData("100.128.0.1")]       // just above
    [InlineData("169.253.1.1")]
    [InlineData("192.167.1.1")]
    [InlineData("11.0.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:50c0:8000::154")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:140.82.112.6")]
    [InlineData("64:ff9b::8c52:7006")]
    [InlineData("fec0::1")]
    public void IsRefused_IsFalse_ForPublicAddresses(string address)
    {
        var refused = OutboundTargetGuard.IsRefused(IPAddress.Parse(address));

        // fec0::/10 (deprecated site-local) is treated as private on purpose.
        Assert.Equal(address == "fec0::1", refused);
    }

    [Theory]
    [InlineData("https://140.82.112.6/api/v3", false, OutboundTargetVerdict.Allowed)]
    [InlineData("https://[2606:50c0:8000::154]/", false, OutboundTargetVerdict.Allowed)]
    [InlineData("https://10.0.0.5/", false, OutboundTargetVerdict.BlockedTarget)]
    [InlineData("https://[::ffff:169.254.169.254]/", false, OutboundTargetVerdict.BlockedTarget)]
    [InlineData("https://localhost/", false, OutboundTargetVerdict.BlockedTarget)]
    [InlineData("http://140.82.112.6/", false, OutboundTargetVerdict.SchemeNotAllowed)]
    [InlineData("ftp://140.82.112.6/", false, OutboundTargetVerdict.SchemeNotAllowed)]
    [InlineData("https://user:pass@140.82.112.6/", false, OutboundTargetVerdict.InvalidUrl)]
    [InlineData("github.example.com", false, OutboundTargetVerdict.InvalidUrl)]
    [InlineData("http://127.0.0.1:9091", true, OutboundTargetVerdict.Allowed)]
    [InlineData("https://10.0.0.5/", true, OutboundTargetVerdict.Allowed)]
    public async Task CheckAsync_AppliesTheCreationTimeRules(string url, bool allowPrivateTargets, OutboundTargetVerdict expected)
    {
        Assert.Equal(expected, await OutboundTargetGuard.CheckAsync(url, allowPrivateTargets, Ct));
    }

    [Fact]
    public async Task GuardedHandler_RefusesLoopback_BeforeSendingAnything()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new HttpClient(OutboundTargetGuard.CreateHandler(allowPrivateTargets: false));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/"), Ct));

        Assert.IsType<OutboundTargetBlockedException>(ex.InnerException);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task GuardedHandler_Connects_WhenPrivateTargetsAreAllowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(Ct);
            var buffer = new byte[4096];
            await socket.ReceiveAsync(buffer, SocketFlags.None, Ct);
            await socket.SendAsync("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
        }, Ct);
        using var client = new HttpClient(OutboundTargetGuard.CreateHandler(allowPrivateTargets: true));

        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/"), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await serve;
    }
}
