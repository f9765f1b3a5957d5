using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The <c>params.arguments</c> of a <c>tools/call</c> as one JSON object for the broker, plus its SHA-256 for the
/// <c>requestState</c> binding. Top-level keys are written in ordinal order and values compactly, so a client that
/// re-serializes the same arguments with other whitespace or key order still matches.
/// </summary>
internal sealed class ToolArguments : IDisposable
{
    private readonly JsonDocument? _document;

    private ToolArguments(JsonDocument? document, string sha256)
    {
        _document = document;
        Sha256 = sha256;
    }

    /// <summary>The arguments object, or null when the request had none.</summary>
    public JsonElement? Element => _document?.RootElement;

    /// <summary>Lowercase hex SHA-256 of the canonical form (<c>{}</c> when absent).</summary>
    public string Sha256 { get; }

    public static ToolArguments From(IDictionary<string, JsonElement>? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (arguments is { Count: > 0 })
            {
                var keys = new string[arguments.Count];
                arguments.Keys.CopyTo(keys, 0);
                Array.Sort(keys, StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    writer.WritePropertyName(key);
                    arguments[key].WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
        return new ToolArguments(arguments is null ? null : JsonDocument.Parse(buffer.WrittenMemory), hash);
    }

    public void Dispose() => _document?.Dispose();
}
