namespace Assistiv.Platform.Keys;

/// <summary>Outcome of authenticating a presented key (API.md §2.4).</summary>
public enum KeyLookupStatus
{
    /// <summary>The key is valid.</summary>
    Ok,

    /// <summary><c>invalid_api_key</c>: malformed, unknown, or of a deleted platform.</summary>
    Invalid,

    /// <summary><c>key_expired</c>.</summary>
    Expired,

    /// <summary><c>key_revoked</c>: revoked, or its end user deleted.</summary>
    Revoked,
}

/// <summary>A lookup outcome and, when <see cref="KeyLookupStatus.Ok"/>, the principal.</summary>
/// <param name="Status">Outcome.</param>
/// <param name="Principal">The principal when valid.</param>
public readonly record struct KeyLookupResult(KeyLookupStatus Status, KeyPrincipal? Principal);
