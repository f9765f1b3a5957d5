namespace Assistiv.Tests.Common;

/// <summary>Generous limits in one place (CI machines have 2 cores; STYLE.md §7).</summary>
internal static class TestConstants
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> until it holds or the timeout passes (a "does not hang" guard, not a timing assertion).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, cts.Token);
        }
    }
}
