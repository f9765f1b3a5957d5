namespace Assistiv.McpServer.Mcp;

/// <summary>Protocol constants the gateway's HTTP rules need (API.md §8.2; MCP Streamable HTTP).</summary>
internal static class McpProtocol
{
    public const string SessionIdHeader = "Mcp-Session-Id";
    public const string ProtocolVersionHeader = "MCP-Protocol-Version";

    /// <summary>The first revision without <c>initialize</c>, carrying version and capabilities in each request's <c>_meta</c>.</summary>
    public const string PerRequestVersion = "2026-07-28";

    /// <summary>Both media types the SDK insists on (it answers 406 otherwise).</summary>
    public const string NormalizedAccept = "application/json, text/event-stream";

    /// <summary>
    /// API.md §8.2: a request is 2026-07-28 when its <c>MCP-Protocol-Version</c> header says so; revisions are dates, so a
    /// later one compares greater.
    /// </summary>
    public static bool IsPerRequestEra(string? version) =>
        version is { Length: 10 } && string.CompareOrdinal(version, PerRequestVersion) >= 0;

    /// <summary>
    /// The exact HTTP 404 body of API.md §8.2 for an unknown <c>Mcp-Session-Id</c> (<c>id</c> is null, unlike the SDK's),
    /// so spec-following clients re-initialize.
    /// </summary>
    public static ReadOnlySpan<byte> SessionNotFoundBody =>
        """{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}"""u8;
}
