using Octokit;
using Octokit.Internal;

namespace Assistiv.Connectors.GitHub;

/// <summary>
/// Octokit's <see cref="HttpClientAdapter"/> (redirects, request building, response reading) with one change: a request
/// is cancelled by the tool call's own token, not by a timer Octokit makes per request. Octokit 14's
/// <c>HttpClientAdapter.Send</c> wraps every request whose <c>Request.Timeout</c> is set (100 s by default) in a new
/// <see cref="CancellationTokenSource"/> with that timeout plus a linked source, and never disposes either: each GitHub
/// call left a live 100-second timer behind, so at a few hundred calls per second the process carried tens of thousands
/// of timers that the runtime's timer queue scans and then fires (decision 0085).
/// </summary>
/// <remarks>
/// <para>This class re-implements <see cref="IHttpClient.Send"/> (Octokit's <c>Connection</c> calls the interface), so
/// the base class's timer is never created. The tool broker's call token already carries the call timeout
/// (<c>ToolBroker.CallTimeout</c>), and the adapter's <see cref="HttpClient.Timeout"/> is infinite for the same reason.</para>
/// <para>Octokit's <c>GetRaw</c> and <c>Patch</c> overloads pass no token: those requests get <paramref name="callToken"/>,
/// so they stop with the call instead of running on after it.</para>
/// </remarks>
/// <param name="getHandler">The (pooled) handler to send through; the adapter wraps it in Octokit's redirect handler.</param>
/// <param name="callToken">The tool call's token: cancelled at the call timeout or when the client goes away.</param>
internal sealed class GitHubHttpClient(Func<HttpMessageHandler> getHandler, CancellationToken callToken)
    : HttpClientAdapter(getHandler), IHttpClient
{
    /// <summary>Creates the adapter with no timeout of its own (the call's token bounds every request).</summary>
    public static GitHubHttpClient Create(Func<HttpMessageHandler> getHandler, CancellationToken callToken)
    {
        var client = new GitHubHttpClient(getHandler, callToken);
        client.SetRequestTimeout(Timeout.InfiniteTimeSpan);
        return client;
    }

    /// <summary>
    /// Sends <paramref name="request"/> as Octokit's adapter does (its request building, redirect handling and response
    /// reading), cancelled by <paramref name="cancellationToken"/>, or by the call's token when Octokit passed none.
    /// </summary>
    /// <exception cref="OperationCanceledException">The call's token was cancelled.</exception>
    /// <exception cref="HttpRequestException">The upstream could not be reached.</exception>
    async Task<IResponse> IHttpClient.Send(IRequest request, CancellationToken cancellationToken, Func<object, object>? preprocessResponseBody)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = cancellationToken.CanBeCanceled ? cancellationToken : callToken;
        using var message = BuildRequestMessage(request);
        var response = await SendAsync(message, token).ConfigureAwait(false);
        return await BuildResponse(response, preprocessResponseBody).ConfigureAwait(false);
    }
}
