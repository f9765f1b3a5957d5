namespace Assistiv.Platform.Network;

/// <summary>
/// Outbound target guard settings (API.md §1.3, §1.8), bound from <c>Gateway:Network</c>.
/// </summary>
public sealed class OutboundGuardOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Gateway:Network";

    /// <summary>
    /// <c>Gateway:Network:AllowPrivateTargets</c>: when true, API-supplied hosts may resolve to private, loopback and
    /// other reserved addresses and may use <c>http://</c>. Default <see langword="false"/> in every environment; tests
    /// and local demos set it explicitly (WireMock listens on loopback).
    /// </summary>
    public bool AllowPrivateTargets { get; set; }
}
