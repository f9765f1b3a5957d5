namespace Assistiv.Inference.Catalogue;

/// <summary>
/// The built-in defaults of API.md §6.1 (operators must review prices). Context windows are the providers' published
/// ones; the mock models use a small window of their own.
/// </summary>
internal static class BuiltInModels
{
    public static IReadOnlyList<ModelEntryOptions> Entries { get; } =
    [
        Entry("gpt-4o-mini", "openai", 0.15m, 0.60m, 16384, 1, 128_000),
        Entry("gpt-4o", "openai", 2.50m, 10.00m, 16384, 1, 128_000),
        Entry("claude-sonnet-4-6", "anthropic", 3.00m, 15.00m, 64000, 1, 200_000),
        Entry("gemini-2.0-flash", "google", 0.10m, 0.40m, 8192, 1, 1_048_576),
        Entry("grok-2", "xai", 2.00m, 10.00m, 8192, 1, 131_072),
        Entry("mock-1", "mock", 1.00m, 2.00m, 4096, 1, 32_768),
        // Exercises the GPT-5-style minimum output cap (API.md §6.1: min 16 → 422 below it).
        Entry("mock-16", "mock", 1.00m, 2.00m, 4096, 16, 32_768),
    ];

    private static ModelEntryOptions Entry(string slug, string provider, decimal input, decimal output, int maxOut, int minOut, int context) => new()
    {
        Slug = slug,
        Routes = [new ModelRouteOptions { Provider = provider, ProviderModelId = slug }],
        InputUsdPerMtok = input,
        OutputUsdPerMtok = output,
        MaxOutputTokens = maxOut,
        MinOutputTokens = minOut,
        ContextWindow = context,
    };
}
