namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>Polls a condition against a real-time deadline (STYLE.md §7: the only timing allowed is "does not hang").</summary>
public static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > (timeout ?? DefaultTimeout))
            {
                throw new TimeoutException("The condition did not become true in time.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, cancellationToken);
        }
    }
}
