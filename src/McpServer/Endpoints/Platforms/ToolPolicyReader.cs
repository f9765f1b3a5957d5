using System.Text.Json;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// Validates a <c>tool_policy</c> object (API.md §8.7): <c>allowed_tools</c> null or ≤ 100 distinct entries, each a
/// catalogue tool name or <c>{app}_*</c> of a catalogue app; <c>read_only</c> a boolean. Errors name the JSON path, e.g.
/// <c>tool_policy.allowed_tools[2]</c>.
/// </summary>
internal static class ToolPolicyReader
{
    /// <summary>Reads the policy at <paramref name="path"/>; JSON null returns <see langword="null"/> (restore default).</summary>
    public static ToolPolicy? Read(FieldReader fields, JsonElement value, string path, IToolNames names)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            fields.Fail(path, $"'{path}' must be an object or null.");
            return null;
        }

        var inner = new FieldReader(value, path);
        var readOnly = inner.Bool("read_only") ?? false;
        List<string>? allowed = null;
        if (inner.Error is null && value.TryGetProperty("allowed_tools", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                inner.Fail(path + ".allowed_tools", $"'{path}.allowed_tools' must be an array or null.");
            }
            else
            {
                allowed = [];
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var itemPath = $"{path}.allowed_tools[{i}]";
                    if (item.ValueKind != JsonValueKind.String || !IsKnown(item.GetString()!, names) || !seen.Add(item.GetString()!))
                    {
                        inner.Fail(itemPath, $"'{itemPath}' must be a distinct catalogue tool name or '{{app}}_*'.");
                        break;
                    }

                    allowed.Add(item.GetString()!);
                    i++;
                }

                if (inner.Error is null && allowed.Count > 100)
                {
                    inner.Fail(path + ".allowed_tools", $"'{path}.allowed_tools' holds at most 100 entries.");
                }
            }
        }

        if (inner.Error is not null)
        {
            fields.Fail(inner.Error.Param ?? path, inner.Error.Message);
            return null;
        }

        return new ToolPolicy(allowed, readOnly);
    }

    private static bool IsKnown(string entry, IToolNames names) =>
        entry.EndsWith("_*", StringComparison.Ordinal) ? names.IsApp(entry[..^2]) : names.IsTool(entry);
}

/// <summary>What the policy validator needs to know of the connector catalogue.</summary>
internal interface IToolNames
{
    bool IsTool(string name);

    bool IsApp(string app);
}
