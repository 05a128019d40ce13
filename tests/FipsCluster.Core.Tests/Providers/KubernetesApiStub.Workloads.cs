using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// Namespaces, DaemonSets, pods and logs for Test-FipsCluster -NodeCheck DaemonSet. The stub plays the kubelets too:
/// for each node it really runs the DaemonSet container's command — a hostPath "/" mounted at /host makes
/// `chroot /host` the node's own root, so the rest of the command runs as-is on the machine standing in for that node
/// (<see cref="NodeRunner"/>: this host, or the simulated FIPS node through nsenter) — and serves its stdout as the pod log.
/// </summary>
public sealed partial class KubernetesApiStub
{
    private readonly ConcurrentDictionary<string, Workload> _namespaces = new(StringComparer.Ordinal);

    /// <summary>Namespaces created through the API, in order, and those deleted.</summary>
    public ConcurrentQueue<string> CreatedNamespaces { get; } = new();
    public ConcurrentQueue<string> DeletedNamespaces { get; } = new();

    /// <summary>Namespaces that exist now (created and not deleted).</summary>
    public IReadOnlyCollection<string> LiveNamespaces => _namespaces.Keys.ToList();

    /// <summary>The labels of the last namespace created.</summary>
    public Dictionary<string, string> LastNamespaceLabels { get; private set; } = new();

    /// <summary>The last DaemonSet posted, as sent.</summary>
    public JsonElement? LastDaemonSet { get; private set; }

    /// <summary>Node index + the container's command after `chroot /host` → the argv that runs it on the machine playing that node.</summary>
    public Func<int, IReadOnlyList<string>, IReadOnlyList<string>> NodeRunner { get; set; } = static (_, command) => command;

    /// <summary>
    /// When set, every node's container "prints" these bytes (one real run of the facts script, captured) instead of a
    /// process being started per node: for scale runs, where thousands of processes would measure this machine, not the probe.
    /// </summary>
    public byte[]? ReplayedNodeLog { get; set; }

    /// <summary>Node index → why its pod never starts (e.g. ImagePullBackOff).</summary>
    public Dictionary<int, string> StuckPods { get; } = new();

    /// <summary>Status answered to the DaemonSet create (403 for an RBAC refusal).</summary>
    public int DaemonSetCreateStatus { get; set; } = 201;

    /// <summary>How long a pod stays ContainerCreating before it runs (its change then reaches watchers as MODIFIED).</summary>
    public TimeSpan PodStartDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    private long _resourceVersion = 200;

    private sealed class Workload
    {
        public readonly ConcurrentDictionary<int, PodRun> Pods = new();
        public readonly ConcurrentDictionary<System.Threading.Channels.Channel<byte[]>, byte> Watchers = new();
        public readonly CancellationTokenSource Deleted = new();
    }

    private sealed class PodRun
    {
        public readonly MemoryStream Log = new();
        public byte[]? Replayed;
        public Process? Process;
        public string? Stuck;
        public volatile bool Running;
        public long ResourceVersion;
    }

    private partial (int, object)? RouteWorkloads(StubRequest request, string path)
    {
        var parts = path.Trim('/').Split('/');
        var method = request.HttpMethod;
        if (path == "/api/v1/namespaces" && method == "POST")
        {
            var ns = JsonDocument.Parse(Body(request)).RootElement;
            var name = ns.GetProperty("metadata").GetProperty("name").GetString()!;
            _namespaces[name] = new Workload();
            LastNamespaceLabels = ns.GetProperty("metadata").TryGetProperty("labels", out var labels)
                ? labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "") : new Dictionary<string, string>();
            CreatedNamespaces.Enqueue(name);
            return (201, new { kind = "Namespace", apiVersion = "v1", metadata = new { name, uid = Guid.NewGuid().ToString() }, status = new { phase = "Active" } });
        }
        // /api/v1/namespaces/{ns} and /api/v1/namespaces/{ns}/pods[/{pod}/log]
        if (parts.Length >= 4 && parts[0] == "api" && parts[2] == "namespaces" && parts[3] != "kube-system")
        {
            var ns = parts[3];
            if (parts.Length == 4 && method == "DELETE")
            {
                if (!_namespaces.TryRemove(ns, out var gone))
                {
                    return (404, Status(404, $"namespaces \"{ns}\" not found"));
                }
                Stop(gone);
                DeletedNamespaces.Enqueue(ns);
                return (200, new { kind = "Namespace", apiVersion = "v1", metadata = new { name = ns }, status = new { phase = "Terminating" } });
            }
            if (!_namespaces.TryGetValue(ns, out var workload))
            {
                return (404, Status(404, $"namespaces \"{ns}\" not found"));
            }
            if (parts.Length == 5 && parts[4] == "pods" && method == "GET")
            {
                if (request.QueryString["watch"] is "true" or "1")
                {
                    var since = long.TryParse(request.QueryString["resourceVersion"], out var rv) ? rv : (long?)null;
                    return (200, new StreamedBody("application/json", output => WatchAsync(workload, since, output)));
                }
                return (200, new { kind = "PodList", apiVersion = "v1", metadata = new { resourceVersion = Interlocked.Read(ref _resourceVersion).ToString() }, items = workload.Pods.OrderBy(p => p.Key).Select(p => Pod(p.Key, p.Value)).ToArray() });
            }
            if (parts.Length == 7 && parts[4] == "pods" && parts[6] == "log" && method == "GET")
            {
                var index = int.Parse(parts[5][(parts[5].LastIndexOf('-') + 1)..]);
                if (!workload.Pods.TryGetValue(index, out var run))
                {
                    return (404, Status(404, $"pods \"{parts[5]}\" not found"));
                }
                if (!run.Running)
                {
                    return (400, Status(400, $"container \"facts\" in pod \"{parts[5]}\" is waiting to start: " + (run.Stuck is null ? "ContainerCreating" : "trying and failing to pull image")));
                }
                if (request.QueryString["follow"] is "true" or "1")
                {
                    return (200, new StreamedBody("text/plain", output => FollowAsync(workload, run, output)));
                }
                lock (run.Log)
                {
                    return (200, new PlainText(run.Replayed ?? run.Log.ToArray()));
                }
            }
        }
        // /apis/apps/v1/namespaces/{ns}/daemonsets[/{name}]
        if (parts.Length >= 6 && parts[0] == "apis" && parts[1] == "apps" && parts[3] == "namespaces" && parts[5] == "daemonsets")
        {
            if (!_namespaces.TryGetValue(parts[4], out var workload))
            {
                return (404, Status(404, $"namespaces \"{parts[4]}\" not found"));
            }
            if (parts.Length == 6 && method == "POST")
            {
                if (DaemonSetCreateStatus != 201)
                {
                    return (DaemonSetCreateStatus, Status(DaemonSetCreateStatus, "daemonsets.apps is forbidden: User \"admin\" cannot create resource \"daemonsets\""));
                }
                var daemonSet = JsonDocument.Parse(Body(request)).RootElement.Clone();
                LastDaemonSet = daemonSet;
                var command = daemonSet.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].GetProperty("command")
                    .EnumerateArray().Select(x => x.GetString()!).ToList();
                if (command.Count < 3 || command[0] != "chroot" || command[1] != "/host")
                {
                    return (422, Status(422, "the node-check container must chroot into the hostPath root at /host"));
                }
                for (var i = 0; i < NodeCount; i++)
                {
                    var index = i;
                    var run = new PodRun { Stuck = StuckPods.GetValueOrDefault(i), ResourceVersion = Interlocked.Increment(ref _resourceVersion) };
                    workload.Pods[i] = run;
                    if (run.Stuck is null)
                    {
                        _ = Task.Delay(PodStartDelay, workload.Deleted.Token).ContinueWith(t =>
                        {
                            if (!t.IsCanceled)
                            {
                                Start(index, command, run);
                                if (workload.Deleted.IsCancellationRequested)
                                {
                                    run.Process?.Kill(entireProcessTree: true); // deleted while it was starting
                                    return;
                                }
                                run.ResourceVersion = Interlocked.Increment(ref _resourceVersion);
                                run.Running = true;
                                Broadcast(workload, "MODIFIED", index, run);
                            }
                        }, TaskScheduler.Default);
                    }
                }
                return (201, daemonSet);
            }
            if (parts.Length == 7 && method == "GET")
            {
                var ready = workload.Pods.Values.Count(p => p.Running);
                return (200, new
                {
                    kind = "DaemonSet", apiVersion = "apps/v1", metadata = new { name = parts[6], @namespace = parts[4] },
                    status = new { desiredNumberScheduled = workload.Pods.Count, currentNumberScheduled = workload.Pods.Count, numberReady = ready, numberMisscheduled = 0 },
                });
            }
        }
        return null;
    }

    private static string Body(StubRequest request)
    {
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private object Pod(int index, PodRun run) => new
    {
        metadata = new { name = $"fips-node-facts-{index}", resourceVersion = run.ResourceVersion.ToString(), labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "fips-node-facts" } },
        spec = new { nodeName = $"node-{index}", containers = new[] { new { name = "facts" } } },
        status = run.Running
            ? (object)new { phase = "Running", containerStatuses = new[] { new { name = "facts", ready = true, state = new { running = new { startedAt = "2026-11-23T00:00:00Z" } } } } }
            : new { phase = "Pending", containerStatuses = new[] { new { name = "facts", ready = false, state = new { waiting = new { reason = run.Stuck ?? "ContainerCreating", message = run.Stuck is null ? "" : "Back-off pulling image" } } } } },
    };

    private void Broadcast(Workload workload, string type, int index, PodRun run)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(new { type, @object = Pod(index, run) }).Append((byte)'\n').ToArray();
        foreach (var watcher in workload.Watchers.Keys)
        {
            watcher.Writer.TryWrite(line);
        }
    }

    /// <summary>
    /// A watch: events as they happen, one JSON object per line, until the namespace is deleted or the client leaves.
    /// From a resourceVersion (a list's), it first delivers what changed since — as the API server does — so a pod that
    /// started between the client's list and its watch is not lost.
    /// </summary>
    private async Task WatchAsync(Workload workload, long? since, Stream output)
    {
        var events = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
        workload.Watchers[events] = 0; // first: a change from now on is not missed (a repeat of the catch-up below is harmless)
        if (since is { } from)
        {
            foreach (var (index, run) in workload.Pods.Where(p => p.Value.ResourceVersion > from).OrderBy(p => p.Value.ResourceVersion))
            {
                events.Writer.TryWrite(JsonSerializer.SerializeToUtf8Bytes(new { type = "MODIFIED", @object = Pod(index, run) }).Append((byte)'\n').ToArray());
            }
        }
        try
        {
            await output.FlushAsync().ConfigureAwait(false);
            while (await events.Reader.WaitToReadAsync(workload.Deleted.Token).ConfigureAwait(false))
            {
                while (events.Reader.TryRead(out var line))
                {
                    await output.WriteAsync(line, workload.Deleted.Token).ConfigureAwait(false);
                    await output.FlushAsync(workload.Deleted.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            workload.Watchers.TryRemove(events, out _);
        }
    }

    /// <summary>A followed log: what the container has written, then more as it comes, until it exits or the namespace goes.</summary>
    private static async Task FollowAsync(Workload workload, PodRun run, Stream output)
    {
        var sent = 0;
        try
        {
            if (run.Replayed is { } replayed)
            {
                for (var offset = 0; offset < replayed.Length; offset += 65536)
                {
                    await output.WriteAsync(replayed.AsMemory(offset, Math.Min(65536, replayed.Length - offset)), workload.Deleted.Token).ConfigureAwait(false);
                }
                await output.FlushAsync(workload.Deleted.Token).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, workload.Deleted.Token).ConfigureAwait(false); // the container sleeps on
            }
            while (!workload.Deleted.IsCancellationRequested)
            {
                byte[] more;
                lock (run.Log)
                {
                    more = run.Log.GetBuffer().AsSpan(sent, (int)run.Log.Length - sent).ToArray();
                }
                if (more.Length > 0)
                {
                    await output.WriteAsync(more, workload.Deleted.Token).ConfigureAwait(false);
                    await output.FlushAsync(workload.Deleted.Token).ConfigureAwait(false);
                    sent += more.Length;
                }
                else if (run.Process is { HasExited: true })
                {
                    return;
                }
                else
                {
                    await Task.Delay(50, workload.Deleted.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The kubelet's part: the hostPath "/" volume at /host makes `chroot /host` the node's root.</summary>
    private void Start(int index, IReadOnlyList<string> command, PodRun run)
    {
        if (command.Count < 3 || command[0] != "chroot" || command[1] != "/host")
        {
            throw new InvalidOperationException("the node-check container must chroot into /host: " + string.Join(' ', command.Take(2)));
        }
        if (ReplayedNodeLog is { } replayed)
        {
            run.Replayed = replayed; // shared by every pod: 5,000 copies would be gigabytes
            return; // then it "sleeps", as the real container does after its output
        }
        var argv = NodeRunner(index, command.Skip(2).ToList());
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv.Skip(1))
        {
            start.ArgumentList.Add(a);
        }
        run.Process = Process.Start(start)!;
        // Raw bytes, as a container runtime keeps them: no line-ending translation.
        _ = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            int read;
            while ((read = await run.Process.StandardOutput.BaseStream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (run.Log)
                {
                    run.Log.Write(buffer, 0, read);
                }
            }
        });
        run.Process.ErrorDataReceived += (_, _) => { };
        run.Process.BeginErrorReadLine();
    }

    private static void Stop(Workload workload)
    {
        workload.Deleted.Cancel();
        foreach (var run in workload.Pods.Values)
        {
            try
            {
                run.Process?.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            run.Process?.Dispose();
        }
    }

    private void StopWorkloads()
    {
        foreach (var workload in _namespaces.Values)
        {
            Stop(workload);
        }
    }
}
