using Assistiv.Platform.Budgets;
using Assistiv.Platform.Ledger;

namespace Assistiv.Platform.Tests.Money;

/// <summary>Pure money helpers: windows (API.md §5.3), 6-decimal text (§5.1), markup (§5.7), cursors (§0.2).</summary>
public sealed class MoneyUnitTests
{
    [Theory]
    // API.md §5.3: daily [00:00 UTC, next 00:00 UTC); monthly [1st 00:00 UTC, next 1st 00:00 UTC).
    [InlineData("daily", "2026-05-31T23:59:59.999+00:00", "2026-05-31T00:00:00+00:00", "2026-06-01T00:00:00+00:00")]
    [InlineData("daily", "2026-06-01T01:30:00+02:00", "2026-05-31T00:00:00+00:00", "2026-06-01T00:00:00+00:00")]
    [InlineData("monthly", "2026-12-15T08:00:00+00:00", "2026-12-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")]
    [InlineData("monthly", "2028-02-29T23:00:00+00:00", "2028-02-01T00:00:00+00:00", "2028-03-01T00:00:00+00:00")]
    public void Window_IsTheUtcDayOrMonth(string period, string now, string start, string end)
    {
        var s = BudgetPeriods.WindowStart(period, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), s);
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), BudgetPeriods.WindowEnd(period, s));
        Assert.Equal(TimeSpan.Zero, s.Offset);
    }

    [Fact]
    public void OneTime_HasNoEnd()
    {
        var now = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(now, BudgetPeriods.WindowStart(BudgetPeriods.OneTime, now));
        Assert.Null(BudgetPeriods.WindowEnd(BudgetPeriods.OneTime, now));
    }

    [Theory]
    // API.md §5.1: exactly 6 fractional digits.
    [InlineData(5_000_000, "5.000000")]
    [InlineData(175, "0.000175")]
    [InlineData(-1, "-0.000001")]
    [InlineData(0, "0.000000")]
    [InlineData(1_000_000_000_000, "1000000.000000")]
    [InlineData(long.MinValue, "-9223372036854.775808")]
    public void MicroUsdText_FormatsSixDecimals(long micros, string text) => Assert.Equal(text, MicroUsdText.Format(micros));

    [Theory]
    [InlineData("0.001", true, 1_000)]
    [InlineData("12.5", true, 12_500_000)]
    [InlineData("0.0000001", false, 0)]
    [InlineData("-1", false, 0)]
    [InlineData("1e3", false, 0)]
    public void MicroUsdText_ParsesExactly(string text, bool ok, long micros)
    {
        Assert.Equal(ok, MicroUsdText.TryParse(text, out var m));
        Assert.Equal(micros, m);
    }

    [Theory]
    // API.md §5.7 example (markup 15): 0.000220 → 0.000253; 0.000118 → ⌈0.0001357⌉ = 0.000136.
    [InlineData(220, 15, 253)]
    [InlineData(118, 15, 136)]
    [InlineData(1_000, 0, 1_000)]
    [InlineData(1, 0.5, 2)]
    [InlineData(0, 1000, 0)]
    public void Markup_RoundsUpToTheMicroDollar(long wallet, double markup, long budget) =>
        Assert.Equal(budget, Charges.WithMarkup(wallet, (decimal)markup));

    [Fact]
    public void Cursor_RoundTrips_AndRejectsForeignText()
    {
        var cursor = new LedgerCursor(1_777_000_000_123, Guid.CreateVersion7(), Ascending: true);
        Assert.True(LedgerCursor.TryDecode(cursor.Encode(), out var back));
        Assert.Equal(cursor, back);
        Assert.False(LedgerCursor.TryDecode("not-a-cursor", out _));
        Assert.False(LedgerCursor.TryDecode("", out _));
    }

    [Fact]
    public void MonotonicIds_IncreaseWithinOneMillisecond()
    {
        var now = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 5000).Select(_ => MonotonicIds.Next(now)).ToList();
        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(ids[i].CompareTo(ids[i - 1]) > 0);
            // Lowercase text order (how SQLite stores them) agrees.
            Assert.True(string.CompareOrdinal(ids[i].ToString("D"), ids[i - 1].ToString("D")) > 0);
        }

        Assert.Equal(7, ids[0].Version);
    }
}
