using Assistiv.Bench.McpOverhead.Load;
using Assistiv.Bench.McpOverhead.Micro;
using Assistiv.Bench.McpOverhead.Servers;

// dotnet run -c Release --project bench/McpOverhead -- [load|micro] [options]   (bench/README.md)
// The server modes (upstream, wiremock, floor) are started by the load run as pinned child processes.
return args switch
{
    ["upstream", .. var rest] => await UpstreamServer.RunAsync(ServerArgs.Parse(rest)),
    ["wiremock", .. var rest] => await WireMockUpstream.RunAsync(ServerArgs.Parse(rest)),
    ["floor", .. var rest] => await FloorServer.RunAsync(ServerArgs.Parse(rest)),
    ["micro", .. var rest] => MicroBenchmarks.Run(rest),
    ["micro-steps", .. var rest] => await MeterSteps.RunAsync(rest is [var n, ..] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 3000),
    ["load", .. var rest] => await LoadRun.RunAsync(rest),
    ["--help" or "-h" or "help", ..] => Usage(),
    _ => await LoadRun.RunAsync(args),
};

static int Usage()
{
    Console.WriteLine("""
        Assistiv MCP overhead benchmarks (bench/README.md)

          load  [--duration S] [--warmup S] [--prime S] [--prime-max S] [--concurrency 1,8,32] [--only a,b,c,d] [--no-wiremock]
                [--no-pin] [--no-nice] [--out FILE]
                [--gateway-env KEY=VALUE]...
                Closed-loop load: direct upstream GET /user, gateway tools/call github_get_me, the bare SDK floor,
                gateway mock_echo (and the same through WireMock). Default mode.
          micro [BenchmarkDotNet arguments, e.g. --filter *Visibility*]
                In-process micro-benchmarks of the MCP hot path (ShortRun, [MemoryDiagnoser]).
          micro-steps [N]
                Stopwatch timing of the SQLite money path of one paid tool call: the hold (admission) and the settlement,
                next to an empty BEGIN IMMEDIATE + COMMIT (N iterations, default 3000).
        """);
    return 0;
}
