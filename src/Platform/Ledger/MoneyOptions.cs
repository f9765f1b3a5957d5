using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// Settings of the money layer, read from the API.md §1.3 keys: <c>Gateway:Billing:EnforceWallet</c> (default true),
/// <c>Gateway:Mcp:PricePerCallUsd</c> (0.001), <c>Gateway:Mcp:FreeCallsPerMonth</c> (1000),
/// <c>Gateway:Inference:TotalTimeoutSeconds</c> (600; holds older than it + 60 s are swept, §5.6) and
/// <c>Gateway:InstanceId</c> (default machine name + <c>:</c> + listen port).
/// </summary>
public sealed class MoneyOptions
{
    /// <summary>False: the wallet is debited but never blocks a call.</summary>
    public bool EnforceWallet { get; set; } = true;

    /// <summary>Price of a paid tool call in micro-USD (from <c>Gateway:Mcp:PricePerCallUsd</c>).</summary>
    public long PricePerCallMicros { get; set; } = 1_000;

    /// <summary>Free tool calls per platform per UTC month.</summary>
    public long FreeCallsPerMonth { get; set; } = 1_000;

    /// <summary><c>Gateway:Inference:TotalTimeoutSeconds</c>.</summary>
    public int TotalTimeoutSeconds { get; set; } = 600;

    /// <summary>This instance's id, recorded on holds.</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>How often the period and hold sweepers run (API.md §1.4: every 60 s).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Age after which an open hold is released by the sweeper: total timeout + 60 s (API.md §5.6).</summary>
    public TimeSpan HoldExpiry => TimeSpan.FromSeconds(TotalTimeoutSeconds + 60);

    /// <summary>Errors found while reading configuration, reported by the validator at start-up.</summary>
    internal List<string> ReadErrors { get; } = [];

    /// <summary>Fills the options from configuration.</summary>
    /// <param name="configuration">The app configuration.</param>
    public void Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration["Gateway:Billing:EnforceWallet"] is { } enforce)
        {
            if (bool.TryParse(enforce, out var e))
            {
                EnforceWallet = e;
            }
            else
            {
                ReadErrors.Add($"Gateway:Billing:EnforceWallet must be true or false (got '{enforce}').");
            }
        }

        if (configuration["Gateway:Mcp:PricePerCallUsd"] is { } price)
        {
            if (MicroUsdText.TryParse(price, out var micros))
            {
                PricePerCallMicros = micros;
            }
            else
            {
                ReadErrors.Add($"Gateway:Mcp:PricePerCallUsd must be a non-negative amount with at most 6 decimals, e.g. 0.001 (got '{price}').");
            }
        }

        if (configuration["Gateway:Mcp:FreeCallsPerMonth"] is { } free)
        {
            if (long.TryParse(free, NumberStyles.None, CultureInfo.InvariantCulture, out var f))
            {
                FreeCallsPerMonth = f;
            }
            else
            {
                ReadErrors.Add($"Gateway:Mcp:FreeCallsPerMonth must be 0 or more, e.g. 1000 (got '{free}').");
            }
        }

        if (configuration["Gateway:Inference:TotalTimeoutSeconds"] is { } total)
        {
            if (int.TryParse(total, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0)
            {
                TotalTimeoutSeconds = t;
            }
            else
            {
                ReadErrors.Add($"Gateway:Inference:TotalTimeoutSeconds must be a positive integer, e.g. 600 (got '{total}').");
            }
        }

        InstanceId = configuration["Gateway:InstanceId"] is { Length: > 0 } id ? id : DefaultInstanceId(configuration);
    }

    /// <summary>Machine name + <c>:</c> + the port of the first listen URL (API.md §1.3).</summary>
    /// <param name="configuration">The app configuration.</param>
    public static string DefaultInstanceId(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration["Gateway:ListenUrls"] is { Length: > 0 } l ? l : configuration["urls"] ?? "http://127.0.0.1:8080";
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        // Kestrel accepts wildcard hosts (http://*:80, http://+:80) that Uri refuses; the port is all that matters here.
        var port = Uri.TryCreate(first.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal),
            UriKind.Absolute, out var uri) ? uri.Port : 8080;
        return Environment.MachineName + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>Start-up validation of <see cref="MoneyOptions"/> (STYLE.md §0.5).</summary>
internal sealed class MoneyOptionsValidator : IValidateOptions<MoneyOptions>
{
    public ValidateOptionsResult Validate(string? name, MoneyOptions options)
    {
        var errors = new List<string>(options.ReadErrors);
        if (options.FreeCallsPerMonth < 0)
        {
            errors.Add("Gateway:Mcp:FreeCallsPerMonth must be 0 or more, e.g. 1000.");
        }

        if (options.InstanceId.Length > 200)
        {
            errors.Add("Gateway:InstanceId must be at most 200 characters.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
