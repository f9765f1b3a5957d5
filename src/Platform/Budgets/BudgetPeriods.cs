namespace Assistiv.Platform.Budgets;

/// <summary>Budget period windows in UTC (API.md §5.3).</summary>
public static class BudgetPeriods
{
    /// <summary>Never resets; the window starts at creation and has no end.</summary>
    public const string OneTime = "one_time";

    /// <summary>[00:00 UTC, next 00:00 UTC).</summary>
    public const string Daily = "daily";

    /// <summary>[1st 00:00 UTC, next 1st 00:00 UTC).</summary>
    public const string Monthly = "monthly";

    /// <summary>True for the three period names.</summary>
    /// <param name="period">A candidate value.</param>
    public static bool IsValid(string? period) => period is OneTime or Daily or Monthly;

    /// <summary>Start of the window of <paramref name="period"/> that contains <paramref name="now"/>.</summary>
    /// <param name="period">Period name.</param>
    /// <param name="now">An instant.</param>
    /// <returns>For <c>one_time</c>, <paramref name="now"/> itself.</returns>
    public static DateTimeOffset WindowStart(string period, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return period switch
        {
            Daily => new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero),
            Monthly => new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero),
            _ => utc,
        };
    }

    /// <summary>Exclusive end of the window that starts at <paramref name="start"/>; null for <c>one_time</c>.</summary>
    /// <param name="period">Period name.</param>
    /// <param name="start">A window start.</param>
    public static DateTimeOffset? WindowEnd(string period, DateTimeOffset start) => period switch
    {
        Daily => start.AddDays(1),
        Monthly => start.AddMonths(1),
        _ => null,
    };
}
