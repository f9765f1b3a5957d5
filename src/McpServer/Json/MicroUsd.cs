using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Assistiv.McpServer.Json;

/// <summary>
/// A money amount in integer micro-USD that serializes as a JSON number with exactly 6 decimals (API.md §5.1); the
/// only place where micro-dollars become decimal text. Never a binary floating point.
/// </summary>
[JsonConverter(typeof(MicroUsdConverter))]
internal readonly record struct MicroUsd(long Micros)
{
    public static MicroUsd? From(long? micros) => micros is { } m ? new MicroUsd(m) : null;

    /// <summary>6-decimal text, e.g. <c>12.345678</c>, <c>-0.000001</c>.</summary>
    public override string ToString()
    {
        var abs = Micros < 0 ? -(decimal)Micros : Micros;
        var text = (abs / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);
        return Micros < 0 ? "-" + text : text;
    }
}

internal sealed class MicroUsdConverter : JsonConverter<MicroUsd>
{
    public override MicroUsd Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        MoneyParser.TryParse(reader, out var micros) ? new MicroUsd(micros) : throw new JsonException("Invalid money amount.");

    public override void Write(Utf8JsonWriter writer, MicroUsd value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(value.ToString(), skipInputValidation: true);
    }
}

/// <summary>Reads a JSON number as exact micro-USD without a floating-point round trip (API.md §5.1).</summary>
internal static class MoneyParser
{
    /// <summary>Parses a number token with at most 6 decimals; false for strings, exponents that lose digits, or more decimals.</summary>
    public static bool TryParse(Utf8JsonReader reader, out long micros)
    {
        micros = 0;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var value))
        {
            return false;
        }

        return TryFromDecimal(value, out micros);
    }

    /// <summary>Parses a JSON element that must be a number with at most 6 decimals.</summary>
    public static bool TryParse(JsonElement element, out long micros)
    {
        micros = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var value) && TryFromDecimal(value, out micros);
    }

    private static bool TryFromDecimal(decimal value, out long micros)
    {
        micros = 0;
        var scaled = value * 1_000_000m;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
        {
            return false;
        }

        micros = (long)scaled;
        return true;
    }
}
