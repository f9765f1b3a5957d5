using System.Text.Json.Serialization;

namespace Assistiv.Platform.Tenancy;

/// <summary>
/// A tool policy (API.md §8.7): <c>{"allowed_tools": [names or "{app}_*"] | null, "read_only": bool}</c>. It exists on
/// the platform, the end user and the end-user key; the effective policy of a request is their intersection.
/// </summary>
/// <param name="AllowedTools">Tool names or <c>{app}_*</c> wildcards; <see langword="null"/> allows every tool.</param>
/// <param name="ReadOnly">When true only tools whose <c>readOnlyHint</c> is true are visible.</param>
public sealed record ToolPolicy(
    [property: JsonPropertyName("allowed_tools")] IReadOnlyList<string>? AllowedTools,
    [property: JsonPropertyName("read_only")] bool ReadOnly)
{
    /// <summary>The default policy: every tool, read and write.</summary>
    public static ToolPolicy Default { get; } = new(null, false);

    /// <summary>True when the policy restricts nothing.</summary>
    [JsonIgnore]
    public bool IsUnrestricted => AllowedTools is null && !ReadOnly;

    /// <summary>Whether a tool passes this one policy.</summary>
    /// <param name="app">The tool's app id (e.g. <c>github</c>).</param>
    /// <param name="toolName">The tool's name (e.g. <c>github_get_me</c>).</param>
    /// <param name="readOnlyHint">The tool's <c>readOnlyHint</c> annotation.</param>
    public bool Allows(string app, string toolName, bool readOnlyHint)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(toolName);
        if (ReadOnly && !readOnlyHint)
        {
            return false;
        }

        if (AllowedTools is null)
        {
            return true;
        }

        foreach (var entry in AllowedTools)
        {
            if (string.Equals(entry, toolName, StringComparison.Ordinal))
            {
                return true;
            }

            // "{app}_*" matches every tool of that app.
            if (entry.Length == app.Length + 2 && entry.EndsWith("_*", StringComparison.Ordinal)
                && entry.AsSpan(0, app.Length).SequenceEqual(app))
            {
                return true;
            }
        }

        return false;
    }
}
