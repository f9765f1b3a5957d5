using System.Text;
using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Json.Schema;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// Validates <c>tools/call</c> arguments against the tool's catalogue <c>inputSchema</c> with JsonSchema.Net before
/// anything binds them (API.md §8.5). Failures name the argument path in the style of API.md §11.1 <c>param</c>
/// (<c>labels[0]</c>, <c>files.notes</c>), so the model can correct the call.
/// </summary>
internal static class ArgumentValidator
{
    private const int MaxReported = 5;

    /// <summary>
    /// The one options instance every evaluation uses. JsonSchema.Net 7.4 caches a schema's evaluation structures per
    /// options instance and rebuilds them when another instance arrives, which races under parallel calls
    /// (json-everything/json-everything#929); the catalogue warms each schema up with this same instance at start-up.
    /// </summary>
    internal static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    /// <returns>Null when valid, else the message after <c>[invalid_arguments] </c>.</returns>
    public static string? Validate(ToolDescriptor tool, JsonElement arguments)
    {
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return $"arguments: must be a JSON object, not {Describe(arguments.ValueKind)}.";
        }

        var results = tool.InputValidator.Evaluate(arguments, Options);
        if (results.IsValid)
        {
            return null;
        }

        var problems = new List<string>();
        foreach (var detail in results.Details)
        {
            if (!detail.HasErrors)
            {
                continue;
            }

            foreach (var (keyword, message) in detail.Errors!)
            {
                var path = InstancePath(arguments, detail.InstanceLocation.ToString());
                var problem = Describe(tool, keyword, message, path, detail.EvaluationPath.ToString());
                if (!problems.Contains(problem))
                {
                    problems.Add(problem);
                }
            }
        }

        if (problems.Count == 0)
        {
            problems.Add("arguments: do not match the tool's input schema.");
        }

        var sb = new StringBuilder();
        for (var i = 0; i < problems.Count && i < MaxReported; i++)
        {
            sb.Append(i == 0 ? "" : "; ").Append(problems[i]);
        }

        if (problems.Count > MaxReported)
        {
            sb.Append("; and ").Append(problems.Count - MaxReported).Append(" more");
        }

        return sb.ToString();
    }

    private static string Describe(ToolDescriptor tool, string keyword, string message, string path, string evaluationPath)
    {
        switch (keyword)
        {
            case "required":
                // "Required properties ["owner","repo"] are not present"
                var start = message.IndexOf('[', StringComparison.Ordinal);
                var end = message.LastIndexOf(']');
                if (start >= 0 && end > start)
                {
                    try
                    {
                        var names = JsonSerializer.Deserialize(message.AsSpan(start, end - start + 1), ConnectorsJsonContext.Default.StringArray);
                        if (names is { Length: > 0 })
                        {
                            var prefix = path == "arguments" ? "" : path + ".";
                            return string.Join("; ", Array.ConvertAll(names, n => $"{prefix}{n}: required argument is missing"));
                        }
                    }
                    catch (JsonException)
                    {
                    }
                }

                return $"{path}: {message}";
            case "":
            case "additionalProperties" when evaluationPath.EndsWith("/additionalProperties", StringComparison.Ordinal):
                if (evaluationPath == "/additionalProperties")
                {
                    return $"{path}: unknown argument (allowed: {AllowedArguments(tool)})";
                }

                return $"{path}: not allowed here";
            case "enum":
                return $"{path}: must be one of {EnumValues(tool.InputSchema, evaluationPath) ?? "the allowed values"}";
            default:
                return $"{path}: {message}";
        }
    }

    private static string AllowedArguments(ToolDescriptor tool)
    {
        if (!tool.InputSchema.TryGetProperty("properties", out var props))
        {
            return "none";
        }

        var names = new List<string>();
        foreach (var p in props.EnumerateObject())
        {
            names.Add(p.Name);
        }

        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    private static string? EnumValues(JsonElement schema, string evaluationPath)
    {
        var node = schema;
        foreach (var segment in evaluationPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(key, out var child))
            {
                node = child;
            }
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(key, out var i) && i < node.GetArrayLength())
            {
                node = node[i];
            }
            else
            {
                return null;
            }
        }

        if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty("enum", out var values) || values.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var list = new List<string>();
        foreach (var v in values.EnumerateArray())
        {
            list.Add(v.GetRawText());
        }

        return string.Join(", ", list);
    }

    // JSON Pointer → "labels[0]", "files.notes"; the root is "arguments".
    private static string InstancePath(JsonElement root, string pointer)
    {
        if (pointer.Length == 0 || pointer == "/")
        {
            return "arguments";
        }

        var sb = new StringBuilder();
        var node = root;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind == JsonValueKind.Array && int.TryParse(key, out var index))
            {
                sb.Append('[').Append(index).Append(']');
                node = index < node.GetArrayLength() ? node[index] : default;
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append(key);
                node = node.ValueKind == JsonValueKind.Object && node.TryGetProperty(key, out var child) ? child : default;
            }
        }

        return sb.ToString();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };
}
