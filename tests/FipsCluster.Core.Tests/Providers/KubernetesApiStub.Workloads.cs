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

    /// <summary>Node index → why its pod never starts (e.g. ImagePullBackOff).</summary>
    public Dictionary<int, string> StuckPods { get; } = new();

    /// <summary>Status answered to the DaemonSet create (403 for an RBAC refusal).</summary>
    public int DaemonSetCreateStatus { get; set; } = 201;

    private sealed class Workload
    {
        public readonly ConcurrentDictionary<int, PodRun> Pods = new();
    }

    private sealed class PodRun
    {
        public readonly MemoryStream Log = new();
        public Process? Process;
        public string? Stuck;
    }

    private partial (int, object)? RouteWorkloads(HttpListenerRequest request, string path)
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
                return (200, new { kind = "PodList", apiVersion = "v1", metadata = new { resourceVersion = "200" }, items = workload.Pods.OrderBy(p => p.Key).Select(p => Pod(p.Key, p.Value)).ToArray() });
            }
            if (parts.Length == 7 && parts[4] == "pods" && parts[6] == "log" && method == "GET")
            {
                var index = int.Parse(parts[5][(parts[5].LastIndexOf('-') + 1)..]);
                if (!workload.Pods.TryGetValue(index, out var run))
                {
                    return (404, Status(404, $"pods \"{parts[5]}\" not found"));
                }
                if (run.Stuck is not null)
                {
                    return (400, Status(400, $"container \"facts\" in pod \"{parts[5]}\" is waiting to start: trying and failing to pull image"));
                }
                lock (run.Log)
                {
                    return (200, new PlainText(run.Log.ToArray()));
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
                for (var i = 0; i < NodeCount; i++)
                {
                    workload.Pods[i] = StuckPods.TryGetValue(i, out var stuck) ? new PodRun { Stuck = stuck } : Start(i, command);
                }
                return (201, daemonSet);
            }
            if (parts.Length == 7 && method == "GET")
            {
                var ready = workload.Pods.Values.Count(p => p.Stuck is null);
                return (200, new
                {
                    kind = "DaemonSet", apiVersion = "apps/v1", metadata = new { name = parts[6], @namespace = parts[4] },
                    status = new { desiredNumberScheduled = workload.Pods.Count, currentNumberScheduled = workload.Pods.Count, numberReady = ready, numberMisscheduled = 0 },
                });
            }
        }
        return null;
    }

    private static string Body(HttpListenerRequest request)
    {
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private object Pod(int index, PodRun run) => new
    {
        metadata = new { name = $"fips-node-facts-{index}", labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "fips-node-facts" } },
        spec = new { nodeName = $"node-{index}", containers = new[] { new { name = "facts" } } },
        status = run.Stuck is null
            ? (object)new { phase = "Running", containerStatuses = new[] { new { name = "facts", ready = true, state = new { running = new { startedAt = "2026-11-23T00:00:00Z" } } } } }
            : new { phase = "Pending", containerStatuses = new[] { new { name = "facts", ready = false, state = new { waiting = new { reason = run.Stuck, message = "Back-off pulling image" } } } } },
    };

    /// <summary>The kubelet's part: the hostPath "/" volume at /host makes `chroot /host` the node's root.</summary>
    private PodRun Start(int index, IReadOnlyList<string> command)
    {
        if (command.Count < 3 || command[0] != "chroot" || command[1] != "/host")
        {
            throw new InvalidOperationException("the node-check container must chroot into /host: " + string.Join(' ', command.Take(2)));
        }
        var argv = NodeRunner(index, command.Skip(2).ToList());
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv.Skip(1))
        {
            start.ArgumentList.Add(a);
        }
        var run = new PodRun { Process = Process.Start(start)! };
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
        return run;
    }

    private static void Stop(Workload workload)
    {
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
