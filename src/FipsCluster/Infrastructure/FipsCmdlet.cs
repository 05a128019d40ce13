using System.Management.Automation;
using System.Security;
using FipsCluster.Core.Operations;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Infrastructure;

/// <summary>
/// What every FipsCluster cmdlet shares: Ctrl+C becomes cancellation of the core call, the core's diagnostics, progress
/// and ShouldProcess questions reach the pipeline thread, and every failure — a core exception with its stable id, or
/// whatever else escapes — becomes an ErrorRecord whose id comes from <see cref="ErrorIds"/> (see <see cref="Classify"/>).
/// </summary>
/// <remarks>
/// The lifecycle methods are sealed here so that nothing can leave a cmdlet unmapped: cmdlets override
/// <see cref="BeginProcessingCore"/>, <see cref="ProcessRecordCore"/> and <see cref="EndProcessingCore"/>. What escapes them
/// is reported as follows (about_FipsCluster, ERRORS): from ProcessRecord it is that input's failure (non-terminating);
/// from BeginProcessing or EndProcessing it ends the command (terminating) — except in the Test-* cmdlets, which never
/// end with a terminating error of their own: they report the failure and, with -Quiet, still answer one $false.
/// </remarks>
public abstract class FipsCmdlet : PSCmdlet, IDynamicParameters, IDisposable
{
    /// <summary>The parameter groups declared once and shared across cmdlets (SSH login, AWS account); added in constructors.</summary>
    private protected ParameterBlockSet Blocks { get; } = new();

    /// <summary>The blocks' parameters: PowerShell lists, binds, completes and documents them as the cmdlet's own.</summary>
    public object? GetDynamicParameters() => Blocks.Parameters;

    private readonly CancellationTokenSource _stopping = new();

    // The Test-* contract (see FipsVerdictCmdlet): true only when at least one item was judged and every one passed.
    private bool _allPass = true;
    private int _judged;
    private bool _abandoned;

    // An exception that came back out of the pipeline (a downstream command's terminating error, e.g. a script's throw in
    // ForEach-Object) is not this cmdlet's failure: it passes through the guard as it is.
    private Exception? _fromPipeline;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected sealed override void BeginProcessing() => Guard(BeginProcessingCore, Phase.Begin);

    protected sealed override void ProcessRecord()
    {
        if (!_abandoned)
        {
            Guard(ProcessRecordCore, Phase.Process);
        }
    }

    protected sealed override void EndProcessing()
    {
        if (!_abandoned)
        {
            Guard(EndProcessingCore, Phase.End);
        }
        if (Verdicts is VerdictMode.Quiet)
        {
            WriteObject(_allPass && _judged > 0);
        }
    }

    protected virtual void BeginProcessingCore()
    {
    }

    protected virtual void ProcessRecordCore()
    {
    }

    protected virtual void EndProcessingCore()
    {
    }

    private enum Phase
    {
        Begin,
        Process,
        End,
    }

    /// <summary>Whether this cmdlet answers with verdicts (the Test-* cmdlets), and whether as reports or as one [bool] (-Quiet).</summary>
    private protected enum VerdictMode
    {
        None,
        Reports,
        Quiet,
    }

    private protected virtual VerdictMode Verdicts => VerdictMode.None;

    /// <summary>Thrown after a Test-* cmdlet reported a failure that makes the whole command unusable; the guard swallows it.</summary>
    private sealed class CommandAbandonedException : Exception
    {
    }

    private void Guard(Action phase, Phase which)
    {
        try
        {
            Blocks.Accept();
            phase();
        }
        catch (CommandAbandonedException)
        {
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (!IsFlowControl(ex) && !ReferenceEquals(ex, _fromPipeline))
        {
            var failure = Classify(ex);
            if (Verdicts is not VerdictMode.None)
            {
                _allPass = false;
                _abandoned |= which is Phase.Begin;
                WriteFailure(failure);
            }
            else if (which is Phase.Process)
            {
                WriteFailure(failure);
            }
            else
            {
                ThrowTerminatingError(ToErrorRecord(failure));
            }
        }
    }

    /// <summary>
    /// PowerShell's own control flow passes through untouched: a stopped pipeline (Ctrl+C, a downstream terminating error,
    /// ThrowTerminatingError), -ErrorAction Stop and its kin.
    /// </summary>
    private static bool IsFlowControl(Exception exception) =>
        exception is PipelineStoppedException or ActionPreferenceStopException or HaltCommandException or FlowControlException
            or OutOfMemoryException or StackOverflowException;

    /// <summary>
    /// Runs a core service on a worker thread with an <see cref="OperationContext"/> wired to this cmdlet,
    /// pumping its output onto the pipeline thread until it finishes. Ctrl+C cancels it promptly. Whatever the
    /// service throws arrives classified (<see cref="FipsClusterException"/>), so the caller's catch decides how it is reported.
    /// </summary>
    protected T RunCore<T>(Func<OperationContext, Task<T>> work)
    {
        var dispatcher = new PipelineDispatcher(onFault: _stopping.Cancel);
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
            AllowInsecureTransport = this is IInsecureTransportOptIn { AllowInsecureTransport.IsPresent: true },
        };
        try
        {
            return dispatcher.Run(() => work(context));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (ex is not FipsClusterException && !IsFlowControl(ex))
        {
            throw Classify(ex);
        }
    }

    /// <summary>
    /// The one mapping from whatever failed to a <see cref="FipsClusterException"/> with an id from <see cref="ErrorIds"/>:
    /// PowerShell's own path errors here (Core cannot name PowerShell types), everything else by Core's
    /// <see cref="FailureClassifier"/> (the cmdlet layer cannot name the SDKs' types), masking the secrets this command was given.
    /// </summary>
    private protected FipsClusterException Classify(Exception exception) => exception switch
    {
        // Services already name their failures; what they quote is checked once more against this command's secrets.
        FipsClusterException known => FailureClassifier.Mask(known, BoundSecrets()),
        // A -Path on a drive or provider that does not exist: PowerShell's path resolution said so.
        SessionStateException path => new FipsClusterException(ErrorIds.PathNotFound, FipsErrorCategory.ObjectNotFound, path.Message, path.ErrorRecord?.TargetObject, path),
        _ => FailureClassifier.Classify(exception, secrets: BoundSecrets()),
    };

    /// <summary>The secrets among this invocation's arguments (SecureStrings, credentials' passwords, token objects), for masking.</summary>
    private List<SecureString> BoundSecrets()
    {
        var secrets = new List<SecureString>();
        void Add(object? value)
        {
            switch (value is PSObject ps ? ps.BaseObject : value)
            {
                case SecureString secure:
                    secrets.Add(secure);
                    break;
                case PSCredential credential when credential != PSCredential.Empty:
                    secrets.Add(credential.Password);
                    break;
                case SwarmJoinToken token:
                    secrets.Add(token.Token);
                    break;
                case string:
                    break;
                case System.Collections.IEnumerable items:
                    foreach (var item in items)
                    {
                        Add(item);
                    }
                    break;
            }
        }
        foreach (var value in MyInvocation.BoundParameters.Values)
        {
            Add(value);
        }
        return secrets;
    }

    /// <summary>Writes to the pipeline; what a downstream command throws back is marked as not this cmdlet's failure.</summary>
    protected new void WriteObject(object? sendToPipeline) => ToPipeline(() => base.WriteObject(sendToPipeline));

    /// <inheritdoc cref="WriteObject(object?)"/>
    protected new void WriteObject(object? sendToPipeline, bool enumerateCollection) => ToPipeline(() => base.WriteObject(sendToPipeline, enumerateCollection));

    private void ToPipeline(Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex)
        {
            _fromPipeline = ex;
            throw;
        }
    }

    /// <summary>A per-item failure: reported, and the pipeline goes on.</summary>
    protected void WriteFailure(Exception exception)
    {
        var record = ToErrorRecord(Classify(exception));
        ToPipeline(() => WriteError(record)); // merged into output (2>&1), it too can meet a downstream throw
    }

    /// <summary>
    /// Input or state that makes the whole command unusable: a terminating error — in a Test-* cmdlet, one error and
    /// (with -Quiet) a $false answer, with the remaining input skipped.
    /// </summary>
    protected void ThrowFailure(Exception exception)
    {
        if (Verdicts is VerdictMode.None)
        {
            ThrowTerminatingError(ToErrorRecord(Classify(exception)));
            return;
        }
        _allPass = false;
        _abandoned = true;
        WriteFailure(exception);
        throw new CommandAbandonedException();
    }

    /// <summary>Writes a report (unless -Quiet) and counts its verdict.</summary>
    private protected void WriteVerdict(object report, bool pass)
    {
        _judged++;
        _allPass &= pass;
        if (Verdicts is not VerdictMode.Quiet)
        {
            WriteObject(report);
        }
    }

    /// <summary>An item that could not be judged: reported as an error, and -Quiet says false.</summary>
    private protected void WriteItemFailure(Exception exception)
    {
        _allPass = false;
        WriteFailure(exception);
    }

    internal static ErrorRecord ToErrorRecord(FipsClusterException exception)
    {
        // Every FipsErrorCategory has its namesake in ErrorCategory; InvalidOperation only guards a future mismatch.
        var category = Enum.TryParse<ErrorCategory>(exception.Category.ToString(), out var parsed) ? parsed : ErrorCategory.InvalidOperation;
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
