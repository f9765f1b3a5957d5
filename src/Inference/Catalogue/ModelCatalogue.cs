using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Assistiv.Platform.LlmConfigs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistiv.Inference.Catalogue;

/// <summary>
/// The server-wide model catalogue (API.md §6.1): <c>Gateway:Models</c> when configured, else the built-in table. It is
/// an immutable snapshot; a configuration reload builds and validates a new one and swaps the reference (an invalid
/// reload keeps the previous snapshot and logs why), so readers never see a half-built catalogue (STYLE.md §3).
/// </summary>
public sealed partial class ModelCatalogue : IDisposable
{
    private readonly ILogger<ModelCatalogue> _logger;
    private readonly IDisposable? _subscription;
    private volatile Snapshot _snapshot;

    /// <summary>Builds the catalogue from the current options.</summary>
    /// <param name="options">The bound <c>Gateway:Models</c>.</param>
    /// <param name="logger">Logger for rejected reloads.</param>
    /// <exception cref="InvalidOperationException">The configured catalogue is invalid (the message lists every problem).</exception>
    public ModelCatalogue(IOptionsMonitor<ModelCatalogueOptions> options, ILogger<ModelCatalogue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _snapshot = Build(options.CurrentValue, out var errors) ?? throw new InvalidOperationException(string.Join(" ", errors));
        _subscription = options.OnChange(Reload);
    }

    /// <summary>Every model, in catalogue order.</summary>
    public IReadOnlyList<ModelEntry> Entries => _snapshot.Entries;

    /// <summary>Looks a slug up (case-sensitive).</summary>
    /// <param name="slug">A model slug.</param>
    /// <param name="entry">The model, when found.</param>
    public bool TryGet(string slug, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelEntry? entry) =>
        _snapshot.BySlug.TryGetValue(slug, out entry);

    /// <summary>Whether the slug is in the catalogue.</summary>
    /// <param name="slug">A model slug.</param>
    public bool Contains(string slug) => _snapshot.BySlug.ContainsKey(slug);

    /// <inheritdoc/>
    public void Dispose() => _subscription?.Dispose();

    /// <summary>
    /// Validates options and builds a snapshot; null with <paramref name="errors"/> when invalid. All problems are
    /// collected (YARP's ConfigValidator style), each naming its configuration key.
    /// </summary>
    internal static Snapshot? Build(ModelCatalogueOptions options, out List<string> errors)
    {
        errors = [];
        var source = options.Models is { Count: > 0 } configured ? configured : (IReadOnlyList<ModelEntryOptions>)BuiltInModels.Entries;
        var entries = new List<ModelEntry>(source.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < source.Count; i++)
        {
            var o = source[i];
            var key = $"Gateway:Models:{i}";
            if (o.Slug is null || !SlugPattern().IsMatch(o.Slug))
            {
                errors.Add($"{key}:slug must match ^[a-zA-Z0-9._:/-]{{1,128}}$ (e.g. gpt-4o-mini), got '{o.Slug}'.");
                continue;
            }

            if (!seen.Add(o.Slug))
            {
                errors.Add($"{key}:slug '{o.Slug}' appears twice.");
            }

            var routes = new List<ModelRoute>();
            if (o.Routes is not { Count: > 0 })
            {
                errors.Add($"{key}:routes must list at least one {{provider, provider_model_id}}.");
            }
            else
            {
                for (var r = 0; r < o.Routes.Count; r++)
                {
                    var provider = o.Routes[r].Provider;
                    if (provider is null || !LlmProviders.IsKnown(provider))
                    {
                        errors.Add($"{key}:routes:{r}:provider must be one of {string.Join(", ", LlmProviders.All)}, got '{provider}'.");
                        continue;
                    }

                    var upstream = string.IsNullOrWhiteSpace(o.Routes[r].ProviderModelId) ? o.Slug : o.Routes[r].ProviderModelId!;
                    routes.Add(new ModelRoute(provider, upstream));
                }
            }

            var input = Price(o.InputUsdPerMtok, $"{key}:input_usd_per_mtok", required: true, errors);
            var output = Price(o.OutputUsdPerMtok, $"{key}:output_usd_per_mtok", required: true, errors);
            var cached = Price(o.CachedInputUsdPerMtok, $"{key}:cached_input_usd_per_mtok", required: false, errors) ?? input;
            var min = o.MinOutputTokens ?? 1;
            if (min < 1)
            {
                errors.Add($"{key}:min_output_tokens must be >= 1.");
            }

            if (o.MaxOutputTokens is not { } max || max < min)
            {
                errors.Add($"{key}:max_output_tokens must be an integer >= min_output_tokens ({min}).");
                continue;
            }

            if (o.ContextWindow is not { } context || context < 1)
            {
                errors.Add($"{key}:context_window must be an integer >= 1 (e.g. 128000).");
                continue;
            }

            if (input is null || output is null)
            {
                continue;
            }

            entries.Add(new ModelEntry(o.Slug, routes, input.Value, output.Value, cached!.Value, max, min, context, o.UsesMaxCompletionTokens, o.Created));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new Snapshot(entries, entries.ToFrozenDictionary(e => e.Slug, StringComparer.Ordinal));
    }

    private static long? Price(decimal? usd, string key, bool required, List<string> errors)
    {
        if (usd is not { } value)
        {
            if (required)
            {
                errors.Add($"{key} is required (USD per 1M tokens, e.g. 0.15).");
            }

            return null;
        }

        var micros = value * 1_000_000m;
        if (value < 0 || micros != decimal.Truncate(micros) || micros > long.MaxValue)
        {
            errors.Add($"{key} must be >= 0 with at most 6 decimals, got {value}.");
            return null;
        }

        return (long)micros;
    }

    private void Reload(ModelCatalogueOptions options)
    {
        var next = Build(options, out var errors);
        if (next is null)
        {
            LogReloadRejected(_logger, string.Join(" ", errors));
            return;
        }

        _snapshot = next;
    }

    [GeneratedRegex("^[a-zA-Z0-9._:/-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    [LoggerMessage(1, LogLevel.Error, "Gateway:Models reload rejected, the previous catalogue stays: {Errors}")]
    private static partial void LogReloadRejected(ILogger logger, string errors);

    internal sealed record Snapshot(IReadOnlyList<ModelEntry> Entries, FrozenDictionary<string, ModelEntry> BySlug);
}
