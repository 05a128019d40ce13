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
/// <para>
/// Every byte of a log crosses the API server, so (<see cref="ContentAddressed"/>) the output is compressed
/// (<see cref="PodFactsLog"/>) and each distinct build-info window crosses once: the first node of each build sends
/// its windows, the others only their digests (<see cref="PodWindowBroker"/>).
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

    /// <summary>
    /// Compressed logs and each distinct build-info window sent once per run (the default). Off, every pod sends every
    /// window, plain — the protocol before issue 19, kept so the benchmark and the verdict tests can compare.
    /// </summary>
    public bool ContentAddressed { get; init; } = true;

    /// <summary>How long nodes that wait for their build's representative wait before one of them fetches the windows itself (default: a third of the timeout, at most 10 s).</summary>
    public TimeSpan RepresentativePatience
    {
        get => _patience ?? TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, Timeout.Ticks / 3));
        init => _patience = value;
    }

    private readonly TimeSpan? _patience;

    /// <summary>The namespace of the last run (for messages and tests).</summary>
    public string? Namespace { get; private set; }

    /// <summary>The pods' activeDeadlineSeconds: the timeout, whole seconds, at least one.</summary>
    public long DeadlineSeconds => Math.Max(1, (long)Math.Ceiling(Timeout.TotalSeconds));

    /// <summary>The ConfigMap of a run's scripts (immutable): a pod names its script by key, so its spec — sent, echoed and watched per node — stays small.</summary>
    public const string ScriptsConfigMap = AppName;

    /// <summary>The container's environment variable that holds its script (from <see cref="ScriptsConfigMap"/>).</summary>
    public const string ScriptVariable = "FIPSCLUSTER_FACTS";

    /// <summary>
    /// The container command: chroot into the host's root (mounted read-only at /host) and run the facts script; the
    /// container then exits. Content-addressed, the script comes from <see cref="ScriptVariable"/> (the pod's
    /// ConfigMap key decides which); otherwise it is the plain sending script itself, as before issue 19.
    /// </summary>
    public static IList<string> Command(FactScope scope, bool contentAddressed) =>
        new List<string> { "chroot", "/host", "/bin/sh", "-c", contentAddressed ? $"eval \"${ScriptVariable}\"" : ShellFactScript.ScriptFor(scope) };

    /// <summary>
    /// The script a content-addressed pod runs, its build-info windows as <paramref name="windows"/> says, its output
    /// compressed when the node can. It first unsets its own variable, so the environment the facts record is the
    /// container's as it would be without it.
    /// </summary>
    public static string Script(FactScope scope, BuildInfoWindows windows) =>
        $"unset {ScriptVariable}\n" + PodFactsLog.Compressed(ShellFactScript.ScriptFor(scope, windows));

    /// <summary>The key of <see cref="ScriptsConfigMap"/> that holds the script for <paramref name="windows"/>.</summary>
    public static string ScriptKey(BuildInfoWindows windows) => windows == BuildInfoWindows.Offer ? "offer" : "send";

    /// <summary>What the caller knows of a node from its Node object: its name, and its build (see <see cref="BuildOf"/>).</summary>
    public sealed record Target(string Name, string Build);

    /// <summary>
    /// A node's build as its Node object states it: kubelet, container runtime, OS image, kernel and architecture.
    /// Nodes of one build almost always carry the same component binaries (a node that does not is still judged right:
    /// see <see cref="PodWindowBroker"/>).
    /// </summary>
    public static string BuildOf(V1NodeSystemInfo? info) =>
        string.Join('\n', info?.KubeletVersion, info?.ContainerRuntimeVersion, info?.OsImage, info?.KernelVersion, info?.Architecture);

    [GeneratedRegex("^[^@\\s]+@sha256:[0-9a-f]{64}$")]
    private static partial Regex PinnedImage();

    /// <summary>Returns <paramref name="image"/> when it names its content by digest (repository[:tag]@sha256:…); otherwise NodeCheckImageNotPinned.</summary>
    public static string RequirePinnedImage(string image) => PinnedImage().IsMatch(image ?? "") ? image!
        : throw new FipsClusterException(ErrorIds.NodeCheckImageNotPinned, FipsErrorCategory.InvalidArgument,
            $"The node-check image '{image}' is not pinned by digest: give it as repository[:tag]@sha256:<64 hex digits> (the default is {DefaultImage}), "
            + "so the code that runs on every node cannot be changed under the check by moving a tag.", image);

    /// <summary>
    /// Creates the namespace, then one pod per node read from <paramref name="nodes"/> (as the caller lists them),
    /// collects one report per node (nodes whose pod did not report in time get an Error report naming why), and always
    /// deletes the namespace. Returns null when the user declined (-WhatIf / -Confirm).
    /// </summary>
    public async Task<IReadOnlyList<NodeComplianceReport>?> RunAsync(string clusterName, ChannelReader<Target> nodes)
    {
        var name = NamespacePrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        if (!_context.ShouldProcess($"cluster {clusterName}",
            $"Create namespace {name} with one short-lived pod per node ({Image}; not privileged: only CAP_SYS_CHROOT, the host's root mounted recursively read-only) that reads the node's FIPS facts and exits"
            + (ContentAddressed ? " (its script from an immutable ConfigMap in the namespace)" : "") + ", then delete the namespace"))
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
            if (ContentAddressed)
            {
                await CreateScriptsAsync(name).ConfigureAwait(false);
            }
            return await new ProbeRun(this, name).CollectAsync(nodes).ConfigureAwait(false);
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

    /// <summary>
    /// The pod that reads <paramref name="node"/>'s facts, its build-info windows as <paramref name="windows"/> says, bound
    /// to it by name (no scheduler: every node, cordoned and tainted ones too).
    /// </summary>
    public V1Pod Pod(string podName, string node, BuildInfoWindows windows = BuildInfoWindows.Send)
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
                        Command = Command(NodeCheckCatalog.ScopeOf(_profile), ContentAddressed),
                        Env = ContentAddressed
                            ? new List<V1EnvVar> { new() { Name = ScriptVariable, ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = ScriptsConfigMap, Key = ScriptKey(windows), Optional = false } } } }
                            : null,
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

    /// <summary>The run's scripts, one ConfigMap for all pods, immutable: what a pod runs cannot change once it exists.</summary>
    private async Task CreateScriptsAsync(string ns)
    {
        var scope = NodeCheckCatalog.ScopeOf(_profile);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = ScriptsConfigMap, Labels = new Dictionary<string, string> { [AppLabel] = AppName, [ManagedByLabel] = ManagedBy } },
            Immutable = true,
            Data = new[] { BuildInfoWindows.Send, BuildInfoWindows.Offer }.ToDictionary(ScriptKey, windows => Script(scope, windows)),
        }, ns, cancellationToken: _context.Cancellation).ConfigureAwait(false);
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
