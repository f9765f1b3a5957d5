namespace Assistiv.Connectors.Registry;

/// <summary>Identifies one end user's connection to one app: the unit of OAuth tokens and of refresh single-flight.</summary>
/// <param name="PlatformId">The platform.</param>
/// <param name="EndUserId">The end user.</param>
/// <param name="App">Catalogue app id, e.g. <c>github</c>.</param>
public readonly record struct ConnectionRef(Guid PlatformId, Guid EndUserId, string App);
