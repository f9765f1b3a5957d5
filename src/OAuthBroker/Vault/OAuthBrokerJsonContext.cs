using System.Text.Json.Serialization;

namespace Assistiv.OAuthBroker.Vault;

/// <summary>The broker's own stored JSON (token bundles, <c>last_error</c>, scope arrays), snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenBundle))]
[JsonSerializable(typeof(StoredError))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class OAuthBrokerJsonContext : JsonSerializerContext
{
}

/// <summary>The stored <c>last_error</c> object of a connection (API.md §4.11): <c>{"code","message","at"}</c>.</summary>
/// <param name="Code">Error code (<c>invalid_grant</c> after a terminal refresh error).</param>
/// <param name="Message">Short text (the provider's error code), never a token.</param>
/// <param name="At">When it happened.</param>
internal sealed record StoredError(string Code, string Message, DateTimeOffset At);
