namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// <c>connectors.json</c> could not be loaded or failed validation (STYLE.md §3: every error is collected and start-up
/// fails with all of them). <see cref="Exception.Message"/> lists each error on its own line.
/// </summary>
public sealed class ConnectorCatalogueException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ConnectorCatalogueException()
        : this([])
    {
    }

    /// <summary>Creates the exception with one message.</summary>
    /// <param name="message">The message.</param>
    public ConnectorCatalogueException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with one message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConnectorCatalogueException(string message, Exception innerException)
        : base(Format([message]), innerException)
    {
        Errors = [message];
    }

    /// <summary>Creates the exception with every error found.</summary>
    /// <param name="errors">The errors, each naming its location and the fix.</param>
    public ConnectorCatalogueException(IReadOnlyList<string> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    /// <summary>Every error found, each naming its location (e.g. <c>apps[0].tools[3].inputSchema.properties.labels</c>).</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Format(IReadOnlyList<string> errors) =>
        errors.Count == 0
            ? "The connector catalogue (connectors.json) is invalid."
            : $"The connector catalogue (connectors.json) is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine} - "
              + string.Join(Environment.NewLine + " - ", errors);
}
