using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FipsCluster.Testing;

/// <summary>
/// Namespaces, pods and logs for Test-FipsCluster -NodeCheck DaemonSet. The stub plays the kubelets too: for each pod it
/// really runs the container's command on the node the pod is bound to (spec.nodeName node-N) — a hostPath "/" mounted
/// at /host makes `chroot /host` the node's own root, so the rest of the command runs on the machine standing in for
/// that node (<see cref="NodeRunner"/>: this host, or the simulated FIPS node through nsenter) — and serves its stdout
/// as the pod log. Like a kubelet it applies the pod's security context: a container that is not privileged runs in a
/// PID namespace of its own (unless hostPID), with the capabilities the pod keeps (setpriv: bounding set, no_new_privs)
/// and, for `chroot /host`, a real chroot into a root remounted read-only — every mount when the host mount is
/// recursiveReadOnly: Enabled, only the top one otherwise. It ends pods as a kubelet does: restartPolicy Never leaves an
/// exited container Succeeded or Failed, and activeDeadlineSeconds kills a pod that runs longer (Failed, DeadlineExceeded).
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

    /// <summary>Every pod created (not dry runs), as the API server received it.</summary>
    public ConcurrentQueue<JsonElement> CreatedPods { get; } = new();

    /// <summary>Every ConfigMap created, as received.</summary>
    public ConcurrentQueue<JsonElement> CreatedConfigMaps { get; } = new();

    /// <summary>Every pod sent with dryRun=All, as received.</summary>
    public ConcurrentQueue<JsonElement> DryRunPods { get; } = new();

    /// <summary>Node index + the container's command after `chroot /host` → the argv that runs it on the machine playing that node.</summary>
    public Func<int, IReadOnlyList<string>, IReadOnlyList<string>> NodeRunner { get; set; } = static (_, command) => command;

    /// <summary>
    /// When set, node index + the container's command after `chroot /host` → the bytes that container "prints" before
    /// it exits (a real run captured, e.g. by <see cref="NodeLogReplay"/>), instead of a process being started per pod:
    /// for scale runs, where thousands of processes would measure this machine, not the probe.
    /// </summary>
    public Func<int, IReadOnlyList<string>, byte[]>? ReplayNodeLog { get; set; }

    /// <summary>Bytes of pod logs served (what the API server relays from the kubelets).</summary>
    public long LogBytes => Interlocked.Read(ref _logBytes);

    private long _logBytes;

    /// <summary>Node index → why its pod never starts (e.g. ImagePullBackOff).</summary>
    public Dictionary<int, string> StuckPods { get; } = new();

    /// <summary>Status answered to pod creates, dry runs included (403 for an RBAC refusal).</summary>
    public int PodCreateStatus { get; set; } = 201;

    /// <summary>Status answered to namespace deletes (500: a client that cannot clean up, as if it had died).</summary>
    public int NamespaceDeleteStatus { get; set; } = 200;

    /// <summary>Drop recursiveReadOnly from pods as a server before Kubernetes 1.30 (or without the RecursiveReadOnlyMounts gate) does.</summary>
    public bool DropsRecursiveReadOnly { get; set; }

    /// <summary>How long a pod stays ContainerCreating before it runs (its change then reaches watchers as MODIFIED).</summary>
    public TimeSpan PodStartDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    private long _resourceVersion = 200;

    private sealed class Workload
    {
        public readonly ConcurrentDictionary<int, PodRun> Pods = new();
        public readonly ConcurrentDictionary<string, int> ByName = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<System.Threading.Channels.Channel<byte[]>, byte> Watchers = new();
        public readonly CancellationTokenSource Deleted = new();
        public readonly ConcurrentDictionary<string, Dictionary<string, string>> ConfigMaps = new(StringComparer.Ordinal);
        public int Sequence;
    }

    private sealed class PodRun
    {
        public readonly MemoryStream Log = new();
        public string Name = "";
        public int Node;
        public byte[]? Replayed;
        public Process? Process;
        public string? Stuck;
        public volatile bool Running;
        public volatile bool OutputDone;
        public volatile string Phase = "Pending";
        public string? Reason;
        public int ExitCode;
        public long ResourceVersion;
    }

    /// <summary>A pod's name, node and phase as the stub's kubelet sees them now.</summary>
    public sealed record PodState(string Name, string Node, string Phase, string? Reason, bool ProcessRunning);

    /// <summary>The pods of namespace <paramref name="ns"/> (empty when it is gone).</summary>
    public IReadOnlyList<PodState> PodsIn(string ns) => _namespaces.TryGetValue(ns, out var workload)
        ? workload.Pods.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new PodState(p.Name, $"node-{p.Node}", p.Phase, p.Reason, p.Process is { } process && !HasExited(process))).ToList()
        : Array.Empty<PodState>();

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
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
                if (NamespaceDeleteStatus != 200)
                {
                    return (NamespaceDeleteStatus, Status(NamespaceDeleteStatus, "internal error"));
                }
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
            if (parts.Length == 5 && parts[4] == "pods" && method == "POST")
            {
                return CreatePod(workload, request);
            }
            if (parts.Length == 5 && parts[4] == "configmaps" && method == "POST")
            {
                var map = JsonDocument.Parse(Body(request)).RootElement.Clone();
                var name = map.GetProperty("metadata").GetProperty("name").GetString()!;
                var data = map.TryGetProperty("data", out var entries) ? entries.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString() ?? "") : new Dictionary<string, string>();
                CreatedConfigMaps.Enqueue(map);
                return workload.ConfigMaps.TryAdd(name, data) ? (201, map) : (409, Status(409, $"configmaps \"{name}\" already exists"));
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
                if (!workload.ByName.TryGetValue(parts[5], out var key) || !workload.Pods.TryGetValue(key, out var run))
                {
                    return (404, Status(404, $"pods \"{parts[5]}\" not found"));
                }
                if (!run.Running && run.Phase == "Pending")
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
        return null;
    }

    /// <summary>
    /// POST a pod: a dry run answers the pod as it would be stored (nothing runs); otherwise the stub's kubelet for the
    /// node in spec.nodeName starts it after <see cref="PodStartDelay"/>.
    /// </summary>
    private (int, object) CreatePod(Workload workload, StubRequest request)
    {
        if (PodCreateStatus != 201)
        {
            return (PodCreateStatus, Status(PodCreateStatus, "pods is forbidden: User \"admin\" cannot create resource \"pods\""));
        }
        var received = JsonNode.Parse(Body(request))!.AsObject();
        var sent = JsonSerializer.SerializeToElement(received);
        var container = received["spec"]!["containers"]![0]!;
        if (DropsRecursiveReadOnly)
        {
            foreach (var mount in container["volumeMounts"]?.AsArray() ?? new JsonArray())
            {
                mount!.AsObject().Remove("recursiveReadOnly");
            }
        }
        var stored = JsonSerializer.SerializeToElement(received);
        if (request.QueryString["dryRun"] == "All")
        {
            DryRunPods.Enqueue(sent);
            return (201, stored);
        }
        CreatedPods.Enqueue(sent);
        var command = container["command"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        if (command.Count < 3 || command[0] != "chroot" || command[1] != "/host")
        {
            return (422, Status(422, "the node-check container must chroot into the hostPath root at /host"));
        }
        var nodeName = received["spec"]!["nodeName"]?.GetValue<string>() ?? "";
        if (!nodeName.StartsWith("node-", StringComparison.Ordinal) || !int.TryParse(nodeName["node-".Length..], out var index) || index >= NodeCount)
        {
            return (422, Status(422, $"spec.nodeName \"{nodeName}\" is not one of this cluster's nodes"));
        }
        var name = received["metadata"]!["name"]!.GetValue<string>();
        var key = Interlocked.Increment(ref workload.Sequence);
        if (!workload.ByName.TryAdd(name, key))
        {
            return (409, Status(409, $"pods \"{name}\" already exists"));
        }
        var run = new PodRun { Name = name, Node = index, Stuck = StuckPods.GetValueOrDefault(index), ResourceVersion = Interlocked.Increment(ref _resourceVersion) };
        workload.Pods[key] = run;
        Broadcast(workload, "ADDED", key, run);
        var deadline = received["spec"]!["activeDeadlineSeconds"]?.GetValue<long>();
        // The container's environment, as the kubelet resolves it (a ConfigMap key that does not exist stops the container from being created).
        var environment = new List<string>();
        string? configError = null;
        foreach (var variable in container["env"]?.AsArray() ?? new JsonArray())
        {
            var reference = variable!["valueFrom"]?["configMapKeyRef"];
            var value = reference is null ? variable["value"]?.GetValue<string>() ?? ""
                : workload.ConfigMaps.GetValueOrDefault(reference["name"]!.GetValue<string>())?.GetValueOrDefault(reference["key"]!.GetValue<string>());
            if (value is null)
            {
                configError = "CreateContainerConfigError";
            }
            environment.Add($"{variable["name"]!.GetValue<string>()}={value}");
        }
        // `env NAME=value…` first: the variables reach the command through unshare, setpriv and chroot, as a runtime sets them.
        var withEnvironment = environment.Count == 0 ? new List<string>() : new[] { "env" }.Concat(environment).ToList();
        var argv = withEnvironment.Concat(Kubelet(container, received["spec"]!["hostPID"]?.GetValue<bool>() == true, command)).ToList();
        var containerCommand = withEnvironment.Concat(command.Skip(2)).ToList();
        if (configError is not null)
        {
            run.Stuck ??= configError;
        }
        if (deadline is { } seconds)
        {
            // The kubelet counts from the pod's start on the node (image pulls included): a pod still there then is stopped.
            _ = Task.Delay(TimeSpan.FromSeconds(seconds), workload.Deleted.Token).ContinueWith(t =>
            {
                if (!t.IsCanceled && run.Phase is "Pending" or "Running")
                {
                    // The phase first: the killed process's own exit must not report the end as a plain failure.
                    End(workload, key, run, "Failed", "DeadlineExceeded", 137);
                    Kill(run);
                }
            }, TaskScheduler.Default);
        }
        if (run.Stuck is null)
        {
            _ = Task.Delay(PodStartDelay, workload.Deleted.Token).ContinueWith(t =>
            {
                if (t.IsCanceled || run.Phase != "Pending")
                {
                    return;
                }
                Start(index, argv, containerCommand, run);
                if (workload.Deleted.IsCancellationRequested)
                {
                    Kill(run); // deleted while it was starting
                    return;
                }
                run.ResourceVersion = Interlocked.Increment(ref _resourceVersion);
                run.Running = true;
                run.Phase = "Running";
                Broadcast(workload, "MODIFIED", key, run);
                if (run.Process is null)
                {
                    run.OutputDone = true;
                    End(workload, key, run, "Succeeded", null, 0); // a replayed log: printed at once, then the container exits
                    return;
                }
                _ = run.Process.WaitForExitAsync(workload.Deleted.Token).ContinueWith(async exited =>
                {
                    if (exited.IsCanceled)
                    {
                        return;
                    }
                    while (!run.OutputDone)
                    {
                        await Task.Delay(10).ConfigureAwait(false);
                    }
                    var code = run.Process.ExitCode;
                    End(workload, key, run, code == 0 ? "Succeeded" : "Failed", null, code);
                }, TaskScheduler.Default);
            }, TaskScheduler.Default);
        }
        return (201, stored);
    }

    /// <summary>A container ended (or its pod hit its deadline): the phase a kubelet reports, once.</summary>
    private void End(Workload workload, int key, PodRun run, string phase, string? reason, int exitCode)
    {
        lock (run)
        {
            if (run.Phase is "Succeeded" or "Failed")
            {
                return;
            }
            run.ExitCode = exitCode;
            run.Reason = reason;
            run.Running = false;
            run.ResourceVersion = Interlocked.Increment(ref _resourceVersion);
            run.Phase = phase;
        }
        Broadcast(workload, "MODIFIED", key, run);
    }

    private static readonly string[] RuntimeDefaultCapabilities =
    {
        "chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write",
    };

    /// <summary>
    /// What the kubelet and runtime make of the container: the argv, after `chroot /host`, that runs it on this node's
    /// machine. Privileged: as is. Otherwise in a PID namespace of its own (unless hostPID) and a private mount
    /// namespace whose mounts are made read-only as the host mount asks, with the pod's capabilities only (and
    /// no_new_privs without allowPrivilegeEscalation), then a real `chroot /`.
    /// </summary>
    private static IReadOnlyList<string> Kubelet(JsonNode container, bool hostPid, IReadOnlyList<string> command)
    {
        var security = container["securityContext"];
        var rest = command.Skip(2).ToList();
        if (security?["privileged"]?.GetValue<bool>() == true)
        {
            return rest;
        }
        var mount = container["volumeMounts"]?.AsArray().FirstOrDefault(m => m!["mountPath"]?.GetValue<string>() == "/host");
        var readOnly = mount?["readOnly"]?.GetValue<bool>() == true;
        var recursive = readOnly && mount?["recursiveReadOnly"]?.GetValue<string>() == "Enabled";
        var drop = security?["capabilities"]?["drop"]?.AsArray().Select(x => x!.GetValue<string>().ToLowerInvariant()).ToHashSet() ?? new HashSet<string>();
        var add = security?["capabilities"]?["add"]?.AsArray().Select(x => x!.GetValue<string>().ToLowerInvariant()).ToList() ?? new List<string>();
        var kept = (drop.Contains("all") ? Array.Empty<string>() : RuntimeDefaultCapabilities.Where(c => !drop.Contains(c))).Concat(add).Distinct().ToList();
        var remount = !readOnly ? "" : recursive
            ? "for m in $(awk '{print $5}' /proc/self/mountinfo | sort -r); do mount -o remount,bind,ro \"$m\" 2>/dev/null; done; "
            : "mount -o remount,bind,ro / && ";
        var argv = new List<string> { "unshare", "-m", "--propagation", "private" };
        if (!hostPid)
        {
            argv.AddRange(new[] { "-p", "-f" }); // the host's /proc stays mounted: /proc/1 is still the host's init, as through /host/proc
        }
        argv.AddRange(new[] { "/bin/sh", "-c", remount + "exec \"$@\"", "kubelet" });
        argv.AddRange(new[] { "setpriv", "--inh-caps=-all", "--bounding-set=-all" + string.Concat(kept.Select(c => ",+" + c)) });
        if (security?["allowPrivilegeEscalation"]?.GetValue<bool>() == false)
        {
            argv.Add("--no-new-privs");
        }
        argv.AddRange(new[] { "--", "chroot", "/" });
        argv.AddRange(rest);
        return argv;
    }

    private static string Body(StubRequest request)
    {
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private object Pod(int key, PodRun run) => new
    {
        metadata = new { name = run.Name, resourceVersion = run.ResourceVersion.ToString(), labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "fips-node-facts" } },
        spec = new { nodeName = $"node-{run.Node}", restartPolicy = "Never", containers = new[] { new { name = "facts" } } },
        status = run.Phase switch
        {
            "Running" => (object)new { phase = "Running", containerStatuses = new[] { new { name = "facts", ready = true, state = (object)new { running = new { startedAt = "2026-11-23T00:00:00Z" } } } } },
            "Succeeded" or "Failed" when run.Process is not null || run.Replayed is not null => new
            {
                phase = run.Phase, reason = run.Reason, message = run.Reason is null ? null : "Pod was active on the node longer than the specified deadline",
                containerStatuses = new[] { new { name = "facts", ready = false, state = (object)new { terminated = new { exitCode = run.ExitCode, reason = run.ExitCode == 0 ? "Completed" : "Error" } } } },
            },
            "Succeeded" or "Failed" => new
            {
                phase = run.Phase, reason = run.Reason, message = "Pod was active on the node longer than the specified deadline",
                containerStatuses = new[] { new { name = "facts", ready = false, state = (object)new { waiting = new { reason = run.Stuck ?? "ContainerCreating", message = "" } } } },
            },
            _ => new { phase = "Pending", containerStatuses = new[] { new { name = "facts", ready = false, state = (object)new { waiting = new { reason = run.Stuck ?? "ContainerCreating", message = run.Stuck is null ? "" : "Back-off pulling image" } } } } },
        },
    };

    private void Broadcast(Workload workload, string type, int key, PodRun run)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(new { type, @object = Pod(key, run) }).Append((byte)'\n').ToArray();
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

    /// <summary>A followed log: what the container has written, then more as it comes, until it has exited and all is sent, or the namespace goes.</summary>
    private async Task FollowAsync(Workload workload, PodRun run, Stream output)
    {
        var sent = 0;
        try
        {
            if (run.Replayed is { } replayed)
            {
                for (var offset = 0; offset < replayed.Length; offset += 65536)
                {
                    var chunk = Math.Min(65536, replayed.Length - offset);
                    await output.WriteAsync(replayed.AsMemory(offset, chunk), workload.Deleted.Token).ConfigureAwait(false);
                    Interlocked.Add(ref _logBytes, chunk);
                }
                await output.FlushAsync(workload.Deleted.Token).ConfigureAwait(false);
                return; // the container printed its facts and exited
            }
            while (!workload.Deleted.IsCancellationRequested)
            {
                var done = run.OutputDone; // read before the log: what was written before the end is then sent below
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
                    Interlocked.Add(ref _logBytes, more.Length);
                }
                else if (done)
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

    /// <summary>The kubelet's part: runs the container's argv (see <see cref="Kubelet"/>) on the machine playing node <paramref name="index"/>.</summary>
    private void Start(int index, IReadOnlyList<string> command, IReadOnlyList<string> containerCommand, PodRun run)
    {
        if (ReplayNodeLog is { } replay)
        {
            run.Replayed = replay(index, containerCommand); // shared by the pods of one kind: 5,000 copies would be gigabytes
            return;
        }
        var argv = NodeRunner(index, command);
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
            try
            {
                while ((read = await run.Process.StandardOutput.BaseStream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    lock (run.Log)
                    {
                        run.Log.Write(buffer, 0, read);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
            }
            finally
            {
                run.OutputDone = true;
            }
        });
        run.Process.ErrorDataReceived += (_, _) => { };
        run.Process.BeginErrorReadLine();
    }

    private static void Kill(PodRun run)
    {
        try
        {
            run.Process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void Stop(Workload workload)
    {
        workload.Deleted.Cancel();
        foreach (var run in workload.Pods.Values)
        {
            Kill(run);
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
