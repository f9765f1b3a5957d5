using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Assistiv.Bench.McpOverhead.Load;

/// <summary>
/// A server started for the load run: <c>sh -c 'exec taskset -c CPU cmd… &gt;&gt;log 2&gt;&amp;1'</c>, so the pid is the
/// server's own (for /proc CPU accounting), every thread inherits the affinity, and its output goes to a file instead of
/// through this process (which would cost the load generator's core). Our own child modes stop when their stdin closes.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly bool _stopsOnStdinEof;

    private ChildProcess(string name, Process process, string logPath, bool stopsOnStdinEof)
    {
        _stopsOnStdinEof = stopsOnStdinEof;
        Name = name;
        _process = process;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string name, string? cpuList, string workingDirectory, string logPath,
        IReadOnlyDictionary<string, string> environment, bool stopsOnStdinEof, params string[] command)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" >>\"$BENCH_CHILD_LOG\" 2>&1");
        psi.ArgumentList.Add("sh");
        if (Priority.Nice is { } nice)
        {
            psi.ArgumentList.Add("nice");
            psi.ArgumentList.Add("-n");
            psi.ArgumentList.Add(nice.ToString(CultureInfo.InvariantCulture));
        }

        if (cpuList is not null)
        {
            psi.ArgumentList.Add("taskset");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(cpuList);
        }

        foreach (var part in command)
        {
            psi.ArgumentList.Add(part);
        }

        psi.Environment["BENCH_CHILD_LOG"] = logPath;
        // The children are servers: the gateway (Web SDK) runs server GC by default, so ours do too.
        psi.Environment["DOTNET_gcServer"] = "1";
        psi.Environment.Remove("ASPNETCORE_URLS");
        psi.Environment.Remove("DOTNET_URLS");
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {name}.");
        return new ChildProcess(name, process, logPath, stopsOnStdinEof);
    }

    /// <summary>Runs a command to completion (not pinned) and returns its stdout; throws with its stderr on failure.</summary>
    public static async Task<string> RunToEndAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken,
        params string[] command)
    {
        var psi = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var part in command.AsSpan(1))
        {
            psi.ArgumentList.Add(part);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    /// <summary>Polls <paramref name="url"/> until it answers at all (any status), or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAnswersAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it answered; see {LogPath}.");
            }

            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                return;
            }
            catch (HttpRequestException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>User + system CPU time of the whole process so far (all threads), from /proc/PID/stat.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // Fields after the parenthesized command name: state is field 3, utime 14, stime 15 (proc(5)).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>
    /// CPU ticks so far of each thread of the runtime's tiered-compilation worker (named ".NET Tiered Com…"; it compiles
    /// hot methods again at tier 1, and exits when idle, so a later one has another id), from /proc/PID/task/*/stat.
    /// </summary>
    public Dictionary<int, long> TieringTicks()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{Pid}/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return ticks;
    }

    /// <summary>CPU the tiered-compilation threads used since <paramref name="before"/> (threads that ended meanwhile count for nothing).</summary>
    public TimeSpan TieringCpuSince(Dictionary<int, long> before)
    {
        long delta = 0;
        foreach (var (tid, now) in TieringTicks())
        {
            delta += now - before.GetValueOrDefault(tid);
        }

        return TimeSpan.FromSeconds(delta / (double)ClockTicksPerSecond);
    }

    /// <summary>USER_HZ; 100 on every Linux build that matters here.</summary>
    internal const int ClockTicksPerSecond = 100;

    /// <summary>Busy time of one CPU since boot (all processes), from /proc/stat.</summary>
    public static TimeSpan CpuBusy(string cpu)
    {
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("cpu" + cpu + " ", StringComparison.Ordinal))
            {
                // user nice system idle iowait irq softirq steal …
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                long busy = 0;
                for (var i = 1; i < Math.Min(f.Length, 9); i++)
                {
                    if (i is not 4 and not 5)
                    {
                        busy += long.Parse(f[i], CultureInfo.InvariantCulture);
                    }
                }

                return TimeSpan.FromSeconds(busy / (double)ClockTicksPerSecond);
            }
        }

        return TimeSpan.Zero;
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                // Our child modes stop on stdin EOF; the gateway does not read stdin and is killed (its data is throwaway).
                _process.StandardInput.Close();
                if (!_stopsOnStdinEof)
                {
                    throw new OperationCanceledException();
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }
}
