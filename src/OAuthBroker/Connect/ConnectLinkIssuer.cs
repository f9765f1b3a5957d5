using Assistiv.Connectors.Registry;
using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Assistiv.OAuthBroker.Connect;

/// <summary>
/// Mints connect links (API.md §9.1): a 32-byte token stored as SHA-256, valid 10 minutes, single use, bound to
/// platform, end user, app and optionally an MCP <c>elicitationId</c>.
/// </summary>
internal sealed class ConnectLinkIssuer(IDbContextFactory<PlatformDbContext> db, TimeProvider time, IOptions<GatewayOptions> gateway) : IConnectLinkIssuer
{
    /// <summary>API.md §9.1, §12: connect tokens and OAuth states live 10 minutes.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public async ValueTask<Uri> CreateConnectLinkAsync(ConnectionRef connection, string? elicitationId, CancellationToken cancellationToken)
    {
        var token = OAuthSecrets.NewToken();
        var now = time.UtcNowMs();
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            context.ConnectTokens.Add(new ConnectTokenRecord
            {
                Id = Ids.NewId(time),
                TokenHash = OAuthSecrets.Hash(token),
                PlatformId = connection.PlatformId,
                EndUserId = connection.EndUserId,
                App = connection.App,
                ElicitationId = elicitationId,
                CreatedAt = now,
                ExpiresAt = now + Lifetime,
            });
            await context.SaveChangesAsync(cancellationToken);
        }

        return new Uri(gateway.Value.Url("/oauth/authorize?app=" + Uri.EscapeDataString(connection.App) + "&connect_token=" + token));
    }
}
