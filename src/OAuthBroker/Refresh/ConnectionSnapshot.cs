using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.OAuthBroker.Refresh;

/// <summary>The token-relevant columns of one connection row, as read for a token decision.</summary>
internal sealed record ConnectionSnapshot(
    Guid Id,
    string Status,
    string? TokensProtected,
    DateTimeOffset? ExpiresAt,
    long Version,
    string SettingsJson)
{
    public bool Usable => Status == ConnectionStatus.Connected && TokensProtected is not null;

    public static Task<ConnectionSnapshot?> ReadAsync(PlatformDbContext db, ConnectionRef c, CancellationToken cancellationToken) =>
        db.Connections.AsNoTracking()
            .Where(x => x.PlatformId == c.PlatformId && x.EndUserId == c.EndUserId && x.App == c.App)
            .Select(x => new ConnectionSnapshot(x.Id, x.Status, x.TokensProtected, x.TokenExpiresAt, x.TokenVersion, x.SettingsJson))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>Connection settings plus the bundle's provider extras, the map connectors receive.</summary>
    public IReadOnlyDictionary<string, string> Settings(TokenBundle bundle)
    {
        var settings = TokenVault.ReadSettings(SettingsJson);
        if (bundle.Extras is not { Count: > 0 } extras)
        {
            return settings.Count == 0 ? AccessTokenResult.NoSettings : settings;
        }

        var merged = new Dictionary<string, string>(settings, StringComparer.Ordinal);
        foreach (var (k, v) in extras)
        {
            merged.TryAdd(k, v);
        }

        return merged;
    }
}
