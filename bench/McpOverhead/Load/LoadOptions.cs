using System.Globalization;

namespace Assistiv.Bench.McpOverhead.Load;

/// <summary>Command-line options of the load run (see <c>--help</c>).</summary>
internal sealed class LoadOptions
{
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);

    public IReadOnlyList<int> Concurrency { get; private set; } = [1, 8, 32];

    public bool WireMock { get; private set; } = true;

    public bool Pin { get; private set; } = true;

    /// <summary>Raise the run's processes to nice -20 (root only).</summary>
    public bool RaisePriority { get; private set; } = true;

    /// <summary>Before the measured rows: every scenario at concurrency 8 at least this long.</summary>
    public TimeSpan Prime { get; private set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Priming goes on in 10 s rounds of every scenario until the gateways' tiered-compilation threads were nearly idle
    /// during a round (under 2 % of a CPU), so the measured rows run the JIT's final code; these rounds stop after this long.
    /// </summary>
    public TimeSpan PrimeMax { get; private set; } = TimeSpan.FromSeconds(600);

    public string? Out { get; private set; }

    /// <summary>Only these scenario keys (a, b, c, d, a′, b′), or null for all.</summary>
    public IReadOnlySet<string>? Only { get; private set; }

    /// <summary>Extra environment for the gateway processes (e.g. a logging level, to measure its cost).</summary>
    public List<KeyValuePair<string, string>> GatewayEnvironment { get; } = [];

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--duration":
                    options.Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture));
                    break;
                case "--warmup":
                    options.Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture));
                    break;
                case "--concurrency":
                    options.Concurrency = Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--no-wiremock":
                    options.WireMock = false;
                    break;
                case "--no-nice":
                    options.RaisePriority = false;
                    break;
                case "--prime":
                    options.Prime = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture));
                    break;
                case "--prime-max":
                    options.PrimeMax = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture));
                    break;
                case "--no-pin":
                    options.Pin = false;
                    break;
                case "--only":
                    options.Only = Next().Split(',').Select(k => k.Replace('\'', '′')).ToHashSet(StringComparer.Ordinal);
                    break;
                case "--out":
                    options.Out = Next();
                    break;
                case "--gateway-env":
                    var pair = Next();
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException($"--gateway-env takes KEY=VALUE, not '{pair}'.");
                    }

                    options.GatewayEnvironment.Add(new(pair[..eq], pair[(eq + 1)..]));
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}' (see --help).");
            }
        }

        return options;
    }
}
