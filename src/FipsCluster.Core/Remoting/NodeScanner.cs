using System.Diagnostics;
using System.Threading.Channels;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Remoting;

/// <summary>One node's outcome: always a report; for a node that could not be examined, also the error.</summary>
public sealed record NodeScanResult(NodeComplianceReport Report, FipsClusterException? Error);

/// <summary>
/// Fans compliance runs out over many nodes: targets may be added while earlier ones run (pipeline input
/// streams in), at most ThrottleLimit run at once, each report is published the moment it is ready, and one
/// node's failure never touches the others. Cancellation (Ctrl+C) stops every run promptly.
/// </summary>
public sealed class NodeScanner
{
    private readonly ComplianceProfile _profile;
    private readonly OperationContext _context;
    private readonly SemaphoreSlim _throttle;
    private readonly Channel<NodeScanResult> _results = Channel.CreateUnbounded<NodeScanResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeSpan _timeout;
    // One collector per SSH options object, built when first asked for: a bad key file fails there, before any node is tried.
    private readonly Dictionary<SshOptions, SshFactCollector> _ssh = new(ReferenceEqualityComparer.Instance);
    // The build-info windows of this scan, by digest: each distinct binary's window crosses the network once.
    private readonly BuildInfoWindowCache _windows = new();
    private int _pending = 1; // the "input still open" token, released by Complete()
    private int _submitted;
    private int _finished;

    public NodeScanner(ComplianceProfile profile, int throttleLimit, TimeSpan timeout, OperationContext context)
    {
        _profile = profile;
        _context = context;
        _timeout = timeout;
        _throttle = new SemaphoreSlim(Math.Max(1, throttleLimit));
    }

    public ChannelReader<NodeScanResult> Results => _results.Reader;

    public int Submitted => Volatile.Read(ref _submitted);

    public int Finished => Volatile.Read(ref _finished);

    /// <summary>
    /// Checks SSH settings (key file, passphrase) and readies their collector, so that a bad key fails once, before
    /// any node is contacted; <see cref="AddSsh"/> does this on first use of <paramref name="ssh"/> too.
    /// Throws <see cref="FipsClusterException"/> (SshKeyFileInvalid…).
    /// </summary>
    public void PrepareSsh(SshOptions ssh) => _ = Collector(ssh);

    /// <summary>
    /// Adds an SSH node ("host", "host:port" or "[host]:port") reached with <paramref name="ssh"/>; an address that is not
    /// an IP address or DNS name becomes that node's InvalidNodeTarget report (named by the escaped text), and nothing
    /// connects. Bad SSH settings throw here, before the node is started.
    /// </summary>
    public void AddSsh(string target, int defaultPort, SshOptions ssh)
    {
        var collector = Collector(ssh);
        HostEndpoint endpoint;
        try
        {
            endpoint = HostEndpoint.Parse(target, defaultPort);
        }
        catch (FipsClusterException invalid)
        {
            AddUnavailable(HostAddress.Display(target), NodeTransport.Ssh, invalid);
            return;
        }
        Start(target, NodeTransport.Ssh, token => CollectSshAsync(collector, endpoint, token));
    }

    /// <summary>
    /// Adds an SSH node at a host someone else reported (a Kubernetes Node's address): the text is a host only, never a
    /// port or a pattern, and an IP address when <paramref name="ipOnly"/>. Anything else is that node's InvalidNodeTarget
    /// report, whose message names <paramref name="source"/>. The report is named "host" or "host:port", as by <see cref="AddSsh"/>.
    /// </summary>
    public void AddSshHost(string host, int port, SshOptions ssh, string source, bool ipOnly)
    {
        var collector = Collector(ssh);
        if (ReportedHost(host, port, ipOnly) is not { } endpoint)
        {
            HostAddress.TryCanonical(host, out var canonical, out var reason);
            var error = HostAddress.Invalid(host, canonical is null ? reason : "it is a name, not an IP address", source);
            AddUnavailable(SshHostReportName(host, port, ipOnly), NodeTransport.Ssh, error);
            return;
        }
        Start(SshHostReportName(host, port, ipOnly), NodeTransport.Ssh, token => CollectSshAsync(collector, endpoint, token));
    }

    /// <summary>The name <see cref="AddSshHost"/> gives the report of that host (so callers can match reports to who reported the host).</summary>
    public static string SshHostReportName(string host, int port, bool ipOnly) =>
        ReportedHost(host, port, ipOnly)?.ToString() ?? HostAddress.Display(host);

    private static HostEndpoint? ReportedHost(string host, int port, bool ipOnly) =>
        HostAddress.TryCanonical(host, out var canonical, out _) && (!ipOnly || HostAddress.IsIpAddress(canonical)) ? new HostEndpoint(canonical, port) : null;

    /// <summary>An SSH node's facts, with its artifacts read from what the node sent (no local path).</summary>
    private async Task<NodeFacts> CollectSshAsync(SshFactCollector collector, HostEndpoint endpoint, CancellationToken token)
    {
        var facts = await collector.CollectAsync(endpoint, token).ConfigureAwait(false);
        NodeArtifactReader.Enrich(facts, _profile, null, token);
        return facts;
    }

    private SshFactCollector Collector(SshOptions ssh)
    {
        ArgumentNullException.ThrowIfNull(ssh);
        lock (_ssh)
        {
            if (!_ssh.TryGetValue(ssh, out var collector))
            {
                collector = new SshFactCollector(new SshOptions
                {
                    Login = ssh.Login,
                    HostKeyPolicy = ssh.HostKeyPolicy,
                    KnownHostsPath = ssh.KnownHostsPath,
                    Timeout = ssh.Timeout,
                    MaxAttempts = ssh.MaxAttempts,
                    Scope = NodeCheckCatalog.ScopeOf(_profile),
                }, _windows);
                collector.Retrying += message => _context.Verbose(message);
                collector.HostKeyAccepted += (host, fingerprint) => _context.Warning($"Trusted a new host key for {host} ({fingerprint}) and recorded it in {ssh.KnownHostsPath}.");
                _ssh[ssh] = collector;
            }
            return collector;
        }
    }

    /// <summary>A node that cannot be examined at all (e.g. no SSH login for it): it gets an Error report with <paramref name="reason"/>, like an unreachable node.</summary>
    public void AddUnavailable(string name, NodeTransport transport, FipsClusterException reason) => Start(name, transport, _ => Task.FromException<NodeFacts>(reason));

    // Locally the artifacts are read straight from the files (the image "/"), so the script gathers the OS facts only.
    public void AddLocal() => Start(Environment.MachineName, NodeTransport.Local, async token =>
    {
        var facts = await LocalFactCollector.CollectAsync(FactScope.Os, token).ConfigureAwait(false);
        return await OnOwnThread(() =>
        {
            NodeArtifactReader.Enrich(facts, _profile, new ImageRoot("/", Environment.MachineName), token);
            return facts;
        }).ConfigureAwait(false);
    });

    public void AddRoot(string root) => AddRoot(root, token =>
    {
        var image = RootFactReader.Open(root);
        var facts = RootFactReader.Read(image, token);
        NodeArtifactReader.Enrich(facts, _profile, image, token);
        return facts;
    });

    /// <summary>A root read by <paramref name="read"/> on a thread of its own, under the node's deadline.</summary>
    internal void AddRoot(string name, Func<CancellationToken, NodeFacts> read) => Start(name, NodeTransport.Root, token => OnOwnThread(() => read(token)));

    /// <summary>File reads on a thread of their own: one blocked in the kernel holds that thread, never the thread pool.</summary>
    private static Task<NodeFacts> OnOwnThread(Func<NodeFacts> read) =>
        Task.Factory.StartNew(read, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    /// <summary>No more targets will be added; the results channel completes when the last run ends.</summary>
    public void Complete() => Release();

    private void Start(string name, NodeTransport transport, Func<CancellationToken, Task<NodeFacts>> collect)
    {
        Interlocked.Increment(ref _pending);
        Interlocked.Increment(ref _submitted);
        _ = Task.Run(async () =>
        {
            NodeScanResult result;
            var clock = Stopwatch.StartNew();
            try
            {
                await _throttle.WaitAsync(_context.Cancellation).ConfigureAwait(false);
                try
                {
                    clock.Restart();
                    _context.Verbose($"{name}: gathering facts ({transport}).");
                    var facts = await WithTimeout(name, transport, collect).ConfigureAwait(false);
                    result = new NodeScanResult(NodeComplianceEvaluator.Evaluate(facts, _profile, name, clock.Elapsed), null);
                }
                finally
                {
                    _throttle.Release();
                }
            }
            catch (OperationCanceledException) when (_context.Cancellation.IsCancellationRequested)
            {
                Release();
                return;
            }
            catch (FipsClusterException ex)
            {
                result = new NodeScanResult(ErrorReport(name, transport, ex, clock.Elapsed), ex);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var classified = FailureClassifier.Classify(ex, name, name);
                result = new NodeScanResult(ErrorReport(name, transport, classified, clock.Elapsed), classified);
            }
            Interlocked.Increment(ref _finished);
            _results.Writer.TryWrite(result);
            Release();
        });
    }

    private async Task<NodeFacts> WithTimeout(string name, NodeTransport transport, Func<CancellationToken, Task<NodeFacts>> collect)
    {
        if (transport is NodeTransport.Ssh)
        {
            return await collect(_context.Cancellation).ConfigureAwait(false); // SSH applies the timeout itself, retries included
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_context.Cancellation);
        timeout.CancelAfter(_timeout);
        try
        {
            // A read blocked in the kernel (a FIFO, a hung NFS or FUSE mount) ignores the token and cannot be cancelled
            // in .NET: WaitAsync walks away from it at the deadline, so the node still answers NodeTimedOut in time. The
            // worker thread stays blocked until the read returns (or the process ends); its late result is dropped.
            return await collect(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_context.Cancellation.IsCancellationRequested)
        {
            throw new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout, $"{name}: gathering facts took longer than {_timeout.TotalSeconds:0.#} s.", name);
        }
    }

    private NodeComplianceReport ErrorReport(string name, NodeTransport transport, FipsClusterException error, TimeSpan elapsed) => new()
    {
        ComputerName = name,
        Transport = transport,
        Profile = _profile.Name,
        ProfileHash = Judgement.ProfileHash(_profile),
        Status = ComplianceStatus.Error,
        Compliant = false,
        Duration = elapsed,
        Timestamp = DateTimeOffset.UtcNow,
        JudgedBy = Judgement.By,
        Errors = new[] { error.Message },
        ErrorId = error.ErrorId,
    };

    private void Release()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _results.Writer.TryComplete();
        }
    }
}
