using System.Diagnostics;

namespace Assistiv.Bench.McpOverhead.Load;

/// <summary>
/// A closed-loop load: <c>concurrency</c> workers, each sending its next request when the last answer is fully read.
/// Warm-up answers are dropped; every answer that completes inside the measured window is one latency sample
/// (<see cref="Stopwatch.GetTimestamp"/> from before <c>SendAsync</c> to the last body byte) and counts for req/s.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<LoadResult> RunAsync(Scenario scenario, int concurrency, TimeSpan warmup, TimeSpan duration, string? serverCpu,
        CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(warmup);
        var measureTo = measureFrom + Ticks(duration);
        var cpuBefore = new TimeSpan[scenario.Servers.Count];

        var workers = new Task<WorkerResult>[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(scenario, measureFrom, measureTo, cancellationToken), cancellationToken);
        }

        // Server CPU over the measured window: read at its start and end from here, beside the workers.
        await Task.Delay(warmup, TimeProvider.System, cancellationToken);
        for (var s = 0; s < scenario.Servers.Count; s++)
        {
            cpuBefore[s] = scenario.Servers[s].CpuTime();
        }

        var busyBefore = serverCpu is null ? TimeSpan.Zero : ChildProcess.CpuBusy(serverCpu);
        await Task.Delay(duration, TimeProvider.System, cancellationToken);
        var busy = serverCpu is null ? TimeSpan.Zero : ChildProcess.CpuBusy(serverCpu) - busyBefore;
        var cpu = TimeSpan.Zero;
        for (var s = 0; s < scenario.Servers.Count; s++)
        {
            cpu += scenario.Servers[s].CpuTime() - cpuBefore[s];
        }

        // What else ran on the servers' CPU meanwhile (other processes of the machine): the noise indicator.
        var foreign = serverCpu is null ? double.NaN : Math.Max(0, (busy - cpu).TotalSeconds / duration.TotalSeconds);

        var results = await Task.WhenAll(workers);
        var total = 0;
        var errors = 0;
        string? firstError = null;
        foreach (var r in results)
        {
            total += r.Samples.Count;
            errors += r.Errors;
            firstError ??= r.FirstError;
        }

        var samples = new long[total];
        var at = 0;
        foreach (var r in results)
        {
            r.Samples.CopyTo(samples, at);
            at += r.Samples.Count;
        }

        Array.Sort(samples);
        return new LoadResult(scenario.Key, scenario.Title, concurrency, duration, samples, errors, firstError, cpu, foreign);
    }

    private static async Task<WorkerResult> WorkAsync(Scenario scenario, long measureFrom, long measureTo, CancellationToken cancellationToken)
    {
        var samples = new List<long>(1 << 16);
        var errors = 0;
        string? firstError = null;
        while (true)
        {
            var sent = Stopwatch.GetTimestamp();
            if (sent >= measureTo)
            {
                break;
            }

            string? problem;
            try
            {
                using var request = scenario.NewRequest();
                using var response = await scenario.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var done = Stopwatch.GetTimestamp();
                if (done >= measureFrom && done < measureTo)
                {
                    samples.Add(done - sent);
                }

                problem = scenario.Check(response, body);
                if (problem is not null && done < measureFrom)
                {
                    // Warm-up answers must be right too: a broken setup should not be measured at all.
                    throw new InvalidOperationException($"{scenario.Key}: {problem}");
                }
            }
            catch (HttpRequestException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                errors++;
                firstError ??= problem;
            }
        }

        return new WorkerResult(samples, errors, firstError);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private sealed record WorkerResult(List<long> Samples, int Errors, string? FirstError);
}

/// <summary>One scenario at one concurrency: sorted latencies (Stopwatch ticks), errors and server CPU.</summary>
internal sealed record LoadResult(string Key, string Title, int Concurrency, TimeSpan Duration, long[] Sorted, int Errors, string? FirstError,
    TimeSpan ServerCpu, double ForeignCpuShare)
{
    public int Count => Sorted.Length;

    public double RequestsPerSecond => Count / Duration.TotalSeconds;

    /// <summary>Nearest-rank percentile in milliseconds.</summary>
    public double PercentileMs(double p)
    {
        if (Sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * Sorted.Length);
        return Sorted[Math.Clamp(rank - 1, 0, Sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>Server CPU (all processes that serve the request) per answered request, in microseconds.</summary>
    public double ServerCpuPerRequestUs => Count == 0 ? double.NaN : ServerCpu.TotalMicroseconds / Count;
}
