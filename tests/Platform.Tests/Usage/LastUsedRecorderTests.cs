using Assistiv.Platform.Usage;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.Platform.Tests.Usage;

/// <summary>API.md §2.2: <c>last_used_at</c> is written at most once per minute per key (and per connection).</summary>
public sealed class LastUsedRecorderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    private static List<(Guid Id, string? App, long At)> Drain(LastUsedRecorder recorder)
    {
        var seen = new List<(Guid, string?, long)>();
        while (recorder.Reader.TryRead(out var t))
        {
            seen.Add((t.Id, t.App, t.AtUnixMs));
        }

        return seen;
    }

    [Fact]
    public void KeyUses_AreQueuedOncePerMinutePerKey()
    {
        var recorder = new LastUsedRecorder(_time);
        var a = Guid.CreateVersion7();
        var b = Guid.CreateVersion7();
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds();

        recorder.KeyUsed(a);
        recorder.KeyUsed(a);
        recorder.KeyUsed(b);
        _time.Advance(TimeSpan.FromSeconds(59.999));
        recorder.KeyUsed(a);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        recorder.KeyUsed(a);

        Assert.Equal([(a, null, start), (b, null, start), (a, null, start + 60_000)], Drain(recorder));
    }

    [Fact]
    public void ConnectionUses_AreKeyedByEndUserAndApp()
    {
        var recorder = new LastUsedRecorder(_time);
        var user = Guid.CreateVersion7();
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds();

        recorder.ConnectionUsed(user, "github");
        recorder.ConnectionUsed(user, "github");
        recorder.ConnectionUsed(user, "mock");
        // A key with the same Guid is a different thing.
        recorder.KeyUsed(user);

        Assert.Equal([(user, "github", start), (user, "mock", start), (user, null, start)], Drain(recorder));
    }

    [Fact]
    public async Task ConcurrentUses_InOneMinute_QueueExactlyOne()
    {
        var recorder = new LastUsedRecorder(_time);
        var key = Guid.CreateVersion7();

        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => recorder.KeyUsed(key), TestContext.Current.CancellationToken)));

        Assert.Single(Drain(recorder));
    }
}
