using Microsoft.Extensions.Configuration;

namespace Assistiv.Inference.Catalogue;

/// <summary>
/// <c>Gateway:Models</c> (API.md §1.3, §6.1): when it holds any entry, it replaces the built-in table as a whole
/// (docs/decisions/0061-model-catalogue-override.md). Keys are the snake_case names of §6.1, e.g.
/// <c>Gateway:Models:0:slug</c>, <c>Gateway:Models:0:routes:0:provider</c>, <c>Gateway:Models:0:input_usd_per_mtok</c>.
/// </summary>
public sealed class ModelCatalogueOptions
{
    /// <summary>The section bound to this type (its <see cref="Models"/> property reads <c>Gateway:Models</c>).</summary>
    public const string Section = "Gateway";

    /// <summary>Configured models, or null/empty for the built-in table.</summary>
    public List<ModelEntryOptions>? Models { get; set; }
}

/// <summary>One configured model (API.md §6.1 entry).</summary>
public sealed class ModelEntryOptions
{
    /// <summary><c>slug</c>.</summary>
    [ConfigurationKeyName("slug")]
    public string? Slug { get; set; }

    /// <summary><c>routes</c>: at least one.</summary>
    [ConfigurationKeyName("routes")]
    public List<ModelRouteOptions>? Routes { get; set; }

    /// <summary><c>input_usd_per_mtok</c>: USD per 1M prompt tokens, at most 6 decimals.</summary>
    [ConfigurationKeyName("input_usd_per_mtok")]
    public decimal? InputUsdPerMtok { get; set; }

    /// <summary><c>output_usd_per_mtok</c>: USD per 1M completion tokens, at most 6 decimals.</summary>
    [ConfigurationKeyName("output_usd_per_mtok")]
    public decimal? OutputUsdPerMtok { get; set; }

    /// <summary><c>cached_input_usd_per_mtok</c>: optional, defaults to the input price.</summary>
    [ConfigurationKeyName("cached_input_usd_per_mtok")]
    public decimal? CachedInputUsdPerMtok { get; set; }

    /// <summary><c>max_output_tokens</c>.</summary>
    [ConfigurationKeyName("max_output_tokens")]
    public int? MaxOutputTokens { get; set; }

    /// <summary><c>min_output_tokens</c> (default 1).</summary>
    [ConfigurationKeyName("min_output_tokens")]
    public int? MinOutputTokens { get; set; }

    /// <summary><c>context_window</c>.</summary>
    [ConfigurationKeyName("context_window")]
    public int? ContextWindow { get; set; }

    /// <summary><c>uses_max_completion_tokens</c> (default false).</summary>
    [ConfigurationKeyName("uses_max_completion_tokens")]
    public bool UsesMaxCompletionTokens { get; set; }

    /// <summary><c>created</c>, Unix seconds (default 0).</summary>
    [ConfigurationKeyName("created")]
    public long Created { get; set; }
}

/// <summary>One configured route.</summary>
public sealed class ModelRouteOptions
{
    /// <summary><c>provider</c>.</summary>
    [ConfigurationKeyName("provider")]
    public string? Provider { get; set; }

    /// <summary><c>provider_model_id</c> (defaults to the slug).</summary>
    [ConfigurationKeyName("provider_model_id")]
    public string? ProviderModelId { get; set; }
}
