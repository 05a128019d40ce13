using System.Threading.Channels;
using FipsCluster.Core.Compliance.Node;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FipsCluster.Core.Providers.Kubernetes;

public sealed partial class DaemonSetNodeProbe
{
    /// <summary>The pods of a run: created as the nodes arrive, followed with one watch, each change sorted here.</summary>
    private sealed partial class ProbeRun
    {
        private void Seen(V1Pod pod)
        {
            var name = pod.Metadata?.Name ?? "";
            if (!_pods.TryGetValue(name, out var job) || (!job.IsFetch && _reports.ContainsKey(job.Node)))
            {
                return;
            }
            var node = job.Node;
            if (pod.Spec?.NodeName is { Length: > 0 } bound && bound != node)
            {
                var why = $"{node}: its pod {name} is bound to {bound}: no report is credited to {node}.";
                if (job.IsFetch)
                {
                    FetchEnded(job, why);
                }
                else
                {
                    Report(node, _probe.ErrorReport(node, why, _clock.Elapsed, ErrorIds.KubernetesNodeProbeFailed));
                }
                return;
            }
            var phase = pod.Status?.Phase;
            var state = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == "facts")?.State;
            var terminal = phase is "Succeeded" or "Failed";
            if (terminal)
            {
                _ended[name] = $"pod {name} {phase}" + (pod.Status?.Reason is { Length: > 0 } reason ? $" ({reason}{(pod.Status.Message is { Length: > 0 } m ? ": " + m : "")})" : "")
                    + (state?.Terminated is { } t ? $", container {t.Reason ?? "terminated"} with exit code {t.ExitCode}" : "");
            }
            if ((phase == "Running" && state?.Running is not null) || (terminal && state?.Terminated is not null))
            {
                if (_reading.TryAdd(name, 0))
                {
                    _ready.Writer.TryWrite(new Work(name, job, terminal));
                }
                return;
            }
            if (terminal)
            {
                // Ended without its container ever running (a deadline while pulling, OutOfcpu at admission, …).
                if (job.IsFetch)
                {
                    FetchEnded(job, _ended[name]);
                }
                else
                {
                    Report(node, _probe.ErrorReport(node, $"{node}: {_ended[name]}" + (_waiting.TryGetValue(node, out var before) ? $"; before that, {before}." : "."), _clock.Elapsed, ErrorIds.KubernetesNodeProbeFailed));
                }
                return;
            }
            if (!job.IsFetch)
            {
                _waiting[node] = $"pod {name} is {phase ?? "unknown"}"
                    + (state?.Waiting?.Reason is { } waitingReason ? $" ({waitingReason}{(state.Waiting.Message is { Length: > 0 } message ? ": " + message : "")})" : "");
            }
        }

        /// <summary>
        /// One pod per node as the nodes arrive, 16 creates in flight. The first node goes through the dry-run
        /// preflight; a create the API refuses for one node is that node's error, not the run's.
        /// </summary>
        private async Task CreatePodsAsync(ChannelReader<Target> nodes, CancellationToken cancellation)
        {
            using var inFlight = new SemaphoreSlim(16);
            var creates = new List<Task>();
            var sequence = 0;
            await foreach (var node in nodes.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                if (sequence == 0)
                {
                    await _probe.PreflightAsync(_ns, node.Name).ConfigureAwait(false);
                }
                var podName = $"{AppName}-{sequence++}";
                var job = new PodJob(node.Name, node.Build, _broker?.RoleOf(node.Name, node.Build) ?? BuildInfoWindows.Send);
                _pods[podName] = job;
                _podOf[node.Name] = podName;
                _waiting[node.Name] = $"pod {podName} was not created yet";
                Interlocked.Increment(ref _expected);
                await inFlight.WaitAsync(cancellation).ConfigureAwait(false);
                creates.Add(Task.Run(async () =>
                {
                    try
                    {
                        await Client.CoreV1.CreateNamespacedPodAsync(_probe.Pod(podName, node.Name, job.Windows), _ns, cancellationToken: cancellation).ConfigureAwait(false);
                        _waiting.TryUpdate(node.Name, $"pod {podName} was created", $"pod {podName} was not created yet"); // unless the watch already told more
                    }
                    catch (HttpOperationException ex)
                    {
                        Report(node.Name, _probe.ErrorReport(node.Name, $"{node.Name}: its node-check pod could not be created: HTTP {(int?)ex.Response?.StatusCode} ({ex.Response?.ReasonPhrase ?? ex.Message}).",
                            _clock.Elapsed, ErrorIds.KubernetesNodeProbeFailed));
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                }, cancellation));
            }
            await Task.WhenAll(creates).ConfigureAwait(false);
            Context.Verbose($"Created {sequence} node-check pods in {_ns}.");
        }

        /// <summary>
        /// One paged list for the resourceVersion, then a watch from it. A watch the server ends (its timeout) resumes from
        /// the last version seen; one that fails (410 Gone, a dropped connection) starts over with a fresh list.
        /// </summary>
        private async Task WatchPodsAsync(CancellationToken cancellation)
        {
            var selector = $"{AppLabel}={AppName}";
            while (!cancellation.IsCancellationRequested)
            {
                string? resourceVersion = null;
                string? token = null;
                do
                {
                    var page = await Client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: selector, limit: KubernetesClusterCompliance.PageSize, continueParameter: token,
                        cancellationToken: cancellation).ConfigureAwait(false);
                    foreach (var pod in page.Items)
                    {
                        Seen(pod);
                    }
                    token = page.Metadata?.ContinueProperty;
                    resourceVersion = page.Metadata?.ResourceVersion;
                }
                while (!string.IsNullOrEmpty(token));
                try
                {
                    while (!cancellation.IsCancellationRequested)
                    {
                        var events = Client.CoreV1.WatchListNamespacedPodAsync(_ns, labelSelector: selector, resourceVersion: resourceVersion, timeoutSeconds: 300,
                            allowWatchBookmarks: true, cancellationToken: cancellation);
                        await foreach (var (type, pod) in events.ConfigureAwait(false))
                        {
                            resourceVersion = pod.Metadata?.ResourceVersion ?? resourceVersion;
                            if (type is WatchEventType.Added or WatchEventType.Modified)
                            {
                                Seen(pod);
                            }
                        }
                    }
                }
                catch (Exception ex) when (!cancellation.IsCancellationRequested && ex is HttpOperationException or KubernetesException or HttpRequestException or IOException)
                {
                    Context.Debug($"Pod watch in {_ns} ended ({ex.GetType().Name}); listing again.");
                    await Task.Delay(_probe.PollInterval, cancellation).ConfigureAwait(false);
                }
            }
        }
    }
}
