using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Assistiv.Bench.McpOverhead.Micro;

/// <summary>
/// Runs the BenchmarkDotNet micro-benchmarks: ShortRun (3 measured iterations, one launch) with 10 warm-up iterations
/// instead of 3, since EF Core's code paths reach tier-1 JIT late; in process, so a run takes about two minutes and needs
/// no generated project (the gateway's service graph is loaded from this folder).
/// </summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithWarmupCount(10).WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "assistiv-bench", "BenchmarkDotNet.Artifacts"));
        var summaries = BenchmarkSwitcher.FromTypes([typeof(McpHotPathBenchmarks)]).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
