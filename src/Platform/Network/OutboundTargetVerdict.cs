namespace Assistiv.Platform.Network;

/// <summary>The outcome of <see cref="OutboundTargetGuard.CheckAsync"/> (API.md §1.8 creation-time check).</summary>
public enum OutboundTargetVerdict
{
    /// <summary>The URL may be stored and called.</summary>
    Allowed,

    /// <summary>Not an absolute URL, or it carries user info (<c>user:pass@</c>); answer 422 with <c>param</c> = the field.</summary>
    InvalidUrl,

    /// <summary>Not <c>https://</c> (or <c>http://</c> while <c>AllowPrivateTargets</c> is off); answer 422.</summary>
    SchemeNotAllowed,

    /// <summary>The host is, or resolves to, a refused address (loopback, private, link-local, …); answer 422.</summary>
    BlockedTarget,

    /// <summary>The host name does not resolve; answer 422.</summary>
    Unresolvable,
}
