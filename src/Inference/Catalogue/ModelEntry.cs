namespace Assistiv.Inference.Catalogue;

/// <summary>
/// One model of the catalogue (API.md §6.1). Prices are integer micro-USD per million tokens, so a charge is
/// <c>⌈tokens × price / 10⁶⌉</c> µ$ with no floating point (API.md §5.1, §5.7).
/// </summary>
/// <param name="Slug">The public model id, <c>^[a-zA-Z0-9._:/-]{1,128}$</c>.</param>
/// <param name="Routes">Providers that serve the slug, with their upstream model ids, in catalogue order.</param>
/// <param name="InputMicrosPerMtok">Prompt price, µ$ per 1M tokens.</param>
/// <param name="OutputMicrosPerMtok">Completion price, µ$ per 1M tokens.</param>
/// <param name="CachedInputMicrosPerMtok">Cached-prompt price, µ$ per 1M tokens (defaults to the input price).</param>
/// <param name="MaxOutputTokens">Largest output cap a request may ask for.</param>
/// <param name="MinOutputTokens">Smallest output cap a request may ask for (default 1; 16 for GPT-5-style models).</param>
/// <param name="ContextWindow">Context window in tokens.</param>
/// <param name="UsesMaxCompletionTokens">Send the cap upstream as <c>max_completion_tokens</c>.</param>
/// <param name="Created">Unix seconds shown by <c>GET /v1/models</c> (default 0).</param>
public sealed record ModelEntry(
    string Slug,
    IReadOnlyList<ModelRoute> Routes,
    long InputMicrosPerMtok,
    long OutputMicrosPerMtok,
    long CachedInputMicrosPerMtok,
    int MaxOutputTokens,
    int MinOutputTokens,
    int ContextWindow,
    bool UsesMaxCompletionTokens,
    long Created);

/// <summary>A provider that serves a catalogue model (API.md §6.1 <c>routes</c>).</summary>
/// <param name="Provider">Provider slug (<c>openai</c>, <c>anthropic</c>, <c>google</c>, <c>xai</c>, <c>mock</c>, …).</param>
/// <param name="ProviderModelId">The model id sent upstream.</param>
public sealed record ModelRoute(string Provider, string ProviderModelId);
