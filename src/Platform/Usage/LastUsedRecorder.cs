using System.Collections.Concurrent;
using System.Threading.Channels;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Usage;

/// <summary>
/// Records <c>last_used_at</c> of API keys (API.md §2.2: at most once per minute per key) and of OAuth connections
/// (API.md §4.11, §9: a tool call that used the connection's token) without a database round trip on the request path:
/// a use inside the same minute as the last recorded one is dropped in memory, the rest is queued and written in the
/// background by <see cref="LastUsedWriter"/>. The written value is the time of the use, in whole milliseconds; a write
/// never moves the stored value backwards.
/// </summary>
public sealed class LastUsedRecorder
{
    /// <summary>The smallest gap between two writes for one key or connection (API.md §2.2).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private const int QueueCapacity = 10_000;

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Guid, long> _keys = new();
    private readonly ConcurrentDictionary<(Guid EndUserId, string App), long> _connections = new();
    private readonly Channel<Touch> _queue = Channel.CreateBounded<Touch>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    /// <summary>Creates the recorder.</summary>
    /// <param name="time">Clock.</param>
    public LastUsedRecorder(TimeProvider time) => _time = time;

    internal ChannelReader<Touch> Reader => _queue.Reader;

    /// <summary>Notes that the key authenticated a request now.</summary>
    /// <param name="keyId">The key's id.</param>
    public void KeyUsed(Guid keyId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Due(_keys, keyId, now))
        {
            _queue.Writer.TryWrite(new Touch(keyId, null, now));
        }
    }

    /// <summary>Notes that a tool call used the end user's connection to the app now.</summary>
    /// <param name="endUserId">The end user.</param>
    /// <param name="app">The catalogue app id.</param>
    public void ConnectionUsed(Guid endUserId, string app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Due(_connections, (endUserId, app), now))
        {
            _queue.Writer.TryWrite(new Touch(endUserId, app, now));
        }
    }

    private static bool Due<TKey>(ConcurrentDictionary<TKey, long> last, TKey key, long now)
        where TKey : notnull
    {
        var interval = (long)Interval.TotalMilliseconds;
        while (true)
        {
            if (!last.TryGetValue(key, out var previous))
            {
                if (last.TryAdd(key, now))
                {
                    return true;
                }

                continue;
            }

            if (now - previous < interval)
            {
                return false;
            }

            // One caller per minute wins the swap and writes; the others drop their use.
            if (last.TryUpdate(key, now, previous))
            {
                return true;
            }
        }
    }

    /// <summary>A queued use: a key (<see cref="App"/> null, <see cref="Id"/> the key id) or a connection (end user id and app).</summary>
    internal readonly record struct Touch(Guid Id, string? App, long AtUnixMs);
}

/// <summary>
/// Drains <see cref="LastUsedRecorder"/>'s queue and writes the uses: one conditional UPDATE per key or connection,
/// <c>SET last_used_at = @at WHERE … AND (last_used_at IS NULL OR last_used_at &lt; @at)</c>. A failed write is logged
/// (without ids of secrets) and dropped: <c>last_used_at</c> is informational.
/// </summary>
internal sealed partial class LastUsedWriter : BackgroundService
{
    private readonly LastUsedRecorder _recorder;
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly ILogger<LastUsedWriter> _logger;

    public LastUsedWriter(LastUsedRecorder recorder, IDbContextFactory<PlatformDbContext> db, ILogger<LastUsedWriter> logger)
    {
        _recorder = recorder;
        _db = db;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _recorder.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (reader.TryRead(out var touch))
                {
                    await WriteAsync(touch, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(LastUsedRecorder.Touch touch, CancellationToken cancellationToken)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(touch.AtUnixMs);
        try
        {
            await using var db = await _db.CreateDbContextAsync(cancellationToken);
            if (touch.App is null)
            {
                await db.ApiKeys.Where(k => k.Id == touch.Id && (k.LastUsedAt == null || k.LastUsedAt < at))
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, at), cancellationToken);
            }
            else
            {
                await db.Connections.Where(c => c.EndUserId == touch.Id && c.App == touch.App && (c.LastUsedAt == null || c.LastUsedAt < at))
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, at), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWriteFailed(_logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing last_used_at failed ({Error}); the use is dropped.")]
    private static partial void LogWriteFailed(ILogger logger, string error);
}
