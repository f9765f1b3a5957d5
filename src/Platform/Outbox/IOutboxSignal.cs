namespace Assistiv.Platform.Outbox;

/// <summary>
/// Woken after a transaction that wrote outbox rows has committed (STYLE.md §6: the channel only wakes the dispatcher;
/// durable state is the table). The webhooks issue's dispatcher implements it; until then nothing listens.
/// </summary>
public interface IOutboxSignal
{
    /// <summary>New events were committed. Must not block.</summary>
    void Nudge();
}

internal sealed class NoOutboxSignal : IOutboxSignal
{
    public void Nudge()
    {
    }
}
