using Assistiv.McpServer.Errors;

namespace Assistiv.McpServer.Idempotency;

/// <summary>
/// Endpoint metadata that turns <c>Idempotency-Key</c> handling on or off (API.md §2.8 column <c>Idem</c>, §11.3). The
/// platform group carries <see cref="Applies"/>; a route that must ignore the header (<c>POST P/logs/search</c>, a read)
/// carries <see cref="Ignored"/>, which wins because the most specific metadata is the last one.
/// </summary>
/// <param name="Enabled">Whether POST/PATCH/PUT of the route accept <c>Idempotency-Key</c>.</param>
/// <param name="PreCheck">
/// Checks that must pass before a stored outcome may be replayed, given the raw body: <c>POST P/api-keys</c> decides its
/// scope from the body, so that a management-only key never receives an admin key through a replay (API.md §11.3).
/// An error returned here is answered as is and never stored.
/// </param>
internal sealed record IdempotentRouteMetadata(bool Enabled, Func<HttpContext, ReadOnlyMemory<byte>, ApiErrorResult?>? PreCheck = null)
{
    public static IdempotentRouteMetadata Applies { get; } = new(true);

    public static IdempotentRouteMetadata Ignored { get; } = new(false);
}
