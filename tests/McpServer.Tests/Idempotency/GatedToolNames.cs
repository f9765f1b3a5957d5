using Assistiv.McpServer.Endpoints.Platforms;

namespace Assistiv.McpServer.Tests.Idempotency;

/// <summary>
/// The service override of API.md §1.7 that holds a request inside its handler: the tool-policy validator of
/// <c>PATCH P</c> calls <see cref="IsTool"/>, which blocks on the entry <c>"gate"</c> until the test releases it, and
/// throws once on <c>"boom"</c> (a handler failure → 500).
/// </summary>
internal sealed class GatedToolNames : IToolNames, IDisposable
{
    private int _boom;

    public SemaphoreSlim Entered { get; } = new(0);

    public ManualResetEventSlim Released { get; } = new(false);

    public bool IsTool(string name)
    {
        if (name == "gate")
        {
            Entered.Release();
            Released.Wait(TimeSpan.FromSeconds(60));
        }
        else if (name == "boom" && Interlocked.Exchange(ref _boom, 1) == 0)
        {
            throw new InvalidOperationException("Injected handler failure.");
        }

        return true;
    }

    public bool IsApp(string app) => true;

    public void Dispose()
    {
        Released.Set();
        Entered.Dispose();
        Released.Dispose();
    }
}
