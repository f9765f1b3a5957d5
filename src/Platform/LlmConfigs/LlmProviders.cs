namespace Assistiv.Platform.LlmConfigs;

/// <summary>
/// The provider slugs an llm-config may name (API.md §4.3, §6.5) and their display names, which are the default
/// config <c>name</c>. The model catalogue's routes use the same slugs (API.md §6.1).
/// </summary>
public static class LlmProviders
{
    /// <summary>OpenAI (chat completions).</summary>
    public const string OpenAi = "openai";

    /// <summary>Anthropic (Messages API, translated).</summary>
    public const string Anthropic = "anthropic";

    /// <summary>Google (its OpenAI-compatible endpoint).</summary>
    public const string Google = "google";

    /// <summary>xAI (chat completions).</summary>
    public const string Xai = "xai";

    /// <summary>Any OpenAI-compatible server at a configured <c>base_url</c>.</summary>
    public const string OpenAiCompatible = "openai_compatible";

    /// <summary>The offline in-process provider, only with <c>Gateway:EnableMockProvider</c>.</summary>
    public const string Mock = "mock";

    /// <summary>Every provider slug, in the order API.md §4.3 lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [OpenAi, Anthropic, Google, Xai, OpenAiCompatible, Mock];

    /// <summary>Whether <paramref name="provider"/> is a known slug (case-sensitive).</summary>
    /// <param name="provider">A provider slug.</param>
    public static bool IsKnown(string provider) => DisplayName(provider) is not null;

    /// <summary>The display name of a provider, or null for an unknown slug.</summary>
    /// <param name="provider">A provider slug.</param>
    public static string? DisplayName(string provider) => provider switch
    {
        OpenAi => "OpenAI",
        Anthropic => "Anthropic",
        Google => "Google",
        Xai => "xAI",
        OpenAiCompatible => "OpenAI-compatible",
        Mock => "Mock",
        _ => null,
    };
}
