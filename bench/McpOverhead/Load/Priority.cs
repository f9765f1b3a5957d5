namespace Assistiv.Bench.McpOverhead.Load;

/// <summary>
/// The scheduling priority of the load run's processes. A shared machine runs other builds and tests beside the
/// benchmark; as root the run raises its own processes (loader and servers) to <c>nice -20</c> so that background work
/// takes what is left of the two cores instead of adding its noise to the samples. Off with <c>--no-nice</c>.
/// </summary>
internal static class Priority
{
    /// <summary>The nice value for started processes, or null to leave it alone.</summary>
    public static int? Nice { get; set; }
}
