using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Assistiv.Platform.Idempotency;

/// <summary>
/// The body fingerprint of API.md §11.3: SHA-256 of the body re-serialized canonically (object keys sorted by ordinal,
/// no insignificant whitespace, numbers as written, strings re-escaped one fixed way) when it parses as JSON, else of
/// the raw bytes; an empty body fingerprints as empty. So <c>{"b":1, "a":"x"}</c> and <c>{"a":"\u0078","b":1}</c>
/// match, while <c>1.0</c> and <c>1</c> do not (numbers are kept as written).
/// </summary>
public static class RequestFingerprint
{
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = false,
        // One fixed escaping, so two spellings of the same string hash alike.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Lowercase hex SHA-256 of the canonical form of <paramref name="body"/>.</summary>
    /// <param name="body">The raw request body.</param>
    public static string Compute(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return Convert.ToHexStringLower(SHA256.HashData(body));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return Convert.ToHexStringLower(SHA256.HashData(body));
        }

        using (doc)
        {
            var buffer = new ArrayBufferWriter<byte>(body.Length + 16);
            using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
            {
                Write(writer, doc.RootElement);
            }

            return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
        }
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new List<JsonProperty>();
                foreach (var p in element.EnumerateObject())
                {
                    properties.Add(p);
                }

                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var p in properties)
                {
                    writer.WritePropertyName(p.Name);
                    Write(writer, p.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
