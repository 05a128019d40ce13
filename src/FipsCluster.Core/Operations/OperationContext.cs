namespace FipsCluster.Core.Operations;

/// <summary>Progress of a long operation, as the cmdlet layer turns it into Write-Progress.</summary>
public sealed record OperationProgress(string Activity, string Status, int PercentComplete = -1, bool Completed = false);

/// <summary>
/// What every core service receives from its caller: cancellation (wired to Ctrl+C), where to report
/// progress and diagnostics, and the "should I?" question asked before anything changes state.
/// The callbacks may be invoked from any thread; the cmdlet layer marshals them onto the pipeline thread.
/// Nothing passed to them may contain a secret.
/// </summary>
public sealed class OperationContext
{
    public static OperationContext None { get; } = new();

    public CancellationToken Cancellation { get; init; }

    public Action<string> Verbose { get; init; } = static _ => { };

    public Action<string> Debug { get; init; } = static _ => { };

    public Action<string> Warning { get; init; } = static _ => { };

    public Action<OperationProgress> Progress { get; init; } = static _ => { };

    /// <summary>Asked before any change of state: (target, action) → go ahead?</summary>
    public Func<string, string, bool> ShouldProcess { get; init; } = static (_, _) => true;

    /// <summary>
    /// The user asked for plaintext or unverified transport to be accepted (-AllowInsecureTransport); otherwise
    /// <see cref="InsecureTransport"/> refuses it.
    /// </summary>
    public bool AllowInsecureTransport { get; init; }

    /// <summary>The endpoints already warned about in this operation (each is warned about once).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<string, bool> InsecureEndpointsWarned { get; } = new(StringComparer.Ordinal);
}
