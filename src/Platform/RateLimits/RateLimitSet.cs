namespace Assistiv.Platform.RateLimits;

/// <summary>
/// A limit set (API.md §4.8): requests per minute, tokens per minute, requests per day; null = inherit (override) or
/// unlimited (platform default). Ranges (API.md §12): integers ≥ 1, ≤ 1,000,000 / 100,000,000 / 100,000,000.
/// </summary>
/// <param name="RpmLimit">Requests per minute.</param>
/// <param name="TpmLimit">Tokens per minute.</param>
/// <param name="RpdLimit">Requests per day.</param>
public readonly record struct RateLimitSet(int? RpmLimit, int? TpmLimit, int? RpdLimit)
{
    /// <summary>Largest <c>rpm_limit</c>.</summary>
    public const int MaxRpm = 1_000_000;

    /// <summary>Largest <c>tpm_limit</c>.</summary>
    public const int MaxTpm = 100_000_000;

    /// <summary>Largest <c>rpd_limit</c>.</summary>
    public const int MaxRpd = 100_000_000;

    /// <summary>All three null.</summary>
    public bool IsEmpty => RpmLimit is null && TpmLimit is null && RpdLimit is null;
}

/// <summary>Stored limits and when they last changed (null when never set).</summary>
/// <param name="Limits">The limit set.</param>
/// <param name="UpdatedAt">Last change, or null.</param>
public sealed record StoredRateLimits(RateLimitSet Limits, DateTimeOffset? UpdatedAt);

/// <summary>
/// Effective limits of an end user (API.md §4.8, §7.1): per field override → platform default → none, with where each
/// came from (<c>explicit</c>, <c>default</c>, <c>none</c>) and the overall <c>resolution</c>.
/// </summary>
/// <param name="Limits">Resolved values; null = unlimited.</param>
/// <param name="Resolution"><c>explicit</c> if an override exists, else <c>default</c> if any platform default is set, else <c>none</c>.</param>
/// <param name="RpmSource">Source of <c>rpm_limit</c>.</param>
/// <param name="TpmSource">Source of <c>tpm_limit</c>.</param>
/// <param name="RpdSource">Source of <c>rpd_limit</c>.</param>
public sealed record EffectiveRateLimits(RateLimitSet Limits, string Resolution, string RpmSource, string TpmSource, string RpdSource)
{
    /// <summary>The value came from the end user's override.</summary>
    public const string Explicit = "explicit";

    /// <summary>The value came from the platform default.</summary>
    public const string Default = "default";

    /// <summary>No limit.</summary>
    public const string None = "none";

    /// <summary>Resolves per field (API.md §4.8).</summary>
    /// <param name="platformDefault">The platform default (all null when never set).</param>
    /// <param name="userOverride">The end user's override, or null.</param>
    public static EffectiveRateLimits Resolve(RateLimitSet platformDefault, RateLimitSet? userOverride)
    {
        var o = userOverride ?? default;
        var (rpm, rpmSource) = Pick(o.RpmLimit, platformDefault.RpmLimit);
        var (tpm, tpmSource) = Pick(o.TpmLimit, platformDefault.TpmLimit);
        var (rpd, rpdSource) = Pick(o.RpdLimit, platformDefault.RpdLimit);
        var resolution = userOverride is not null ? Explicit : platformDefault.IsEmpty ? None : Default;
        return new EffectiveRateLimits(new RateLimitSet(rpm, tpm, rpd), resolution, rpmSource, tpmSource, rpdSource);
    }

    private static (int? Value, string Source) Pick(int? overrideValue, int? defaultValue) =>
        overrideValue is { } v ? (v, Explicit) : defaultValue is { } d ? (d, Default) : (null, None);
}
