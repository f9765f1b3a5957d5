using System.Globalization;
using System.Text.RegularExpressions;

namespace Assistiv.McpServer.Tests.Observability;

/// <summary>
/// A reader of the Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
/// <c># TYPE name type</c> lines and samples <c>name{label="value",…} number</c>, enough to assert families, labels and
/// counts independently of label order.
/// </summary>
internal sealed partial class PrometheusText
{
    private PrometheusText(string text, Dictionary<string, string> types, List<Sample> samples)
    {
        Text = text;
        Types = types;
        Samples = samples;
    }

    public string Text { get; }

    /// <summary>Family name → type (<c>counter</c>, <c>histogram</c>, …).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyList<Sample> Samples { get; }

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, "not a Prometheus sample line: " + line);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["k"].Value] = label.Groups["v"].Value;
            }

            samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return new PrometheusText(text, types, samples);
    }

    /// <summary>The samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public IEnumerable<Sample> Find(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    /// <summary>The value of the one sample of <paramref name="name"/> with exactly these labels (0 when absent).</summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        Find(name, labels).Where(s => s.Labels.Count == labels.Length).Select(s => s.Value).SingleOrDefault();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>[^ ]+)( [0-9]+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<k>[a-zA-Z_][a-zA-Z0-9_]*)="(?<v>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();

    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
