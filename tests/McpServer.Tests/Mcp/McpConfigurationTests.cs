using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary>Start-up validation of <c>Gateway:Mcp:*</c> (API.md §1.3; STYLE.md §0.5: the message names the key).</summary>
public sealed class McpConfigurationTests
{
    [Theory]
    [InlineData("Gateway:Mcp:AllowedOrigins:0", "*")]
    [InlineData("Gateway:Mcp:AllowedOrigins", "https://a.example.com,*")]
    [InlineData("Gateway:Mcp:AllowedOrigins:0", "https://*.example.com")]
    public void Startup_Fails_NamingTheKey_WhenAllowedOriginsHasWildcard(string key, string value)
    {
        using var factory = new GatewayFactory().With(key, value);
        var error = Record.Exception(() => factory.BaseAddress);
        Assert.NotNull(error);
        Assert.Contains("Gateway:Mcp:AllowedOrigins", Flatten(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Stateful")]
    [InlineData("sessions")]
    public void Startup_Fails_NamingTheKey_WhenSessionModeUnknown(string mode)
    {
        using var factory = new GatewayFactory().With("Gateway:Mcp:SessionMode", mode);
        var error = Record.Exception(() => factory.BaseAddress);
        Assert.NotNull(error);
        Assert.Contains("Gateway:Mcp:SessionMode", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_Fails_WhenAllowedOriginIsNotAnOrigin()
    {
        using var factory = new GatewayFactory().With("Gateway:Mcp:AllowedOrigins:0", "app.example.com/path");
        var error = Record.Exception(() => factory.BaseAddress);
        Assert.NotNull(error);
        Assert.Contains("Gateway:Mcp:AllowedOrigins", Flatten(error), StringComparison.Ordinal);
    }

    private static string Flatten(Exception error)
    {
        var text = "";
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            text += e.Message + "\n";
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    text += Flatten(inner);
                }
            }
        }

        return text;
    }
}
