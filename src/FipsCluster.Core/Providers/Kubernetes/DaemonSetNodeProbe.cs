using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// Test-FipsCluster -NodeCheck DaemonSet: in a namespace of its own, one short-lived pod per listed node (bound to it
/// by nodeName) runs the very facts script the SSH transport sends, chrooted into the node's root; its log is read back
/// and judged by the same evaluator, credited to the node the pod was made for. The fleet check then scales with the
/// cluster, not with the admin's machine.
/// <para>
/// The pods hold only what the script needs: uid 0 (the files it reads are root's, mode 0600 among them) with every
/// capability dropped but CAP_SYS_CHROOT, no privilege escalation, the runtime's seccomp profile, a read-only image
/// root, and the host's "/" mounted read-only recursively (its submounts — /proc, /sys, /boot, /var — too), from an
/// image pinned by digest. Not privileged, no host PID namespace: the host's /proc is reached through the mount.
/// </para>
/// <para>
/// They end by themselves: the container exits once the facts are printed, restartPolicy Never keeps it from being
/// started again, and activeDeadlineSeconds (the timeout) has the kubelet stop a pod that hangs — also when the client
/// is gone. A DaemonSet cannot do that (it restarts whatever exits), hence plain pods. Everything lives in the namespace,
/// which is deleted at the end — also on failure and on Ctrl+C.
/// </para>
/// </summary>
public sealed partial class DaemonSetNodeProbe
{
    /// <summary>
    /// busybox 1.36.1 by the digest of its multi-arch index: only its chroot is used (after it, the node's own shell and
    /// tools run the script), and a digest cannot be moved to other bytes under the check, as a tag can.
    /// </summary>
    public const string DefaultImage = "docker.io/library/busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662";

    public const string NamespacePrefix = "fipscluster-check-";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "FipsCluster";
    private const string AppLabel = "app.kubernetes.io/name";
    private const string AppName = "fips-node-facts";

    /// <summary>
    /// The Pod Security level the namespace is labelled with. The pods are not privileged, but a hostPath volume is
    /// admitted by no lower level (baseline and restricted forbid every hostPath), so the namespace still needs it.
    /// </summary>
    public const string PodSecurityLevel = "privileged";

    /// <summary>The only capability the pods keep: chroot into the host's root. Reading root's files needs none as uid 0.</summary>
    public static readonly IReadOnlyList<string> Capabilities = new[] { "SYS_CHROOT" };

    private readonly IKubernetes _client;
    private readonly ComplianceProfile _profile;
    private readonly OperationContext _context;

    public DaemonSetNodeProbe(IKubernetes client, ComplianceProfile profile, OperationContext context)
    {
        _client = client;
        _profile = profile;
        _context = context;
    }

    public string Image { get; init; } = DefaultImage;

    /// <summary>How long the pods may take to start, pull the image and print their facts; also each pod's activeDeadlineSeconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Poll interval for the progress and the deadline (the pods themselves are followed by a watch).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The namespace of the last run (for messages and tests).</summary>
    public string? Namespace { get; private set; }

    /// <summary>The pods' activeDeadlineSeconds: the timeout, whole seconds, at least one.</summary>
    public long DeadlineSeconds => Math.Max(1, (long)Math.Ceiling(Timeout.TotalSeconds));

    /// <summary>The container command: chroot into the host's root (mounted read-only at /host) and run the facts script; the container then exits.</summary>
    public static IList<string> Command(FactScope scope) =>
        new List<string> { "chroot", "/host", "/bin/sh", "-c", ShellFactScript.ScriptFor(scope) };

    [GeneratedRegex("^[^@\\s]+@sha256:[0-9a-f]{64}$")]
    private static partial Regex PinnedImage();

    /// <summary>Returns <paramref name="image"/> when it names its content by digest (repository[:tag]@sha256:…); otherwise NodeCheckImageNotPinned.</summary>
    public static string RequirePinnedImage(string image) => PinnedImage().IsMatch(image ?? "") ? image!
        : throw new FipsClusterException(ErrorIds.NodeCheckImageNotPinned, FipsErrorCategory.InvalidArgument,
            $"The node-check image '{image}' is not pinned by digest: give it as repository[:tag]@sha256:<64 hex digits> (the default is {DefaultImage}), "
            + "so the code that runs on every node cannot be changed under the check by moving a tag.", image);

    /// <summary>
    /// Creates the namespace, then one pod per node name read from <paramref name="nodes"/> (as the caller lists them),
    /// collects one report per node (nodes whose pod did not report in time get an Error report naming why), and always
    /// deletes the namespace. Returns null when the user declined (-WhatIf / -Confirm).
    /// </summary>
    public async Task<IReadOnlyList<NodeComplianceReport>?> RunAsync(string clusterName, ChannelReader<string> nodes)
    {
        var name = NamespacePrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        if (!_context.ShouldProcess($"cluster {clusterName}",
            $"Create namespace {name} with one short-lived pod per node ({Image}; not privileged: only CAP_SYS_CHROOT, the host's root mounted recursively read-only) that reads the node's FIPS facts and exits, then delete the namespace"))
        {
            return null;
        }
        Namespace = name;
        try
        {
            await _client.CoreV1.CreateNamespaceAsync(new V1Namespace
            {
                // Pod Security admission admits a hostPath volume only at the privileged level (see PodSecurityLevel).
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [ManagedByLabel] = ManagedBy, ["pod-security.kubernetes.io/enforce"] = PodSecurityLevel } },
            }, cancellationToken: _context.Cancellation).ConfigureAwait(false);
            _context.Verbose($"Created namespace {name}.");
            return await CollectAsync(name, nodes).ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            throw new FipsClusterException(ErrorIds.KubernetesNodeProbeFailed, FipsErrorCategory.ResourceUnavailable,
                $"The node-check pods could not be run in namespace {name}: HTTP {(int?)ex.Response?.StatusCode} ({ex.Response?.ReasonPhrase ?? ex.Message}).", clusterName, ex);
        }
        finally
        {
            await DeleteNamespaceAsync(name).ConfigureAwait(false);
        }
    }

    /// <summary>The pod that reads <paramref name="node"/>'s facts, bound to it by name (no scheduler: every node, cordoned and tainted ones too).</summary>
    public V1Pod Pod(string podName, string node)
    {
        var labels = new Dictionary<string, string> { [AppLabel] = AppName, [ManagedByLabel] = ManagedBy };
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = podName, Labels = labels },
            Spec = new V1PodSpec
            {
                NodeName = node,
                RestartPolicy = "Never",
                ActiveDeadlineSeconds = DeadlineSeconds,
                AutomountServiceAccountToken = false,
                EnableServiceLinks = false,
                TerminationGracePeriodSeconds = 0,
                // NoExecute taints would evict it; tolerating everything keeps control planes and tainted nodes covered.
                Tolerations = new List<V1Toleration> { new() { OperatorProperty = "Exists" } },
                Containers = new List<V1Container>
                {
                    new()
                    {
                        Name = "facts",
                        Image = Image,
                        ImagePullPolicy = "IfNotPresent",
                        Command = Command(NodeCheckCatalog.ScopeOf(_profile)),
                        SecurityContext = new V1SecurityContext
                        {
                            Privileged = false,
                            AllowPrivilegeEscalation = false,
                            ReadOnlyRootFilesystem = true,
                            // uid 0 without CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH: root's own 0600 files are readable by their
                            // owner bits, other users' private files are not (and open_by_handle_at stays refused).
                            RunAsUser = 0,
                            RunAsGroup = 0,
                            Capabilities = new V1Capabilities { Drop = new List<string> { "ALL" }, Add = Capabilities.ToList() },
                            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                        },
                        VolumeMounts = new List<V1VolumeMount>
                        {
                            new() { Name = "host", MountPath = "/host", ReadOnlyProperty = true, RecursiveReadOnly = "Enabled" },
                        },
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") },
                            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
                        },
                    },
                },
                Volumes = new List<V1Volume> { new() { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/", Type = "Directory" } } },
            },
        };
    }

    /// <summary>
    /// A dry-run create of the first pod, so nothing runs before the server has shown it keeps the pod as sent: admission
    /// (RBAC, Pod Security, webhooks) answers here once, and a server without recursive read-only mounts (before 1.30,
    /// or 1.30 without the RecursiveReadOnlyMounts gate) drops recursiveReadOnly — then no pod is created at all,
    /// rather than one whose host submounts are writable.
    /// </summary>
    private async Task PreflightAsync(string ns, string firstNode)
    {
        var echoed = await _client.CoreV1.CreateNamespacedPodAsync(Pod(AppName + "-preflight", firstNode), ns, dryRun: "All", cancellationToken: _context.Cancellation).ConfigureAwait(false);
        var mount = echoed.Spec?.Containers?.FirstOrDefault(c => c.Name == "facts")?.VolumeMounts?.FirstOrDefault(m => m.Name == "host");
        if (mount is not { ReadOnlyProperty: true, RecursiveReadOnly: "Enabled" })
        {
            throw new FipsClusterException(ErrorIds.KubernetesNodeProbeFailed, FipsErrorCategory.NotImplemented,
                $"The API server did not keep the node-check pod's host mount recursively read-only (recursiveReadOnly: {mount?.RecursiveReadOnly ?? "dropped"}): "
                + "it predates recursive read-only mounts (Kubernetes 1.30 with the RecursiveReadOnlyMounts feature gate; on by default from 1.31). "
                + "The host's submounts (/proc, /sys, /boot, /var…) would be writable from the pods, so none was created; use -NodeCheck Ssh on this cluster.", ns);
        }
    }

    /// <summary>
    /// Pods are created as node names arrive (16 requests at a time) and followed with a watch (one list, then events),
    /// never re-listed in a loop; each pod whose container runs or has ended has its log read until the script's end
    /// marker, 16 at a time. A report is credited to the node the pod was created for.
    /// </summary>
    private async Task<IReadOnlyList<NodeComplianceReport>> CollectAsync(string ns, ChannelReader<string> nodes)
    {
        var clock = Stopwatch.StartNew();
        var nodeOf = new ConcurrentDictionary<string, string>(StringComparer.Ordinal); // pod → the node it was made for
        var reports = new ConcurrentDictionary<string, NodeComplianceReport>(StringComparer.Ordinal);
        var waiting = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var ended = new ConcurrentDictionary<string, string>(StringComparer.Ordinal); // node → how its container ended
        var reading = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var ready = Channel.CreateUnbounded<(string Node, string Pod, bool Ended)>();
        var expected = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_context.Cancellation);

        void Report(string node, NodeComplianceReport report)
        {
            if (reports.TryAdd(node, report))
            {
                waiting.TryRemove(node, out _);
            }
        }

        void Seen(V1Pod pod)
        {
            if (!nodeOf.TryGetValue(pod.Metadata?.Name ?? "", out var node) || reports.ContainsKey(node))
            {
                return;
            }
            if (pod.Spec?.NodeName is { Length: > 0 } bound && bound != node)
            {
                Report(node, ErrorReport(node, $"{node}: its pod {pod.Metadata?.Name} is bound to {bound}: no report is credited to {node}.", clock.Elapsed, ErrorIds.KubernetesNodeProbeFailed));
                return;
            }
            var phase = pod.Status?.Phase;
            var state = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == "facts")?.State;
            var terminal = phase is "Succeeded" or "Failed";
            if (terminal)
            {
                ended[node] = $"pod {pod.Metadata?.Name} {phase}" + (pod.Status?.Reason is { Length: > 0 } reason ? $" ({reason}{(pod.Status.Message is { Length: > 0 } m ? ": " + m : "")})" : "")
                    + (state?.Terminated is { } t ? $", container {t.Reason ?? "terminated"} with exit code {t.ExitCode}" : "");
            }
            if ((phase == "Running" && state?.Running is not null) || (terminal && state?.Terminated is not null))
            {
                if (reading.TryAdd(node, 0))
                {
                    ready.Writer.TryWrite((node, pod.Metadata!.Name, terminal));
                }
                return;
            }
            if (terminal)
            {
                // Ended without its container ever running (a deadline while pulling, OutOfcpu at admission, …).
                Report(node, ErrorReport(node, $"{node}: {ended[node]}" + (waiting.TryGetValue(node, out var before) ? $"; before that, {before}." : "."), clock.Elapsed, ErrorIds.KubernetesNodeProbeFailed));
                return;
            }
            waiting[node] = $"pod {pod.Metadata?.Name} is {phase ?? "unknown"}"
                + (state?.Waiting?.Reason is { } waitingReason ? $" ({waitingReason}{(state.Waiting.Message is { Length: > 0 } message ? ": " + message : "")})" : "");
        }

        var watching = WatchPodsAsync(ns, Seen, stop.Token);
        var creating = CreatePodsAsync(ns, nodes, nodeOf, waiting, (node, why) => Report(node, ErrorReport(node, why, clock.Elapsed, ErrorIds.KubernetesNodeProbeFailed)),
            () => Interlocked.Increment(ref expected), stop.Token);
        var readers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            await foreach (var (node, pod, done) in ready.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                // One node's unreadable, oversized or malformed log is that node's error report; the reader goes on.
                var report = await ReadFactsOrErrorAsync(ns, node, pod, stop.Token).ConfigureAwait(false);
                if (report is not null)
                {
                    Report(node, report);
                }
                else if (done)
                {
                    Report(node, ErrorReport(node, $"{node}: {ended.GetValueOrDefault(node, $"pod {pod} ended")} before its facts were complete.", clock.Elapsed, ErrorIds.NodeFactsUnavailable));
                }
                else
                {
                    // The log ended while the pod looked Running: read it again once the watch shows it ended.
                    reading.TryRemove(node, out _);
                    if (ended.ContainsKey(node) && reading.TryAdd(node, 0))
                    {
                        ready.Writer.TryWrite((node, pod, true));
                    }
                }
            }
        }, stop.Token)).ToArray();
        try
        {
            while (true)
            {
                var total = Volatile.Read(ref expected);
                _context.Progress(new OperationProgress("Test-FipsCluster -NodeCheck DaemonSet", $"{reports.Count} of {total} nodes reported",
                    total > 0 ? (int)(100L * Math.Min(reports.Count, total) / total) : -1));
                if (creating.IsCompleted)
                {
                    await creating.ConfigureAwait(false); // the preflight or the API refused: say so
                    if (reports.Count >= Volatile.Read(ref expected))
                    {
                        break;
                    }
                }
                if (watching.IsFaulted)
                {
                    await watching.ConfigureAwait(false); // the API refused the pod list or watch: say so
                }
                if (clock.Elapsed >= Timeout)
                {
                    foreach (var node in nodeOf.Values.Where(n => !reports.ContainsKey(n)))
                    {
                        Report(node, ErrorReport(node, reading.ContainsKey(node)
                            ? $"{node}: the pod ran but its facts were not complete within {Timeout.TotalSeconds:0.#} s."
                            : $"{node}: no facts within {Timeout.TotalSeconds:0.#} s: {waiting.GetValueOrDefault(node, "its pod was never seen running")}.", clock.Elapsed));
                    }
                    if (!creating.IsCompleted)
                    {
                        _context.Warning($"The node list was still being read when the node check's {Timeout.TotalSeconds:0.#} s ran out: nodes listed later have no pod.");
                    }
                    break;
                }
                await Task.Delay(PollInterval, _context.Cancellation).ConfigureAwait(false);
            }
        }
        finally
        {
            stop.Cancel();
            ready.Writer.TryComplete();
            foreach (var task in readers.Append(watching).Append(creating))
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                }
            }
        }
        return reports.Values.OrderBy(r => r.ComputerName, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// One pod per node name as the names arrive, 16 creates in flight. The first name goes through the dry-run
    /// preflight; a create the API refuses for one node is that node's error, not the run's.
    /// </summary>
    private async Task CreatePodsAsync(string ns, ChannelReader<string> nodes, ConcurrentDictionary<string, string> nodeOf, ConcurrentDictionary<string, string> waiting,
        Action<string, string> failed, Func<int> counted, CancellationToken cancellation)
    {
        using var inFlight = new SemaphoreSlim(16);
        var creates = new List<Task>();
        var sequence = 0;
        await foreach (var node in nodes.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            if (sequence == 0)
            {
                await PreflightAsync(ns, node).ConfigureAwait(false);
            }
            var podName = $"{AppName}-{sequence++}";
            nodeOf[podName] = node;
            waiting[node] = $"pod {podName} was not created yet";
            counted();
            await inFlight.WaitAsync(cancellation).ConfigureAwait(false);
            creates.Add(Task.Run(async () =>
            {
                try
                {
                    await _client.CoreV1.CreateNamespacedPodAsync(Pod(podName, node), ns, cancellationToken: cancellation).ConfigureAwait(false);
                    waiting.TryUpdate(node, $"pod {podName} was created", $"pod {podName} was not created yet"); // unless the watch already told more
                }
                catch (HttpOperationException ex)
                {
                    failed(node, $"{node}: its node-check pod could not be created: HTTP {(int?)ex.Response?.StatusCode} ({ex.Response?.ReasonPhrase ?? ex.Message}).");
                }
                finally
                {
                    inFlight.Release();
                }
            }, cancellation));
        }
        await Task.WhenAll(creates).ConfigureAwait(false);
        _context.Verbose($"Created {sequence} node-check pods in {ns}.");
    }

    /// <summary>
    /// One paged list for the resourceVersion, then a watch from it. A watch the server ends (its timeout) resumes from
    /// the last version seen; one that fails (410 Gone, a dropped connection) starts over with a fresh list.
    /// </summary>
    private async Task WatchPodsAsync(string ns, Action<V1Pod> seen, CancellationToken cancellation)
    {
        var selector = $"{AppLabel}={AppName}";
        while (!cancellation.IsCancellationRequested)
        {
            string? resourceVersion = null;
            string? token = null;
            do
            {
                var page = await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, limit: KubernetesClusterCompliance.PageSize, continueParameter: token,
                    cancellationToken: cancellation).ConfigureAwait(false);
                foreach (var pod in page.Items)
                {
                    seen(pod);
                }
                token = page.Metadata?.ContinueProperty;
                resourceVersion = page.Metadata?.ResourceVersion;
            }
            while (!string.IsNullOrEmpty(token));
            try
            {
                while (!cancellation.IsCancellationRequested)
                {
                    var events = _client.CoreV1.WatchListNamespacedPodAsync(ns, labelSelector: selector, resourceVersion: resourceVersion, timeoutSeconds: 300,
                        allowWatchBookmarks: true, cancellationToken: cancellation);
                    await foreach (var (type, pod) in events.ConfigureAwait(false))
                    {
                        resourceVersion = pod.Metadata?.ResourceVersion ?? resourceVersion;
                        if (type is WatchEventType.Added or WatchEventType.Modified)
                        {
                            seen(pod);
                        }
                    }
                }
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested && ex is k8s.Autorest.HttpOperationException or KubernetesException or HttpRequestException or IOException)
            {
                _context.Debug($"Pod watch in {ns} ended ({ex.GetType().Name}); listing again.");
                await Task.Delay(PollInterval, cancellation).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// <see cref="ReadFactsAsync"/>, where anything that goes wrong with one node's log (too large, malformed, refused by
    /// the API) is that node's Error report: the reader goes on with the next node.
    /// </summary>
    private async Task<NodeComplianceReport?> ReadFactsOrErrorAsync(string ns, string node, string pod, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return await ReadFactsAsync(ns, node, pod, clock, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            var error = FailureClassifier.Classify(ex, node, node);
            return ErrorReport(node, error.Message, clock.Elapsed, error.ErrorId);
        }
    }

    /// <summary>The pod's log, followed until the script's end marker (at most one node's bytes), judged as the node's facts; null when it ended first.</summary>
    private async Task<NodeComplianceReport?> ReadFactsAsync(string ns, string node, string pod, Stopwatch clock, CancellationToken cancellation)
    {
        ArraySegment<byte> log;
        try
        {
            await using var stream = await _client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: "facts", follow: true, cancellationToken: cancellation).ConfigureAwait(false);
            // Stops at the end marker: the script is done.
            log = await Remoting.NodeOutput.ReadAsync(stream, Remoting.NodeReadLimits.FactsBytes, node, "its pod log", cancellation, ShellFactScript.EndsInChunk).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when ((int?)ex.Response?.StatusCode is 400 or 404)
        {
            return null; // the container is not started yet, or just restarted
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellation.IsCancellationRequested)
        {
            return null; // the log stream broke off: as a log that ended early, the watch brings the pod back
        }
        var text = System.Text.Encoding.UTF8.GetString(log);
        if (!ShellFactScript.IsComplete(text))
        {
            return null;
        }
        var facts = ShellFactScript.Parse(text, NodeTransport.KubernetesPod, node, cancellation);
        NodeArtifactReader.Enrich(facts, _profile, null, cancellation);
        return NodeComplianceEvaluator.Evaluate(facts, _profile, node, clock.Elapsed);
    }

    private NodeComplianceReport ErrorReport(string node, string message, TimeSpan elapsed, string errorId = ErrorIds.NodeTimedOut) => new()
    {
        ComputerName = node,
        Transport = NodeTransport.KubernetesPod,
        Profile = _profile.Name,
        ProfileHash = Judgement.ProfileHash(_profile),
        Status = ComplianceStatus.Error,
        Compliant = false,
        ErrorId = errorId,
        Errors = new[] { message },
        Duration = elapsed,
        Timestamp = DateTimeOffset.UtcNow,
        JudgedBy = Judgement.By,
    };

    /// <summary>Deletes the namespace (and with it the pods) even when the run was cancelled.</summary>
    private async Task DeleteNamespaceAsync(string ns)
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _client.CoreV1.DeleteNamespaceAsync(ns, propagationPolicy: "Background", gracePeriodSeconds: 0, cancellationToken: cleanup.Token).ConfigureAwait(false);
            _context.Verbose($"Deleted namespace {ns} and everything in it.");
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            _context.Warning($"Namespace {ns} could not be deleted ({ex.Message}); delete it with: kubectl delete namespace {ns}");
        }
    }
}
