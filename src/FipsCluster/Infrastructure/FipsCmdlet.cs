using System.Management.Automation;
using FipsCluster.Core.Operations;

namespace FipsCluster.Infrastructure;

/// <summary>
/// What every FipsCluster cmdlet shares: Ctrl+C becomes cancellation of the core call, the core's
/// diagnostics, progress and ShouldProcess questions reach the pipeline thread, and core exceptions become
/// ErrorRecords with their stable ids.
/// </summary>
public abstract class FipsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>
    /// Runs a core service on a worker thread with an <see cref="OperationContext"/> wired to this cmdlet,
    /// pumping its output onto the pipeline thread until it finishes. Ctrl+C cancels it promptly.
    /// </summary>
    protected T RunCore<T>(Func<OperationContext, Task<T>> work)
    {
        var dispatcher = new PipelineDispatcher();
        var activityId = Math.Abs(GetType().Name.GetHashCode(StringComparison.Ordinal) % 10000) + 1;
        var context = new OperationContext
        {
            Cancellation = _stopping.Token,
            Verbose = message => dispatcher.Post(() => WriteVerbose(message)),
            Debug = message => dispatcher.Post(() => WriteDebug(message)),
            Warning = message => dispatcher.Post(() => WriteWarning(message)),
            Progress = progress => dispatcher.Post(() => WriteProgress(new ProgressRecord(activityId, progress.Activity, progress.Status)
            {
                PercentComplete = progress.PercentComplete,
                RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            })),
            ShouldProcess = (target, action) => dispatcher.Send(() => ShouldProcess(target, action)),
        };
        try
        {
            return dispatcher.Run(() => work(context));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>A per-item failure: reported, and the pipeline goes on.</summary>
    protected void WriteFailure(FipsClusterException exception) => WriteError(ToErrorRecord(exception));

    /// <summary>Input or state that makes the whole command unusable.</summary>
    protected void ThrowFailure(FipsClusterException exception) => ThrowTerminatingError(ToErrorRecord(exception));

    internal static ErrorRecord ToErrorRecord(FipsClusterException exception)
    {
        var category = Enum.TryParse<ErrorCategory>(exception.Category.ToString(), out var parsed) ? parsed : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(exception, exception.ErrorId, category, exception.Target);
        if (exception.RecommendedAction is { } action)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = action };
        }
        return record;
    }

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
