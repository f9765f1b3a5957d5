namespace Assistiv.Platform.Network;

/// <summary>
/// Thrown by the guarded connect callback when every address of a host is refused (API.md §1.8). <c>HttpClient</c>
/// surfaces it as the inner exception of an <see cref="HttpRequestException"/>: a connection failure, which callers map
/// to <c>blocked_target</c> (webhooks), a failed candidate (inference) or <c>upstream_unavailable</c> (GitHub Enterprise).
/// </summary>
public sealed class OutboundTargetBlockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public OutboundTargetBlockedException()
        : base("The outbound target is not allowed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">A message naming the host, never a credential.</param>
    public OutboundTargetBlockedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">A message naming the host, never a credential.</param>
    /// <param name="innerException">The cause.</param>
    public OutboundTargetBlockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
