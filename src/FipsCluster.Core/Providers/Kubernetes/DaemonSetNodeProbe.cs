using System.Diagnostics;
using System.Security.Cryptography;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// Test-FipsCluster -NodeCheck DaemonSet: a short-lived privileged DaemonSet, in a namespace of its own, runs the very
/// facts script the SSH transport sends, chrooted into each node's root; its output is read back from the pod logs and
/// judged by the same evaluator. The fleet check then scales with the cluster, not with the admin's machine.
/// Everything it creates lives in that namespace, which is deleted at the end — also on failure and on Ctrl+C.
/// </summary>
public sealed class DaemonSetNodeProbe
{
    /// <summary>Only chroot is needed from the image: after it, the node's own shell and tools run the script.</summary>
    public const string DefaultImage = "docker.io/library/busybox:1.36.1";

    public const string NamespacePrefix = "fipscluster-check-";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "FipsCluster";
    private const string AppLabel = "app.kubernetes.io/name";
    private const string AppName = "fips-node-facts";

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

    /// <summary>How long the pods may take to be scheduled, pull the image and print their facts.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Poll interval for the DaemonSet and its pods (doubles up to 4× while nothing changes).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The namespace of the last run (for messages and tests).</summary>
    public string? Namespace { get; private set; }

    /// <summary>The container command: chroot into the host's root (mounted read-only at /host), run the facts script, then idle so the pod stays Running and its log readable.</summary>
    public static IList<string> Command(FactScope scope) =>
        new List<string> { "chroot", "/host", "/bin/sh", "-c", ShellFactScript.ScriptFor(scope) + "exec sleep 86400\n" };

    /// <summary>
    /// Creates the namespace and the DaemonSet, collects one report per scheduled node (nodes whose pod did not
    /// report in time get an Error report naming why), and always deletes the namespace. Returns null when the user
    /// declined (-WhatIf / -Confirm).
    /// </summary>
    public async Task<IReadOnlyList<NodeComplianceReport>?> RunAsync(string clusterName)
    {
        var name = NamespacePrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        if (!_context.ShouldProcess($"cluster {clusterName}", $"Create namespace {name} with a privileged DaemonSet ({Image}) that reads every node's FIPS facts, then delete it"))
        {
            return null;
        }
        Namespace = name;
        try
        {
            await _client.CoreV1.CreateNamespaceAsync(new V1Namespace
            {
                // Pod Security admission would refuse the privileged pods in a namespace left at the cluster default.
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [ManagedByLabel] = ManagedBy, ["pod-security.kubernetes.io/enforce"] = "privileged" } },
            }, cancellationToken: _context.Cancellation).ConfigureAwait(false);
            _context.Verbose($"Created namespace {name}.");
            await _client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet(), name, cancellationToken: _context.Cancellation).ConfigureAwait(false);
            _context.Verbose($"Created DaemonSet {name}/{AppName} ({Image}).");
            return await CollectAsync(name).ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            throw new FipsClusterException(ErrorIds.KubernetesNodeProbeFailed, FipsErrorCategory.ResourceUnavailable,
                $"The node-check DaemonSet could not be run in namespace {name}: HTTP {(int?)ex.Response?.StatusCode} ({ex.Response?.ReasonPhrase ?? ex.Message}).", clusterName, ex);
        }
        finally
        {
            await DeleteNamespaceAsync(name).ConfigureAwait(false);
        }
    }

    private V1DaemonSet DaemonSet()
    {
        var labels = new Dictionary<string, string> { [AppLabel] = AppName, [ManagedByLabel] = ManagedBy };
        return new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = AppName, Labels = labels },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [AppLabel] = AppName } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        // The host's PID namespace: /proc/self, /proc/1/environ and the mount table are the node's own.
                        HostPID = true,
                        AutomountServiceAccountToken = false,
                        TerminationGracePeriodSeconds = 0,
                        PriorityClassName = null,
                        // Every node, control planes and tainted ones included.
                        Tolerations = new List<V1Toleration> { new() { OperatorProperty = "Exists" } },
                        Containers = new List<V1Container>
                        {
                            new()
                            {
                                Name = "facts",
                                Image = Image,
                                Command = Command(NodeCheckCatalog.ScopeOf(_profile)),
                                SecurityContext = new V1SecurityContext { Privileged = true, RunAsUser = 0 },
                                VolumeMounts = new List<V1VolumeMount> { new() { Name = "host", MountPath = "/host", ReadOnlyProperty = true } },
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") },
                                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
                                },
                            },
                        },
                        Volumes = new List<V1Volume> { new() { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/", Type = "Directory" } } },
                    },
                },
            },
        };
    }

    /// <summary>
    /// Pods are followed with a watch (one list, then events), never re-listed in a loop; each pod that runs has its
    /// log followed until the script's end marker, 16 at a time. The DaemonSet's status says how many nodes to expect.
    /// </summary>
    private async Task<IReadOnlyList<NodeComplianceReport>> CollectAsync(string ns)
    {
        var clock = Stopwatch.StartNew();
        var reports = new System.Collections.Concurrent.ConcurrentDictionary<string, NodeComplianceReport>(StringComparer.Ordinal);
        var waiting = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var reading = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var ready = System.Threading.Channels.Channel.CreateUnbounded<(string Node, string Pod)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_context.Cancellation);

        void Seen(V1Pod pod)
        {
            var node = pod.Spec?.NodeName;
            if (string.IsNullOrEmpty(node) || reports.ContainsKey(node))
            {
                return;
            }
            var state = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State;
            if (pod.Status?.Phase == "Running" && state?.Running is not null)
            {
                if (reading.TryAdd(node, 0))
                {
                    ready.Writer.TryWrite((node, pod.Metadata?.Name ?? ""));
                }
                return;
            }
            waiting[node] = $"pod {pod.Metadata?.Name} is {pod.Status?.Phase ?? "unknown"}"
                + (state?.Waiting?.Reason is { } reason ? $" ({reason}{(state.Waiting.Message is { Length: > 0 } m ? ": " + m : "")})" : "")
                + (state?.Terminated?.Reason is { } ended ? $" (terminated: {ended})" : "");
        }

        var watching = WatchPodsAsync(ns, Seen, stop.Token);
        var readers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            await foreach (var (node, pod) in ready.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (await ReadFactsOrErrorAsync(ns, node, pod, stop.Token).ConfigureAwait(false) is { } report)
                {
                    reports[node] = report;
                    waiting.TryRemove(node, out _);
                }
                else
                {
                    reading.TryRemove(node, out _); // the log ended early (a restart): the watch brings the pod back
                }
            }
        }, stop.Token)).ToArray();
        try
        {
            while (true)
            {
                var daemonSet = await _client.AppsV1.ReadNamespacedDaemonSetAsync(AppName, ns, cancellationToken: _context.Cancellation).ConfigureAwait(false);
                var desired = daemonSet.Status?.DesiredNumberScheduled ?? 0;
                _context.Progress(new OperationProgress("Test-FipsCluster -NodeCheck DaemonSet", $"{reports.Count} of {desired} nodes reported",
                    desired > 0 ? (int)(100L * Math.Min(reports.Count, desired) / desired) : -1));
                if (desired > 0 && reports.Count >= desired)
                {
                    break;
                }
                if (watching.IsFaulted)
                {
                    await watching.ConfigureAwait(false); // the API refused the pod list or watch: say so
                }
                if (clock.Elapsed >= Timeout)
                {
                    foreach (var (node, why) in waiting.Where(w => !reports.ContainsKey(w.Key)))
                    {
                        reports[node] = ErrorReport(node, $"{node}: no facts within {Timeout.TotalSeconds:0.#} s: {why}.", clock.Elapsed);
                    }
                    foreach (var node in reading.Keys.Where(n => !reports.ContainsKey(n)))
                    {
                        reports[node] = ErrorReport(node, $"{node}: the pod ran but its facts were not complete within {Timeout.TotalSeconds:0.#} s.", clock.Elapsed);
                    }
                    if (desired == 0)
                    {
                        throw new FipsClusterException(ErrorIds.KubernetesNodeProbeFailed, FipsErrorCategory.OperationTimeout,
                            $"The node-check DaemonSet in {ns} was scheduled on no node within {Timeout.TotalSeconds:0.#} s.", ns);
                    }
                    if (reports.Count < desired)
                    {
                        _context.Warning($"{desired - reports.Count} of {desired} scheduled node-check pods were never created (admission or quota?) within the timeout.");
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
            foreach (var task in readers.Append(watching))
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
            // Stops at the end marker: the script is done and the container now only idles.
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
        Status = ComplianceStatus.Error,
        Compliant = false,
        ErrorId = errorId,
        Errors = new[] { message },
        Duration = elapsed,
        Timestamp = DateTimeOffset.UtcNow,
    };

    /// <summary>Deletes the namespace (and with it the DaemonSet and its pods) even when the run was cancelled.</summary>
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
