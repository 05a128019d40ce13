using System.Collections.Concurrent;
using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>
/// Tests the FIPS compliance of nodes — the local machine, mounted OS images (-Root) or many SSH nodes at
/// once (-ComputerName) — and writes one NodeComplianceReport per node as soon as it is ready.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsNode", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(NodeComplianceReport), typeof(bool))]
public sealed class TestFipsNodeCommand : FipsVerdictCmdlet
{
    private const string LocalSet = "Local";
    private const string RootSet = "Root";
    private const string SshKeySet = "SshKey";
    private const string SshPasswordSet = "SshPassword";

    private NodeScanner? _scanner;
    private readonly ConcurrentQueue<(bool Warning, string Text)> _messages = new();
    private int _written;
    private int _compliant;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SshKeySet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SshPasswordSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CN", "HostName", "Address", "IPAddress")]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = RootSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Root { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = SshPasswordSet)]
    [Credential]
    public PSCredential Credential { get; set; } = PSCredential.Empty;

    [Parameter(ParameterSetName = SshKeySet)]
    public string? UserName { get; set; }

    [Parameter(ParameterSetName = SshKeySet)]
    [Alias("IdentityFilePath")]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter(ParameterSetName = SshKeySet)]
    public System.Security.SecureString? KeyPassphrase { get; set; }

    [Parameter(ParameterSetName = SshKeySet)]
    [Parameter(ParameterSetName = SshPasswordSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 22;

    [Parameter(ParameterSetName = SshKeySet)]
    [Parameter(ParameterSetName = SshPasswordSet)]
    public HostKeyPolicy HostKeyPolicy { get; set; } = HostKeyPolicy.Strict;

    [Parameter(ParameterSetName = SshKeySet)]
    [Parameter(ParameterSetName = SshPasswordSet)]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? Profile { get; set; }


    protected override void BeginProcessingCore()
    {
        var context = new OperationContext
        {
            Cancellation = StopToken,
            Verbose = text => _messages.Enqueue((false, text)),
            Warning = text => _messages.Enqueue((true, text)),
        };
        var ssh = ParameterSetName is SshKeySet or SshPasswordSet ? SshOptions() : null;
        _scanner = new NodeScanner(Profile ?? ComplianceProfiles.Default, ThrottleLimit, TimeSpan.FromSeconds(TimeoutSeconds), ssh, context);
        try
        {
            _scanner.ValidateSsh();
        }
        catch (FipsClusterException ex)
        {
            ThrowFailure(ex);
        }
    }

    protected override void ProcessRecordCore()
    {
        switch (ParameterSetName)
        {
            case RootSet:
                foreach (var root in Root)
                {
                    _scanner!.AddRoot(GetUnresolvedProviderPathFromPSPath(root));
                }
                break;
            case LocalSet:
                break;
            default:
                foreach (var name in ComputerName)
                {
                    _scanner!.AddSsh(name.Trim(), Port);
                }
                break;
        }
        Drain(wait: false);
    }

    protected override void EndProcessingCore()
    {
        if (ParameterSetName is LocalSet)
        {
            _scanner!.AddLocal();
        }
        _scanner!.Complete();
        Drain(wait: true);
        WriteProgress(new ProgressRecord(ActivityId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        base.EndProcessingCore();
    }

    private const int ActivityId = 7301;
    private const string Activity = "Testing FIPS compliance";

    /// <summary>Writes every finished report on the pipeline thread; with <paramref name="wait"/>, until all are done (Ctrl+C stops it).</summary>
    private void Drain(bool wait)
    {
        var reader = _scanner!.Results;
        while (true)
        {
            FlushMessages();
            while (reader.TryRead(out var result))
            {
                Write(result);
                FlushMessages();
            }
            if (!wait || reader.Completion.IsCompleted)
            {
                return;
            }
            try
            {
                // Wake at least every 250 ms to flush verbose/warning messages of runs still in flight.
                var ready = reader.WaitToReadAsync(StopToken).AsTask();
                ready.Wait(TimeSpan.FromMilliseconds(250));
                if (ready.IsCompleted && !ready.GetAwaiter().GetResult())
                {
                    FlushMessages();
                    return;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex.InnerException is OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
        }
    }

    private void Write(NodeScanResult result)
    {
        var report = result.Report;
        _written++;
        if (report.Compliant)
        {
            _compliant++;
        }
        if (result.Error is { } error)
        {
            WriteFailure(error);
        }
        WriteVerdict(report, report.Compliant);
        var submitted = _scanner!.Submitted;
        WriteProgress(new ProgressRecord(ActivityId, Activity, $"{_written} of {submitted} nodes done, {_compliant} compliant")
        {
            CurrentOperation = report.ComputerName,
            PercentComplete = submitted == 0 ? 0 : Math.Min(100, _written * 100 / submitted),
        });
    }

    private void FlushMessages()
    {
        while (_messages.TryDequeue(out var message))
        {
            if (message.Warning)
            {
                WriteWarning(message.Text);
            }
            else
            {
                WriteVerbose(message.Text);
            }
        }
    }

    private SshOptions SshOptions()
    {
        var options = SshLoginOptions.Build(this, ParameterSetName is SshPasswordSet ? Credential : null, UserName, KeyFilePath, KeyPassphrase,
            KnownHostsPath, HostKeyPolicy, TimeSpan.FromSeconds(TimeoutSeconds));
        if (options is null)
        {
            ThrowFailure(new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
                "No SSH key given and none found in ~/.ssh (id_ecdsa, id_rsa, id_ed25519). Use -KeyFilePath or -Credential.", "KeyFilePath"));
        }
        return options!;
    }

}
