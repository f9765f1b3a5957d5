using System.Collections.Concurrent;
using Assistiv.Platform.Metering;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>An <see cref="IToolCallMeter"/> that admits as told and records every completion.</summary>
public sealed class RecordingMeter : IToolCallMeter
{
    public ToolAdmissionStatus AdmitStatus { get; set; } = ToolAdmissionStatus.Admitted;

    private int _admissions;

    public int Admissions => Volatile.Read(ref _admissions);

    public ConcurrentQueue<(ToolMeterRequest Request, ToolAdmission? Admission, ToolCallCompletion Completion)> Completions { get; } = new();

    public ValueTask<ToolAdmission> AdmitAsync(ToolMeterRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _admissions);
        return ValueTask.FromResult(new ToolAdmission(AdmitStatus, AdmitStatus == ToolAdmissionStatus.Admitted, null));
    }

    /// <summary>When set, completions wait for it before they are recorded (a settlement still running).</summary>
    public TaskCompletionSource? CompletionGate { get; set; }

    public async ValueTask CompleteAsync(ToolMeterRequest request, ToolAdmission? admission, ToolCallCompletion completion, CancellationToken cancellationToken)
    {
        if (CompletionGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        Completions.Enqueue((request, admission, completion));
    }

    public ToolCallCompletion Single()
    {
        Assert.Single(Completions);
        return Completions.First().Completion;
    }
}
