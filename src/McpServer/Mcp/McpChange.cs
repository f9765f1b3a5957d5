using System.Text.Json.Serialization;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// Something that changes what open MCP sessions list or must be told (API.md §8.6, §9.2 step 8), as it travels between
/// instances (PostgreSQL <c>NOTIFY</c> payload; docs/decisions/0083-mcp-session-notifications.md).
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="PlatformId">The platform.</param>
/// <param name="EndUserId">The end user (<see cref="McpChangeKind.EndUser"/>, <see cref="McpChangeKind.ElicitationComplete"/>).</param>
/// <param name="KeyId">The key (<see cref="McpChangeKind.Key"/>).</param>
/// <param name="ElicitationId">The completed elicitation (<see cref="McpChangeKind.ElicitationComplete"/>).</param>
/// <param name="Origin">The publishing instance's nonce, so an instance skips its own notifications.</param>
internal sealed record McpChange(
    [property: JsonPropertyName("k")] McpChangeKind Kind,
    [property: JsonPropertyName("p")] Guid PlatformId,
    [property: JsonPropertyName("u")] Guid? EndUserId = null,
    [property: JsonPropertyName("i")] Guid? KeyId = null,
    [property: JsonPropertyName("e")] string? ElicitationId = null,
    [property: JsonPropertyName("o")] string? Origin = null)
{
    /// <summary>Apps activated or deactivated, or the platform's tool policy changed: every session of the platform.</summary>
    public static McpChange Platform(Guid platformId) => new(McpChangeKind.Platform, platformId);

    /// <summary>The end user's tool policy changed: that user's sessions.</summary>
    public static McpChange EndUser(Guid platformId, Guid endUserId) => new(McpChangeKind.EndUser, platformId, endUserId);

    /// <summary>An end-user key's tool policy changed: the sessions that key opened.</summary>
    public static McpChange Key(Guid platformId, Guid keyId) => new(McpChangeKind.Key, platformId, KeyId: keyId);

    /// <summary>A connect that answered an elicitation completed: that user's sessions are told.</summary>
    public static McpChange Elicitation(Guid platformId, Guid endUserId, string elicitationId) =>
        new(McpChangeKind.ElicitationComplete, platformId, endUserId, ElicitationId: elicitationId);

    /// <summary>Every open session re-reads its list (after this instance may have missed notifications).</summary>
    public static McpChange Everything { get; } = new(McpChangeKind.All, Guid.Empty);

    public bool Selects(McpSession session) => Kind switch
    {
        McpChangeKind.All => true,
        McpChangeKind.Platform => session.PlatformId == PlatformId,
        McpChangeKind.EndUser or McpChangeKind.ElicitationComplete => session.PlatformId == PlatformId && session.EndUserId == EndUserId,
        McpChangeKind.Key => session.PlatformId == PlatformId && session.KeyId == KeyId,
        _ => false,
    };
}

/// <summary>The kinds of <see cref="McpChange"/> (numbers are the wire form).</summary>
internal enum McpChangeKind
{
    All = 0,
    Platform = 1,
    EndUser = 2,
    Key = 3,
    ElicitationComplete = 4,
}

[JsonSerializable(typeof(McpChange))]
internal sealed partial class McpChangeJsonContext : JsonSerializerContext;
