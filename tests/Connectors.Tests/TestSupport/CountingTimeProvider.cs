using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>A <see cref="FakeTimeProvider"/> that records the due time of every timer created, so a test can wait
/// until the code under test has started a wait before advancing the clock.</summary>
public sealed class CountingTimeProvider : FakeTimeProvider
{
    public CountingTimeProvider()
        : base(new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero))
    {
    }

    public ConcurrentQueue<TimeSpan> TimerDueTimes { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        TimerDueTimes.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
