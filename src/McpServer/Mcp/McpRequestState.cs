using System.Security.Cryptography;
using System.Text.Json;
using Assistiv.Platform.Secrets;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The 2026-07-28 <c>requestState</c> of a connect elicitation (API.md §8.5): a Data Protection payload (purpose
/// <see cref="SecretPurposes.McpRequestState"/>) binding platform, end user, app, tool and the SHA-256 of the arguments,
/// valid 10 minutes. The client echoes it verbatim; it is attacker-controlled, hence authenticated encryption and the
/// bindings.
/// </summary>
internal sealed class McpRequestState(SecretProtector protector, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public string Create(Guid platformId, Guid endUserId, string app, string tool, string argumentsSha256)
    {
        var payload = new McpRequestStatePayload(platformId, endUserId, app, tool, argumentsSha256,
            time.GetUtcNow().Add(Lifetime).ToUnixTimeMilliseconds());
        var json = JsonSerializer.SerializeToUtf8Bytes(payload, McpJsonContext.Default.McpRequestStatePayload);
        return Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(protector.Protect(SecretPurposes.McpRequestState, json));
    }

    /// <summary>Whether <paramref name="state"/> decrypts, has not expired and names exactly this caller, tool and arguments.</summary>
    public bool Verify(string state, Guid platformId, Guid endUserId, string app, string tool, string argumentsSha256)
    {
        McpRequestStatePayload? payload;
        try
        {
            var bytes = protector.Unprotect(SecretPurposes.McpRequestState, Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(state));
            payload = JsonSerializer.Deserialize(bytes, McpJsonContext.Default.McpRequestStatePayload);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            return false;
        }

        return payload is not null
            && payload.Exp > time.GetUtcNow().ToUnixTimeMilliseconds()
            && payload.Platform == platformId
            && payload.EndUser == endUserId
            && string.Equals(payload.App, app, StringComparison.Ordinal)
            && string.Equals(payload.Tool, tool, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(payload.ArgumentsSha256 ?? ""), System.Text.Encoding.ASCII.GetBytes(argumentsSha256));
    }
}

/// <summary>The protected content of a <c>requestState</c>; <c>exp</c> is Unix milliseconds.</summary>
internal sealed record McpRequestStatePayload(Guid Platform, Guid EndUser, string App, string Tool, string ArgumentsSha256, long Exp);
