using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Assistiv.Bench.McpOverhead.Servers;

namespace Assistiv.Bench.McpOverhead.Load;

/// <summary>
/// The load run of STYLE.md §4 and the issue's Performance section, all in one run on one machine: (a) <c>GET /user</c>
/// straight to a minimal Kestrel upstream, (b) MCP <c>tools/call github_get_me</c> through the gateway to that upstream,
/// (c) the floor — a bare SDK host whose tool returns a constant, (d) <c>mock_echo</c> through the gateway (no upstream),
/// and (a′)/(b′) the same as (a)/(b) against WireMock. The load generator runs on CPU 0, every server on CPU 1.
/// </summary>
internal static class LoadRun
{
    private const string ClientCpu = "0";
    private const string ServerCpu = "1";
    private const string PinnedVariable = "ASSISTIV_BENCH_PINNED";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = LoadOptions.Parse(args);
        if (typeof(LoadRun).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            await Console.Error.WriteLineAsync("The load run measures a Release build: dotnet run -c Release --project bench/McpOverhead -- load");
            return 2;
        }

        var cores = OnlineCpuCount();
        var taskset = FindOnPath("taskset");
        var pinned = options.Pin && cores >= 2 && taskset is not null;
        Priority.Nice = options.RaisePriority && Environment.IsPrivilegedProcess && FindOnPath("nice") is not null ? -20 : null;
        if ((pinned || Priority.Nice is not null) && Environment.GetEnvironmentVariable(PinnedVariable) != "1")
        {
            // Affinity must be set before the runtime starts its threads: run ourselves again under taskset.
            return await ReExecPinnedAsync(args, pinned);
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var ct = cancel.Token;

        var work = Path.Combine(Path.GetTempPath(), "assistiv-bench", DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds())
            .ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        var serverCpu = pinned ? ServerCpu : null;
        var loadAtStart = LoadAverage();
        Log($"work folder {work}; {(pinned ? $"load generator on CPU {ClientCpu}, servers on CPU {ServerCpu} (taskset)" : "not pinned")}; " +
            $"{(Priority.Nice is { } n ? $"nice {n}" : "default priority")}; load average {loadAtStart}");

        var self = typeof(LoadRun).Assembly.Location;
        var token = ServerArgs.DefaultToken;
        var userLength = ServerArgs.UserBody().Length;
        var processes = new List<IAsyncDisposable>();
        var primed = "no priming";
        var scenarios = new List<Scenario>();
        try
        {
            var upstream = await StartOwnAsync("upstream", self, work, serverCpu, processes, ct);
            var floor = await StartOwnAsync("floor", self, work, serverCpu, processes, ct);
            Log("starting the gateway (Release gateway.dll, SQLite) and seeding it through its API");
            var gateway = await GatewayInstance.StartAsync("kestrel", upstream.Url.ToString().TrimEnd('/'), work, serverCpu, options.GatewayEnvironment, ct);
            processes.Add(gateway);

            scenarios.Add(Scenario.DirectUpstream("a", "(a) direct GET /user → Kestrel upstream", upstream.Url, token, userLength, upstream.Process));
            scenarios.Add(Scenario.ToolCall("b", "(b) gateway tools/call github_get_me → Kestrel upstream", gateway.BaseUrl, gateway.EndUserKey,
                "github_get_me", "{}", [gateway.Process, upstream.Process]));
            scenarios.Add(Scenario.ToolCall("c", "(c) floor: bare SDK host, constant tool", floor.Url, null, "github_get_me", "{}", [floor.Process]));
            scenarios.Add(Scenario.ToolCall("d", "(d) gateway tools/call mock_echo (no upstream)", gateway.BaseUrl, gateway.EndUserKey,
                "mock_echo", """{"text":"hello"}""", [gateway.Process]));

            if (options.WireMock)
            {
                var wiremock = await StartOwnAsync("wiremock", self, work, serverCpu, processes, ct);
                var gatewayW = await GatewayInstance.StartAsync("wiremock", wiremock.Url.ToString().TrimEnd('/'), work, serverCpu, options.GatewayEnvironment, ct);
                processes.Add(gatewayW);
                scenarios.Add(Scenario.DirectUpstream("a′", "(a′) direct GET /user → WireMock", wiremock.Url, token, userLength, wiremock.Process));
                scenarios.Add(Scenario.ToolCall("b′", "(b′) gateway tools/call github_get_me → WireMock", gatewayW.BaseUrl, gatewayW.EndUserKey,
                    "github_get_me", "{}", [gatewayW.Process, wiremock.Process]));
            }

            if (options.Only is { } only)
            {
                foreach (var dropped in scenarios.FindAll(x => !only.Contains(x.Key)))
                {
                    scenarios.Remove(dropped);
                    dropped.Dispose();
                }
            }

            foreach (var scenario in scenarios)
            {
                await PreflightAsync(scenario, ct);
            }

            if (options.Prime > TimeSpan.Zero)
            {
                Log($"priming every scenario at concurrency 8 for {options.Prime.TotalSeconds:0} s (JIT tiers, pools, caches)");
                foreach (var scenario in scenarios)
                {
                    await ClosedLoop.RunAsync(scenario, 8, options.Prime, TimeSpan.FromSeconds(1), serverCpu, ct);
                }

                primed = await PrimeUntilJitSettlesAsync(scenarios, processes.OfType<GatewayInstance>().Select(g => g.Process).ToList(),
                    options, serverCpu, ct);
            }

            var loadBefore = LoadAverage();
            var results = new List<LoadResult>();
            foreach (var concurrency in options.Concurrency)
            {
                foreach (var scenario in scenarios)
                {
                    var result = await ClosedLoop.RunAsync(scenario, concurrency, options.Warmup, options.Duration, serverCpu, ct);
                    results.Add(result);
                    Log(string.Create(CultureInfo.InvariantCulture,
                        $"{scenario.Key,-3} c={concurrency,-3} {result.RequestsPerSecond,8:F0} req/s  p50 {result.PercentileMs(50):F3}  p99 {result.PercentileMs(99):F3} ms  " +
                        $"cpu {result.ServerCpuPerRequestUs:F0} µs/req  other {result.ForeignCpuShare:P0}  errors {result.Errors}{(result.FirstError is null ? "" : " (" + result.FirstError + ")")}"));
                }
            }

            var report = LoadReport.Write(results, options, pinned, cores, work, $"{loadAtStart} at the start, {loadBefore} after the priming (the harness's own load), {LoadAverage()} at the end", primed);
            Console.WriteLine();
            Console.WriteLine(report);
            var outPath = options.Out ?? Path.Combine(work, "report.md");
            await File.WriteAllTextAsync(outPath, report, ct);
            Log($"report written to {outPath}");
            return results.Exists(r => r.Errors > 0) ? 1 : 0;
        }
        finally
        {
            foreach (var scenario in scenarios)
            {
                scenario.Dispose();
            }

            for (var i = processes.Count - 1; i >= 0; i--)
            {
                await processes[i].DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Primes in 10 s rounds of every scenario until, during a round, each gateway's tiered-compilation thread used
    /// under 2 % of a CPU (or <see cref="LoadOptions.PrimeMax"/> has passed). With ~40,000 methods to compile again at
    /// tier 1 on one pinned CPU, the JIT was still busy a minute after start: rows measured before it settles measure
    /// the JIT too (decision 0086).
    /// </summary>
    /// <returns>What the report says about the priming.</returns>
    private static async Task<string> PrimeUntilJitSettlesAsync(List<Scenario> scenarios, List<ChildProcess> gateways, LoadOptions options,
        string? serverCpu, CancellationToken ct)
    {
        var round = TimeSpan.FromSeconds(10);
        var started = Stopwatch.GetTimestamp();
        var elapsed = options.Prime * scenarios.Count;
        while (true)
        {
            var before = gateways.Select(g => g.TieringTicks()).ToArray();
            var roundStarted = Stopwatch.GetTimestamp();
            foreach (var scenario in scenarios)
            {
                await ClosedLoop.RunAsync(scenario, 8, round, TimeSpan.FromSeconds(1), serverCpu, ct);
            }

            var wall = Stopwatch.GetElapsedTime(roundStarted);
            elapsed += wall;
            var share = gateways.Count == 0 ? 0 : gateways.Select((g, i) => g.TieringCpuSince(before[i]) / wall).Max();
            Log(string.Create(CultureInfo.InvariantCulture, $"priming: {elapsed.TotalSeconds:0} s so far; tiered-compilation thread {share:P1} of a CPU in the last round"));
            if (share < 0.02 || Stopwatch.GetElapsedTime(started) + round * scenarios.Count > options.PrimeMax)
            {
                var verdict = share < 0.02 ? "(settled)" : string.Create(CultureInfo.InvariantCulture, $"(not settled within --prime-max {options.PrimeMax.TotalSeconds:0} s)");
                return string.Create(CultureInfo.InvariantCulture,
                    $"primed {elapsed.TotalSeconds:0} s at concurrency 8 in all, until the gateway's tiered-compilation thread used {share:P1} of a CPU over a round {verdict}");
            }
        }
    }

    private static async Task<OwnServer> StartOwnAsync(string mode, string self, string work, string? cpu, List<IAsyncDisposable> processes, CancellationToken ct)
    {
        var port = ChildProcess.FreeLoopbackPort();
        var process = ChildProcess.Start(mode, cpu, work, Path.Combine(work, mode + ".log"), new Dictionary<string, string>(), stopsOnStdinEof: true,
            "dotnet", self, mode, "--port", port.ToString(CultureInfo.InvariantCulture));
        processes.Add(process);
        var url = new Uri($"http://127.0.0.1:{port}/");
        await process.WaitUntilAnswersAsync(new Uri(url, mode == "floor" ? "/mcp" : "/user"), TimeSpan.FromSeconds(60), ct);
        Log($"{mode} listening on {url} (pid {process.Pid})");
        return new OwnServer(url, process);
    }

    private static async Task PreflightAsync(Scenario scenario, CancellationToken ct)
    {
        using var request = scenario.NewRequest();
        using var response = await scenario.Client.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (scenario.Check(response, body) is { } problem)
        {
            throw new InvalidOperationException($"{scenario.Title}: the first answer is wrong: {problem}");
        }
    }

    private static async Task<int> ReExecPinnedAsync(string[] args, bool pinned)
    {
        var command = new List<string>();
        if (Priority.Nice is { } nice)
        {
            command.AddRange(["nice", "-n", nice.ToString(CultureInfo.InvariantCulture)]);
        }

        if (pinned)
        {
            command.AddRange(["taskset", "-c", ClientCpu]);
        }

        command.AddRange(["dotnet", typeof(LoadRun).Assembly.Location, "load"]);
        var psi = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var part in command.Skip(1))
        {
            psi.ArgumentList.Add(part);
        }

        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[PinnedVariable] = "1";
        using var child = Process.Start(psi) ?? throw new InvalidOperationException("Could not start taskset.");
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    internal static int OnlineCpuCount()
    {
        try
        {
            // "0-1" or "0,2-3": the machine's CPUs, whatever this process's affinity.
            var count = 0;
            foreach (var range in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
            {
                var bounds = range.Split('-');
                count += bounds.Length == 1 ? 1 : int.Parse(bounds[1], CultureInfo.InvariantCulture) - int.Parse(bounds[0], CultureInfo.InvariantCulture) + 1;
            }

            return count;
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static void Log(string message) => Console.WriteLine("[bench] " + message);

    private sealed record OwnServer(Uri Url, ChildProcess Process) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}

/// <summary>The markdown report: machine, settings, one row per scenario and concurrency, and the overhead table.</summary>
internal static class LoadReport
{
    public static string Write(List<LoadResult> results, LoadOptions options, bool pinned, int cores, string work, string loadAverage, string primed)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(inv, $"### Load run {TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd HH:mm", inv)} UTC");
        s.AppendLine();
        s.AppendLine(inv, $"- Machine: {CpuModel()}, {cores} cores online, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
            $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        s.AppendLine(inv, $"- Pinning: {(pinned ? "load generator on CPU 0, every server process (gateway, upstream, floor, WireMock) on CPU 1, via taskset" : "none (all processes share all cores)")}");
        s.AppendLine(inv, $"- Priority: {(Priority.Nice is { } n ? $"nice {n} for the loader and every server" : "default")}; load average (1/5/15 min) {loadAverage}");
        s.AppendLine(inv, $"- Closed loop: every scenario {primed}, then per row {options.Warmup.TotalSeconds:0} s warm-up + " +
            $"{options.Duration.TotalSeconds:0} s measured; HTTP/1.1 keep-alive, one connection per worker");
        if (options.GatewayEnvironment.Count > 0)
        {
            s.AppendLine(inv, $"- Gateway environment overrides: {string.Join(", ", options.GatewayEnvironment.Select(kv => $"`{kv.Key}={kv.Value}`"))}");
        }

        s.AppendLine(inv, $"- Logs and databases: `{work}`");
        s.AppendLine();
        s.AppendLine("| scenario | conc. | req/s | p50 ms | p90 ms | p99 ms | server CPU µs/req | other load on server CPU | errors |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            s.AppendLine(inv, $"| {r.Title} | {r.Concurrency} | {r.RequestsPerSecond:F0} | {r.PercentileMs(50):F3} | {r.PercentileMs(90):F3} | {r.PercentileMs(99):F3} | {r.ServerCpuPerRequestUs:F0} | {(double.IsNaN(r.ForeignCpuShare) ? "–" : r.ForeignCpuShare.ToString("P0", inv))} | {r.Errors} |");
        }

        s.AppendLine();
        s.AppendLine("Gateway's added latency = (b) − (a), next to the floor (c) and mock_echo (d):");
        s.AppendLine();
        s.AppendLine("| conc. | added p50 ms | added p99 ms | floor (c) p50 | floor (c) p99 | (d) − (c) p50 | (b′) − (a′) p50 | (b′) − (a′) p99 |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in options.Concurrency)
        {
            var a = Find(results, "a", c);
            var b = Find(results, "b", c);
            var floor = Find(results, "c", c);
            var mock = Find(results, "d", c);
            var aw = Find(results, "a′", c);
            var bw = Find(results, "b′", c);
            s.AppendLine(inv, $"| {c} | {Diff(b, a, 50)} | {Diff(b, a, 99)} | {P(floor, 50)} | {P(floor, 99)} | {Diff(mock, floor, 50)} | {Diff(bw, aw, 50)} | {Diff(bw, aw, 99)} |");
        }

        return s.ToString();
    }

    private static LoadResult? Find(List<LoadResult> results, string key, int concurrency) =>
        results.Find(r => r.Key == key && r.Concurrency == concurrency);

    private static string P(LoadResult? r, double p) => r is null ? "–" : r.PercentileMs(p).ToString("F3", CultureInfo.InvariantCulture);

    private static string Diff(LoadResult? x, LoadResult? y, double p) =>
        x is null || y is null ? "–" : (x.PercentileMs(p) - y.PercentileMs(p)).ToString("F3", CultureInfo.InvariantCulture);

    private static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return "unknown CPU";
    }
}
