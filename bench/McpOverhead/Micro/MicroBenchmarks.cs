using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Assistiv.Bench.McpOverhead.Micro;

/// <summary>
/// Runs the BenchmarkDotNet micro-benchmarks: ShortRun (3 warm-up, 3 measured iterations, one launch) in process, so a
/// run takes about a minute and needs no generated project (the gateway's service graph is loaded from this folder).
/// </summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "assistiv-bench", "BenchmarkDotNet.Artifacts"));
        var summaries = BenchmarkSwitcher.FromTypes([typeof(McpHotPathBenchmarks)]).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
