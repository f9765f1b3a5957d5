using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The <c>Gateway:Mcp</c> settings the MCP endpoint reads (API.md §1.3, §8.2). Read from configuration by hand, because
/// <c>AllowedOrigins</c> may be given as an array (<c>Gateway:Mcp:AllowedOrigins:0</c>) or as one comma-separated value
/// (<c>Gateway__Mcp__AllowedOrigins=https://a.example,https://b.example</c>).
/// </summary>
internal sealed class McpGatewayOptions
{
    public const string SessionModeKey = "Gateway:Mcp:SessionMode";
    public const string AllowedOriginsKey = "Gateway:Mcp:AllowedOrigins";

    /// <summary>The raw <c>Gateway:Mcp:SessionMode</c> value (default <c>Stateless</c>).</summary>
    public string SessionModeText { get; set; } = nameof(McpSessionMode.Stateless);

    /// <summary>Origins allowed on <c>/mcp*</c> besides the public base URL's origin and loopback origins.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];

    /// <summary>The parsed session mode; only valid after validation.</summary>
    public McpSessionMode SessionMode =>
        Enum.TryParse<McpSessionMode>(SessionModeText, ignoreCase: true, out var mode) ? mode : McpSessionMode.Stateless;

    public static void Bind(McpGatewayOptions options, IConfiguration configuration)
    {
        if (configuration[SessionModeKey] is { Length: > 0 } mode)
        {
            options.SessionModeText = mode.Trim();
        }

        var origins = new List<string>();
        var section = configuration.GetSection(AllowedOriginsKey);
        AddSplit(origins, section.Value);
        foreach (var child in section.GetChildren())
        {
            AddSplit(origins, child.Value);
        }

        options.AllowedOrigins = origins;
    }

    private static void AddSplit(List<string> into, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        foreach (var part in value.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            into.Add(part);
        }
    }
}

/// <summary>How the SDK serves initialize-era clients (API.md §8.2). Plain <c>Stateful</c> is not offered.</summary>
internal enum McpSessionMode
{
    /// <summary>Every POST stands alone; GET and DELETE answer 405.</summary>
    Stateless,

    /// <summary>Initialize-era clients get sessions (GET stream, list_changed); 2026-07-28 requests stay stateless.</summary>
    StatefulForInitializeClients,
}

/// <summary>Start-up checks of <see cref="McpGatewayOptions"/>; messages name the key and a valid example (STYLE.md §0.5).</summary>
internal sealed class McpGatewayOptionsValidator : IValidateOptions<McpGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, McpGatewayOptions options)
    {
        var errors = new List<string>();
        if (!Enum.TryParse<McpSessionMode>(options.SessionModeText, ignoreCase: true, out _) || int.TryParse(options.SessionModeText, out _))
        {
            errors.Add($"{McpGatewayOptions.SessionModeKey} must be 'Stateless' or 'StatefulForInitializeClients' (got '{options.SessionModeText}'); " +
                "plain 'Stateful' is not offered because it refuses 2026-07-28 clients.");
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (origin.Contains('*', StringComparison.Ordinal))
            {
                errors.Add($"{McpGatewayOptions.AllowedOriginsKey} must not contain '*' (got '{origin}'): list each browser origin, e.g. https://app.example.com.");
            }
            else if (McpOriginPolicy.Normalize(origin) is null)
            {
                errors.Add($"{McpGatewayOptions.AllowedOriginsKey} entries must be origins like https://app.example.com (scheme, host, optional port; no path) (got '{origin}').");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
