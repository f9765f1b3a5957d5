namespace Assistiv.Platform.Common;

/// <summary>Time helpers shared by the storage layer and the wire formats.</summary>
public static class Clock
{
    /// <summary>
    /// The current UTC time truncated to whole milliseconds, the precision of every stored and serialized timestamp
    /// (API.md §0.1), so that a value read back from either database equals the value written.
    /// </summary>
    /// <param name="time">The clock.</param>
    public static DateTimeOffset UtcNowMs(this TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        // UtcTicks, not Ticks: a provider (a test's FakeTimeProvider) may report the instant with a non-zero offset.
        var ticks = time.GetUtcNow().UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
