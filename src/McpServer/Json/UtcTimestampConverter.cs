using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Assistiv.McpServer.Json;

/// <summary>RFC 3339 in UTC with <c>Z</c> and milliseconds, e.g. <c>2026-05-01T00:00:00.000Z</c> (API.md §0.1).</summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[24];
        value.UtcDateTime.TryFormat(buffer, out var n, Format, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..n]);
    }

    public static string ToWire(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}
