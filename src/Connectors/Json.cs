using System.Text.Json;
using System.Text.Json.Nodes;

namespace Assistiv.Connectors;

/// <summary>Small readers over GitHub's JSON and the validated tool arguments.</summary>
internal static class Json
{
    public static JsonNode? ToNode(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => JsonValue.Create(e.GetString()),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? JsonValue.Create(l) : JsonValue.Create(e.GetDouble()),
        JsonValueKind.True => JsonValue.Create(true),
        JsonValueKind.False => JsonValue.Create(false),
        JsonValueKind.Object or JsonValueKind.Array => JsonNode.Parse(e.GetRawText()),
        _ => null,
    };

    /// <summary>Copies the named properties that exist in <paramref name="source"/> (nulls included).</summary>
    public static JsonObject Pick(JsonElement source, params ReadOnlySpan<string> names)
    {
        var target = new JsonObject();
        Copy(target, source, names);
        return target;
    }

    public static void Copy(JsonObject target, JsonElement source, params ReadOnlySpan<string> names)
    {
        if (source.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var name in names)
        {
            if (source.TryGetProperty(name, out var value))
            {
                target[name] = ToNode(value);
            }
        }
    }

    public static JsonElement? Prop(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? Str(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static int Int(this JsonElement e, string name, int fallback) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var i) ? i : fallback;

    public static bool? Bool(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;

    public static bool Has(this JsonElement e, string name) => e.Prop(name) is not null;

    /// <summary>The <c>login</c> of a nested user object, or null.</summary>
    public static JsonNode? Login(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Object } user && user.Str("login") is { } login ? JsonValue.Create(login) : null;

    /// <summary>An array of one string field of each element (<c>labels[].name</c>, <c>assignees[].login</c>).</summary>
    public static JsonArray Names(this JsonElement e, string arrayName, string field)
    {
        var result = new JsonArray();
        if (e.Prop(arrayName) is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var item in array.EnumerateArray())
            {
                var value = item.ValueKind == JsonValueKind.String ? item.GetString() : item.Str(field);
                if (value is not null)
                {
                    result.Add(value);
                }
            }
        }

        return result;
    }

    public static JsonArray? StringArray(this JsonElement e, string name)
    {
        if (e.Prop(name) is not { ValueKind: JsonValueKind.Array } array)
        {
            return null;
        }

        var result = new JsonArray();
        foreach (var item in array.EnumerateArray())
        {
            result.Add(item.GetString());
        }

        return result;
    }
}
