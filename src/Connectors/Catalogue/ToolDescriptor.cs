using System.Text.Json;
using Json.Schema;

namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// One tool of <c>connectors.json</c> (API.md §8.3): what <c>tools/list</c> shows, for every protocol version, and what
/// <c>tools/call</c> validates arguments against. Immutable; built once at start-up.
/// </summary>
public sealed class ToolDescriptor
{
    internal ToolDescriptor(
        string name,
        AppDescriptor app,
        string title,
        string description,
        ToolHints annotations,
        JsonElement inputSchema,
        JsonElement? outputSchema,
        JsonSchema inputValidator,
        JsonSchema? outputValidator,
        int indexInApp)
    {
        Name = name;
        AppDescriptor = app;
        Title = title;
        Description = description;
        Annotations = annotations;
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
        InputValidator = inputValidator;
        OutputValidator = outputValidator;
        IndexInApp = indexInApp;
    }

    /// <summary>Tool name, <c>{app}_{action}</c>, matching <c>^[a-zA-Z0-9_-]{1,48}$</c>.</summary>
    public string Name { get; }

    /// <summary>The app id, e.g. <c>github</c>.</summary>
    public string App => AppDescriptor.Id;

    /// <summary>The app the tool belongs to.</summary>
    public AppDescriptor AppDescriptor { get; }

    /// <summary>Human-readable title (also <c>annotations.title</c>).</summary>
    public string Title { get; }

    /// <summary>Model-facing description.</summary>
    public string Description { get; }

    /// <summary>The four annotation hints.</summary>
    public ToolHints Annotations { get; }

    /// <summary>The <c>inputSchema</c> JSON Schema object (root <c>additionalProperties: false</c>).</summary>
    public JsonElement InputSchema { get; }

    /// <summary>The <c>outputSchema</c> for tools marked ◆ in API.md §8.3, else null; such tools return <c>structuredContent</c>.</summary>
    public JsonElement? OutputSchema { get; }

    /// <summary>
    /// Position in the catalogue's global list order (apps alphabetically, then the app's list order; API.md §8.4). Also
    /// the tool's bit in visibility masks.
    /// </summary>
    public int Index { get; internal set; }

    /// <summary>Position within the app's tools.</summary>
    public int IndexInApp { get; }

    internal JsonSchema InputValidator { get; }

    internal JsonSchema? OutputValidator { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
