using System.Collections.Concurrent;
using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>
/// Tests the FIPS compliance of nodes — the local machine, mounted OS images (-Root) or many SSH nodes at once
/// (-ComputerName) — and writes one NodeComplianceReport per node as soon as it is ready. Piped input is judged
/// record by record: PowerShell resolves the parameter set again for every pipeline object, so folders and host
/// names may arrive in one pipeline, and each record's set decides its transport.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsNode", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(NodeComplianceReport), typeof(bool))]
public sealed class TestFipsNodeCommand : FipsVerdictCmdlet
{
    private const string LocalSet = "Local";
    private const string RootSet = "Root";
    private const string RootInputSet = "RootInput";
    private const string SshSet = "Ssh";

    private readonly SshParameters _login;

    public TestFipsNodeCommand() => _login = Blocks.Add<SshParameters>(SshSet);

    private NodeScanner? _scanner;
    private SshOptions? _ssh; // built with the first SSH node: PowerShell binds piped names only after BeginProcessing
    private bool _sshUnusable; // the SSH login could not be built: said once, and no SSH node of this command is tried
    private readonly ConcurrentQueue<(bool Warning, string Text)> _messages = new();
    private int _written;
    private int _compliant;

    /// <summary>
    /// Host names by value (strings only, see HostNameTransformation) or by property name. The first alias an object
    /// has wins, so the order says what is preferred: addresses before names, and for EC2 instances (AWS.Tools) the
    /// private address first, as Test-FipsCluster reaches Kubernetes nodes by InternalIP.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SshSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CN", "Address", "IPAddress", "PrivateIpAddress", "PublicIpAddress", "HostName", "PrivateDnsName", "PublicDnsName")]
    [HostNameTransformation(typeof(TestFipsNodeCommand))]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Image roots given on the command line, with wildcards as the FileSystem cmdlets' -Path (-Root /mnt/images/*).
    /// Not bound by property name: every DirectoryInfo has a Root property (its drive's root, "/"), and PowerShell
    /// matches a parameter's own name before its aliases. Piped folders bind to <see cref="LiteralPath"/> instead.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = RootSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Root { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Image roots taken as written (a folder name with '[' or '*'). Get-Item and Get-ChildItem output binds here by
    /// its provider path (PSPath), other objects by FullName.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = RootInputSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }


    protected override void BeginProcessingCore()
    {
        var context = new OperationContext
        {
            Cancellation = StopToken,
            Verbose = text => _messages.Enqueue((false, text)),
            Warning = text => _messages.Enqueue((true, text)),
        };
        _scanner = new NodeScanner(ComplianceProfile ?? ComplianceProfiles.Default, ThrottleLimit, TimeSpan.FromSeconds(TimeoutSeconds), context);
    }

    protected override void ProcessRecordCore()
    {
        // ParameterSetName is this record's: with pipeline input it is known only now, never in BeginProcessing.
        switch (ParameterSetName)
        {
            case LocalSet:
                // Only without pipeline input: an empty pipeline (a folder with no images) tests nothing, not this machine.
                _scanner!.AddLocal();
                break;
            case RootSet:
                AddRoots(Root, literal: false);
                break;
            case RootInputSet:
                AddRoots(LiteralPath, literal: true);
                break;
            default:
                if (Ssh() is { } ssh)
                {
                    foreach (var name in ComputerName)
                    {
                        _scanner!.AddSsh(name.Trim(), _login.SshPort, ssh);
                    }
                }
                break;
        }
        Drain(wait: false);
    }

    protected override void EndProcessingCore()
    {
        _scanner!.Complete();
        Drain(wait: true);
        WriteProgress(new ProgressRecord(ActivityId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        base.EndProcessingCore();
    }

    private void AddRoots(IEnumerable<string> paths, bool literal)
    {
        foreach (var path in paths)
        {
            var resolved = ProviderPaths.ResolveExisting(this, path, literal, ErrorIds.InvalidRootPath, "image root");
            if (resolved.Failure is { } failure)
            {
                // Reported like any root that cannot be read: an Error report and its error.
                _scanner!.AddUnavailable(path, NodeTransport.Root, failure);
            }
            foreach (var root in resolved.Paths)
            {
                _scanner!.AddRoot(root);
            }
        }
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

    /// <summary>
    /// The SSH login for every SSH node of this command, built when the first one arrives. A missing or bad key is one
    /// error before any node is contacted; the SSH nodes are then not tested (-Quiet says false), while the images and
    /// nodes already submitted are still judged and written.
    /// </summary>
    private SshOptions? Ssh()
    {
        if (_ssh is not null || _sshUnusable)
        {
            return _ssh;
        }
        try
        {
            var options = _login.RequireOptions(this, "Testing nodes over SSH", TimeSpan.FromSeconds(TimeoutSeconds));
            _scanner!.PrepareSsh(options);
            return _ssh = options;
        }
        catch (FipsClusterException ex)
        {
            _sshUnusable = true;
            WriteItemFailure(ex);
            return null;
        }
    }
}
