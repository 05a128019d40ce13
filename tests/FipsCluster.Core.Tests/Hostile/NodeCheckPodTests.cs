using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Tests.Providers;
using k8s;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 6: the node-check pods hold only what the facts script needs and end by themselves. The pod spec
/// is asserted as the API server received it; the stub's kubelet really applies it (own PID namespace, the listed
/// capabilities only, no_new_privs, a recursively read-only root, activeDeadlineSeconds, restartPolicy Never).
/// </summary>
public sealed class NodeCheckPodTests : IDisposable
{
    private readonly KubernetesApiStub _api = new();
    private readonly Kubernetes _client;

    public NodeCheckPodTests() => _client = KubernetesStubClient.Create(_api);

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
    }

    private Task<ClusterComplianceReport> Test(TimeSpan timeout, OperationContext? context = null) =>
        KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default) { DaemonSet = new DaemonSetNodeCheck(DaemonSetNodeProbe.DefaultImage, timeout) }, context ?? OperationContext.None);

    [Fact]
    public async Task Each_nodes_pod_is_not_privileged_keeps_only_CAP_SYS_CHROOT_and_sees_the_host_recursively_read_only_from_an_image_by_digest()
    {
        var argv = new System.Collections.Concurrent.ConcurrentBag<string>();
        _api.NodeRunner = (_, command) =>
        {
            // all but the environment (the script) and the command's text
            argv.Add(string.Join(' ', command.SkipWhile(a => a == "env" || a.StartsWith(DaemonSetNodeProbe.ScriptVariable + "=", StringComparison.Ordinal)).SkipLast(1)));
            Assert.Equal(new[] { "env", DaemonSetNodeProbe.ScriptVariable + "=" }, command.Take(2).Select(a => a.Contains('=') ? a[..(a.IndexOf('=') + 1)] : a));
            return command;
        };
        var report = await Test(TimeSpan.FromSeconds(60));
        Assert.Equal(new[] { "node-0", "node-1", "node-2" }, report.Nodes.Select(n => n.ComputerName));
        Assert.DoesNotContain(report.Nodes, n => n.Status == ComplianceStatus.Error); // the script ran to its end under these limits

        Assert.Equal(DaemonSetNodeProbe.PodSecurityLevel, _api.LastNamespaceLabels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal(3, _api.CreatedPods.Count);
        foreach (var pod in _api.CreatedPods.Append(_api.DryRunPods.Single()))
        {
            var spec = pod.GetProperty("spec");
            Assert.Equal("Never", spec.GetProperty("restartPolicy").GetString());
            Assert.Equal(60, spec.GetProperty("activeDeadlineSeconds").GetInt64());
            Assert.StartsWith("node-", spec.GetProperty("nodeName").GetString());
            Assert.False(spec.GetProperty("automountServiceAccountToken").GetBoolean());
            foreach (var hostNamespace in new[] { "hostPID", "hostIPC", "hostNetwork" })
            {
                Assert.False(spec.TryGetProperty(hostNamespace, out var shared) && shared.GetBoolean(), hostNamespace);
            }
            var volume = Assert.Single(spec.GetProperty("volumes").EnumerateArray());
            Assert.Equal("/", volume.GetProperty("hostPath").GetProperty("path").GetString());

            var container = Assert.Single(spec.GetProperty("containers").EnumerateArray());
            Assert.Matches("^[^@]+@sha256:[0-9a-f]{64}$", container.GetProperty("image").GetString());
            Assert.Equal(DaemonSetNodeProbe.DefaultImage, container.GetProperty("image").GetString());
            var security = container.GetProperty("securityContext");
            Assert.False(security.GetProperty("privileged").GetBoolean());
            Assert.False(security.GetProperty("allowPrivilegeEscalation").GetBoolean());
            Assert.True(security.GetProperty("readOnlyRootFilesystem").GetBoolean());
            Assert.Equal("RuntimeDefault", security.GetProperty("seccompProfile").GetProperty("type").GetString());
            Assert.Equal(0, security.GetProperty("runAsUser").GetInt64());
            Assert.Equal(new[] { "ALL" }, security.GetProperty("capabilities").GetProperty("drop").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(new[] { "SYS_CHROOT" }, security.GetProperty("capabilities").GetProperty("add").EnumerateArray().Select(c => c.GetString()));
            var mount = Assert.Single(container.GetProperty("volumeMounts").EnumerateArray());
            Assert.Equal("/host", mount.GetProperty("mountPath").GetString());
            Assert.True(mount.GetProperty("readOnly").GetBoolean());
            Assert.Equal("Enabled", mount.GetProperty("recursiveReadOnly").GetString());
            Assert.False(mount.TryGetProperty("mountPropagation", out _)); // None: required by recursive read-only mounts

            // It ends by itself: the script runs and the container exits (no sleep, no loop after it). The script comes
            // from the run's immutable ConfigMap: the first node of the build (all three are one here; the dry run is
            // made for it) sends its build-info windows, the others their digests only.
            var command = container.GetProperty("command").EnumerateArray().Select(x => x.GetString()!).ToList();
            Assert.Equal(new[] { "chroot", "/host", "/bin/sh", "-c", $"eval \"${DaemonSetNodeProbe.ScriptVariable}\"" }, command);
            var variable = Assert.Single(container.GetProperty("env").EnumerateArray());
            Assert.Equal(DaemonSetNodeProbe.ScriptVariable, variable.GetProperty("name").GetString());
            var reference = variable.GetProperty("valueFrom").GetProperty("configMapKeyRef");
            Assert.Equal(DaemonSetNodeProbe.ScriptsConfigMap, reference.GetProperty("name").GetString());
            Assert.Equal(spec.GetProperty("nodeName").GetString() == "node-0" ? "send" : "offer", reference.GetProperty("key").GetString());
        }
        var scripts = Assert.Single(_api.CreatedConfigMaps);
        Assert.True(scripts.GetProperty("immutable").GetBoolean());
        foreach (var windows in new[] { FipsCluster.Core.Compliance.Node.BuildInfoWindows.Send, FipsCluster.Core.Compliance.Node.BuildInfoWindows.Offer })
        {
            var script = scripts.GetProperty("data").GetProperty(DaemonSetNodeProbe.ScriptKey(windows)).GetString()!;
            Assert.Equal(DaemonSetNodeProbe.Script(FipsCluster.Core.Compliance.Node.FactScope.All, windows), script);
            Assert.Contains(FipsCluster.Core.Compliance.Node.ShellFactScript.ScriptFor(FipsCluster.Core.Compliance.Node.FactScope.All, windows), script);
            Assert.DoesNotContain("sleep", script);
        }
        // The stub's kubelet applied exactly that: its own PID namespace, a read-only mount tree, only sys_chroot, no_new_privs, a real chroot.
        Assert.Equal(3, argv.Count);
        Assert.All(argv, a => Assert.Matches(@"^unshare -m --propagation private -p -f /bin/sh -c for m in .*mount -o remount,bind,ro.* setpriv --inh-caps=-all --bounding-set=-all,\+sys_chroot --no-new-privs -- chroot / /bin/sh -c$", a));
        Assert.Empty(_api.LiveNamespaces);
    }

    [Fact]
    public async Task Without_the_chroot_capability_the_script_could_not_run_so_it_is_the_one_kept()
    {
        // The same pods, but the capability stripped by the "runtime": each node then fails, by name — CAP_SYS_CHROOT is needed.
        _api.NodeRunner = (_, command) => command.Select(a => a.Replace(",+sys_chroot", "", StringComparison.Ordinal)).ToList();
        var report = await Test(TimeSpan.FromSeconds(30));
        Assert.All(report.Nodes, n =>
        {
            Assert.Equal(ComplianceStatus.Error, n.Status);
            Assert.Contains("Failed", Assert.Single(n.Errors));
        });
        Assert.Equal(CheckStatus.Fail, report.Checks.Single(c => c.CheckId == "K8S-NODE-01").Status);
    }

    [Fact]
    public async Task A_client_cancelled_mid_run_that_cannot_clean_up_still_leaves_no_pod_running_past_its_deadline()
    {
        // node-0 is healthy (it answers at once: the full fact script can take longer than the 4 s deadline on a busy
        // machine); node-1 and node-2 hang. The client is stopped once the pods exist and cannot delete the
        // namespace (as if it had died): the pods must end on their own, within activeDeadlineSeconds.
        _api.NodeRunner = (index, command) => index == 0 ? new[] { "/bin/sh", "-c", "echo '@@FC end'" } : new[] { "sleep", "600" };
        _api.NamespaceDeleteStatus = 500;
        using var cancel = new CancellationTokenSource();
        var run = Test(TimeSpan.FromSeconds(4), new OperationContext { Cancellation = cancel.Token });
        var clock = Stopwatch.StartNew();
        while (_api.CreatedPods.Count < 3 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }
        var ns = Assert.Single(_api.CreatedNamespaces);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Contains(ns, _api.LiveNamespaces); // nobody cleaned up

        var ended = Stopwatch.StartNew();
        while (_api.PodsIn(ns).Any(p => p.Phase is "Pending" or "Running" || p.ProcessRunning) && ended.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }
        var pods = _api.PodsIn(ns);
        Assert.Equal(3, pods.Count);
        Assert.DoesNotContain(pods, p => p.ProcessRunning);
        Assert.Equal("Succeeded", pods.Single(p => p.Node == "node-0").Phase);
        Assert.All(pods.Where(p => p.Node != "node-0"), p => Assert.Equal(("Failed", "DeadlineExceeded"), (p.Phase, p.Reason)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4 + 8), $"the hung pods ended after {clock.Elapsed}");
    }

    [Fact]
    public async Task A_server_without_recursive_read_only_mounts_gets_no_pod_at_all_and_the_node_check_is_an_Error_saying_why()
    {
        _api.DropsRecursiveReadOnly = true; // as Kubernetes before 1.30 (or 1.30 without the gate) prunes the field
        var report = await Test(TimeSpan.FromSeconds(30));
        var check = report.Checks.Single(c => c.CheckId == "K8S-NODE-01");
        Assert.Equal(CheckStatus.Error, check.Status);
        Assert.Contains("recursiveReadOnly: dropped", check.Actual);
        Assert.Contains("-NodeCheck Ssh", check.Actual);
        Assert.Single(_api.DryRunPods);
        Assert.Empty(_api.CreatedPods);
        Assert.Empty(_api.LiveNamespaces);
    }

    [Theory]
    [InlineData("docker.io/library/busybox:1.36.1")]
    [InlineData("busybox")]
    [InlineData("busybox@sha256:73AAF090F3D85AA34EE199857F03FA3A95C8EDE2FFD4CC2CDB5B94E566B11662")]
    [InlineData("busybox@sha256:73aaf0")]
    [InlineData("busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662 ; sh")]
    public void An_image_not_pinned_by_digest_is_refused(string image)
    {
        var refused = Assert.Throws<FipsClusterException>(() => new DaemonSetNodeCheck(image, TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorIds.NodeCheckImageNotPinned, refused.ErrorId);
        Assert.Equal(FipsErrorCategory.InvalidArgument, refused.Category);
        Assert.Equal("registry.example.com/tools/busybox@sha256:" + new string('a', 64),
            new DaemonSetNodeCheck("registry.example.com/tools/busybox@sha256:" + new string('a', 64), TimeSpan.FromSeconds(1)).Image);
    }

    [Fact]
    public void The_default_image_is_pinned_by_digest()
    {
        Assert.Matches(new Regex("^docker\\.io/library/busybox:1\\.36\\.1@sha256:[0-9a-f]{64}$"), DaemonSetNodeProbe.DefaultImage);
        Assert.Equal(DaemonSetNodeProbe.DefaultImage, new DaemonSetNodeCheck(DaemonSetNodeProbe.DefaultImage, TimeSpan.FromSeconds(1)).Image);
    }
}
