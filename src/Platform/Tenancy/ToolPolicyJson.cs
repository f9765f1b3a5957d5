using System.Text.Json;

namespace Assistiv.Platform.Tenancy;

/// <summary>Reads and writes the stored JSON form of <see cref="ToolPolicy"/>.</summary>
public static class ToolPolicyJson
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.General);

    /// <summary>Parses a stored policy; null or empty text is the default policy.</summary>
    /// <param name="json">Stored JSON or null.</param>
    public static ToolPolicy Parse(string? json) =>
        string.IsNullOrEmpty(json) ? ToolPolicy.Default : JsonSerializer.Deserialize<ToolPolicy>(json, s_options) ?? ToolPolicy.Default;

    /// <summary>Serializes a policy for storage; the default policy is stored as null.</summary>
    /// <param name="policy">The policy or null.</param>
    public static string? Serialize(ToolPolicy? policy) =>
        policy is null || policy.IsUnrestricted ? null : JsonSerializer.Serialize(policy, s_options);
}
