using System.Globalization;

namespace Assistiv.Platform.Ledger;

/// <summary>Micro-USD as decimal text with exactly 6 fractional digits (API.md §5.1), without floating point.</summary>
public static class MicroUsdText
{
    /// <summary>E.g. <c>1_500_000</c> → <c>1.500000</c>, <c>-1</c> → <c>-0.000001</c>.</summary>
    /// <param name="micros">Amount in micro-USD.</param>
    public static string Format(long micros)
    {
        var negative = micros < 0;
        // long.MinValue has no positive counterpart; money never gets near it, but stay exact anyway.
        var abs = negative ? (ulong)(-(micros + 1)) + 1 : (ulong)micros;
        var text = string.Create(CultureInfo.InvariantCulture, $"{abs / 1_000_000UL}.{abs % 1_000_000UL:D6}");
        return negative ? "-" + text : text;
    }

    /// <summary>Parses a configuration value such as <c>0.001</c> exactly; false for more than 6 decimals or negatives.</summary>
    /// <param name="text">Invariant decimal text.</param>
    /// <param name="micros">The amount.</param>
    public static bool TryParse(string? text, out long micros)
    {
        micros = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var scaled = value * 1_000_000m;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue)
        {
            return false;
        }

        micros = (long)scaled;
        return true;
    }
}
