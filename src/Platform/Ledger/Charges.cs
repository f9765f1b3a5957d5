namespace Assistiv.Platform.Ledger;

/// <summary>Charge arithmetic of API.md §5.7 in integer micro-USD, rounding up to the next micro-dollar.</summary>
public static class Charges
{
    /// <summary>The budget side of a wallet amount: ⌈amount × (1 + markup/100)⌉ (API.md §5.7).</summary>
    /// <param name="walletMicros">Wallet amount (provider cost or hold), micro-USD, ≥ 0.</param>
    /// <param name="markupPercentage">The platform's <c>markup_percentage</c>, 0–1000.</param>
    /// <returns>Budget amount in micro-USD.</returns>
    public static long WithMarkup(long walletMicros, decimal markupPercentage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(walletMicros);
        if (markupPercentage == 0)
        {
            return walletMicros;
        }

        // decimal keeps 28 digits: exact for any realistic amount (≤ 10^12 µ$) times a markup with ≤ 4 decimals.
        var value = walletMicros * (100m + markupPercentage) / 100m;
        return (long)decimal.Ceiling(value);
    }
}
