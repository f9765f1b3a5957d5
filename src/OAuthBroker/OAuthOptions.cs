namespace Assistiv.OAuthBroker;

/// <summary><c>Gateway:OAuth</c> settings (API.md §1.3).</summary>
internal sealed class OAuthOptions
{
    public const string Section = "Gateway:OAuth";

    /// <summary><c>Gateway:OAuth:RefreshSkewSeconds</c>: refresh this long before expiry (default 300, API.md §9.5).</summary>
    public int RefreshSkewSeconds { get; set; } = 300;

    public TimeSpan RefreshSkew => TimeSpan.FromSeconds(RefreshSkewSeconds);
}
