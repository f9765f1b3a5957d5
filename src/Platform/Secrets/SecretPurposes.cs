namespace Assistiv.Platform.Secrets;

/// <summary>Data Protection purpose strings, one per secret kind (API.md §3.2).</summary>
public static class SecretPurposes
{
    /// <summary>LLM provider API keys.</summary>
    public const string LlmConfigApiKey = "gateway.llm-config.api-key.v1";

    /// <summary>OAuth client secrets of activated MCP apps.</summary>
    public const string McpAppClientSecret = "gateway.mcp-app.client-secret.v1";

    /// <summary>End users' OAuth token bundles.</summary>
    public const string OAuthTokens = "gateway.oauth.tokens.v1";

    /// <summary>PKCE code verifiers held in OAuth states.</summary>
    public const string OAuthCodeVerifier = "gateway.oauth.code-verifier.v1";

    /// <summary>Webhook signing secrets.</summary>
    public const string WebhookSecret = "gateway.webhook.secret.v1";

    /// <summary>Stored idempotent response bodies.</summary>
    public const string IdempotencyBody = "gateway.idempotency.body.v1";

    /// <summary>MCP 2026-07-28 <c>requestState</c> payloads.</summary>
    public const string McpRequestState = "gateway.mcp.request-state.v1";
}
