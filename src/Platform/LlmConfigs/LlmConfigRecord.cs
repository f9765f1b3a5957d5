namespace Assistiv.Platform.LlmConfigs;

/// <summary>
/// One provider key attached to a platform (API.md §4.3). The key is stored only encrypted
/// (<c>gateway.llm-config.api-key.v1</c>) and is never returned; responses show <see cref="ApiKeyHint"/>.
/// </summary>
public sealed class LlmConfigRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>Provider slug (<see cref="LlmProviders"/>).</summary>
    public string Provider { get; set; } = "";

    /// <summary>Display name, 1–100 characters.</summary>
    public string Name { get; set; } = "";

    /// <summary>Base URL override (required for <c>openai_compatible</c>), or null for the provider default.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>0–1000, lower is tried first.</summary>
    public int Priority { get; set; } = 100;

    /// <summary>Sorts first among configs of equal priority.</summary>
    public bool IsDefault { get; set; }

    /// <summary>Inactive configs are not routed to.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>
    /// The model filter as JSON <c>[{"slug","provider_model_id"}]</c> (<c>provider_model_id</c> may be null), or null for
    /// no filter.
    /// </summary>
    public string? ModelsJson { get; set; }

    /// <summary>The provider key encrypted, or null (the <c>mock</c> provider needs none).</summary>
    public string? ApiKeyProtected { get; set; }

    /// <summary><c>"…"</c> + the key's last 4 characters, or null without a key.</summary>
    public string? ApiKeyHint { get; set; }

    /// <summary>The last upstream failure as JSON <c>{"code","message","at"}</c>, set at inference time; null when none.</summary>
    public string? LastErrorJson { get; set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A model the config is restricted to (API.md §4.3 <c>models</c>).</summary>
/// <param name="Slug">Catalogue slug.</param>
/// <param name="ProviderModelId">Upstream id override, or null for the catalogue route's (API.md §6.4).</param>
public sealed record LlmConfigModel(string Slug, string? ProviderModelId);
