namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// The four MCP tool annotation hints of a catalogue tool (API.md §8.3). Every tool carries one of five sets:
/// <b>R</b> (read-only), <b>A</b> (additive), <b>AI</b> (additive, idempotent), <b>D</b> (destructive),
/// <b>DI</b> (destructive, idempotent); <c>openWorldHint</c> is always true.
/// </summary>
/// <param name="ReadOnly"><c>readOnlyHint</c>.</param>
/// <param name="Destructive"><c>destructiveHint</c>.</param>
/// <param name="Idempotent"><c>idempotentHint</c>.</param>
/// <param name="OpenWorld"><c>openWorldHint</c>.</param>
public readonly record struct ToolHints(bool ReadOnly, bool Destructive, bool Idempotent, bool OpenWorld)
{
    /// <summary>The set's short name (<c>R</c>, <c>A</c>, <c>AI</c>, <c>D</c>, <c>DI</c>), or null for any other combination.</summary>
    public string? SetName => this switch
    {
        { ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true } => "R",
        { ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true } => "A",
        { ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: true } => "AI",
        { ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: true } => "D",
        { ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: true } => "DI",
        _ => null,
    };
}
