using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// Result text rules of API.md §8.3: compact JSON, at most 100,000 characters (longer → cut with <c>…[truncated]</c>);
/// list results are <c>{"items": [...], "has_more": bool, "next": {...} | null, "total": int | null}</c> and never cut
/// silently: a list that would not fit returns fewer items with <c>has_more: true</c>.
/// </summary>
internal static class ToolResults
{
    public const int MaxTextLength = 100_000;
    public const string TruncationMarker = "…[truncated]";

    // Readable output for models: no \uXXXX for non-ASCII text. The text goes into a JSON-RPC string, which is
    // escaped again by the MCP layer, so relaxed escaping is safe here.
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    public static string Serialize(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Cuts text longer than the limit, marking the cut (API.md §8.3).</summary>
    public static string Truncate(string text, int maxLength = MaxTextLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var keep = maxLength - TruncationMarker.Length;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, Math.Max(keep, 0)), TruncationMarker);
    }

    /// <summary>Caps one string field so that one huge value (a file, a diff, a patch) cannot crowd out the rest.</summary>
    public static string CapField(string value, int maxLength, out bool truncated)
    {
        truncated = value.Length > maxLength;
        return truncated ? Truncate(value, maxLength) : value;
    }

    /// <summary>An object result: its compact JSON as text, and as <c>structuredContent</c> when the tool declares an output schema.</summary>
    public static ConnectorResult Object(JsonObject value, bool structured) =>
        ConnectorResult.Success(Truncate(Serialize(value)), structured ? value : null);

    /// <summary>
    /// A page-numbered list (GitHub): <c>next</c> is <c>{"page": page + 1}</c> when the upstream has more. When the page
    /// does not fit the limit, the result keeps the first <c>k</c> items, where <c>k</c> divides the page's offset, and
    /// <c>next</c> becomes <c>{"page": offset / k + 2, "per_page": k}</c>, so no item is skipped (docs/decisions/0013).
    /// </summary>
    public static ConnectorResult PagedList(IReadOnlyList<JsonNode> items, int page, int perPage, bool upstreamHasMore, long? total)
    {
        var text = Serialize(Envelope(items, items.Count, upstreamHasMore ? NextPage(page + 1, null) : null, total));
        if (text.Length <= MaxTextLength)
        {
            return ConnectorResult.Success(text);
        }

        var fit = CountFitting(items, total);
        var offset = (long)(page - 1) * perPage;
        var keep = Math.Max(fit, 1);
        while (keep > 1 && offset % keep != 0)
        {
            keep--;
        }

        if (fit == 0)
        {
            // A single item above the limit: cap its longest strings (marked) so the list stays valid JSON.
            items = [ShrinkStrings(items[0], MaxTextLength - 200)];
        }

        var next = NextPage((int)(offset / keep) + 2, keep);
        return ConnectorResult.Success(Truncate(Serialize(Envelope(items, keep, next, total))));
    }

    private static JsonObject NextPage(int page, int? perPage)
    {
        var next = new JsonObject { ["page"] = page };
        if (perPage is { } p)
        {
            next["per_page"] = p;
        }

        return next;
    }

    private static JsonObject Envelope(IReadOnlyList<JsonNode> items, int count, JsonObject? next, long? total)
    {
        var array = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            array.Add(items[i].DeepClone());
        }

        return new JsonObject
        {
            ["items"] = array,
            ["has_more"] = next is not null,
            ["next"] = next,
            ["total"] = total is { } t ? JsonValue.Create(t) : null,
        };
    }

    private static int CountFitting(IReadOnlyList<JsonNode> items, long? total)
    {
        // Envelope overhead with a generous next/total allowance.
        var budget = MaxTextLength - 120;
        var used = 0;
        for (var i = 0; i < items.Count; i++)
        {
            used += Serialize(items[i]).Length + 1;
            if (used > budget)
            {
                return i;
            }
        }

        return items.Count;
    }

    private static JsonNode ShrinkStrings(JsonNode item, int budget)
    {
        var copy = item.DeepClone();
        while (Serialize(copy).Length > budget)
        {
            var (parent, key, length) = FindLongestString(copy, null, null, (null, null, 0));
            if (parent is null || length < 200)
            {
                return JsonValue.Create(Truncate(Serialize(copy), budget))!;
            }

            var excess = Serialize(copy).Length - budget;
            var value = parent[key!]!.GetValue<string>();
            parent[key!] = Truncate(value, Math.Max(100, value.Length - excess - TruncationMarker.Length));
            parent["truncated"] = true;
        }

        return copy;
    }

    private static (JsonObject? Parent, string? Key, int Length) FindLongestString(JsonNode? node, JsonObject? parent, string? key, (JsonObject?, string?, int) best)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (k, v) in obj)
                {
                    best = FindLongestString(v, obj, k, best);
                }

                return best;
            case JsonArray arr:
                foreach (var v in arr)
                {
                    best = FindLongestString(v, null, null, best);
                }

                return best;
            case JsonValue value when parent is not null && value.GetValueKind() == JsonValueKind.String:
                var length = value.GetValue<string>().Length;
                return length > best.Item3 ? (parent, key, length) : best;
            default:
                return best;
        }
    }
}
