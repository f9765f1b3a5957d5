using System.Text.Json;
using Assistiv.Platform.Secrets;

namespace Assistiv.OAuthBroker.Vault;

/// <summary>Encrypts and decrypts token bundles and reads the JSON columns of a connection.</summary>
internal sealed class TokenVault(SecretProtector protector)
{
    public string Protect(TokenBundle bundle) =>
        protector.Protect(SecretPurposes.OAuthTokens, JsonSerializer.Serialize(bundle, OAuthBrokerJsonContext.Default.TokenBundle));

    /// <exception cref="System.Security.Cryptography.CryptographicException">The payload cannot be decrypted.</exception>
    public TokenBundle Unprotect(string protectedBundle) =>
        JsonSerializer.Deserialize(protector.Unprotect(SecretPurposes.OAuthTokens, protectedBundle), OAuthBrokerJsonContext.Default.TokenBundle)
        ?? throw new JsonException("Empty token bundle.");

    public string ProtectVerifier(string verifier) => protector.Protect(SecretPurposes.OAuthCodeVerifier, verifier);

    public string UnprotectVerifier(string protectedVerifier) => protector.Unprotect(SecretPurposes.OAuthCodeVerifier, protectedVerifier);

    public string UnprotectClientSecret(string protectedSecret) => protector.Unprotect(SecretPurposes.McpAppClientSecret, protectedSecret);

    public static string ScopesJson(IReadOnlyList<string> scopes) =>
        JsonSerializer.Serialize(scopes as string[] ?? [.. scopes], OAuthBrokerJsonContext.Default.StringArray);

    public static IReadOnlyList<string> ReadScopes(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, OAuthBrokerJsonContext.Default.StringArray) ?? [];

    public static string ErrorJson(StoredError error) => JsonSerializer.Serialize(error, OAuthBrokerJsonContext.Default.StoredError);

    public static StoredError? ReadError(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, OAuthBrokerJsonContext.Default.StoredError);

    public static string SettingsJson(Dictionary<string, string> settings) =>
        JsonSerializer.Serialize(settings, OAuthBrokerJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> ReadSettings(string? json) =>
        string.IsNullOrEmpty(json) || json == "{}" ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize(json, OAuthBrokerJsonContext.Default.DictionaryStringString) ?? [];
}
