using System.Diagnostics;
using System.Text.Json;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Remoting;
using k8s;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// -NodeCheck DaemonSet through the real KubernetesClient: the stub plays the kubelets by really running each node's
/// pod command on this host under the pod's security context (its own PID namespace, CAP_SYS_CHROOT only, no_new_privs,
/// a recursively read-only root, a real chroot), so the facts are this host's own. The pod spec and the ways the pods
/// end are asserted in Hostile/NodeCheckPodTests.
/// </summary>
public sealed class DaemonSetNodeCheckTests : IDisposable
{
    private readonly KubernetesApiStub _api = new();
    private readonly Kubernetes _client;

    public DaemonSetNodeCheckTests() => _client = KubernetesStubClient.Create(_api);

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
    }

    private Task<ClusterComplianceReport> Test(OperationContext? context = null, TimeSpan? timeout = null) =>
        KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default) { DaemonSet = new DaemonSetNodeCheck(DaemonSetNodeProbe.DefaultImage, timeout ?? TimeSpan.FromSeconds(60)) }, context ?? OperationContext.None);

    [Fact]
    public async Task Every_node_is_judged_by_its_pod_exactly_as_the_same_host_is_judged_locally_and_the_namespace_is_deleted()
    {
        var report = await Test();
        Assert.Equal(new[] { "node-0", "node-1", "node-2" }, report.Nodes.Select(n => n.ComputerName));
        Assert.All(report.Nodes, n => Assert.Equal(NodeTransport.KubernetesPod, n.Transport));

        // The same facts script, the same evaluator: each pod's verdicts equal this host's local ones, check by check.
        var scanner = new NodeScanner(ComplianceProfiles.Default, 1, TimeSpan.FromSeconds(60), OperationContext.None);
        scanner.AddLocal();
        scanner.Complete();
        var local = (await scanner.Results.ReadAsync()).Report;
        var expected = local.Checks.Select(c => $"{c.CheckId}={c.Status}").ToList();
        Assert.All(report.Nodes, n => Assert.Equal(expected, n.Checks.Select(c => $"{c.CheckId}={c.Status}").ToList()));

        var nodeCheck = report.Checks.Single(c => c.CheckId == "K8S-NODE-01");
        Assert.Equal(local.Compliant ? CheckStatus.Pass : CheckStatus.Fail, nodeCheck.Status);
        if (!local.Compliant)
        {
            Assert.Contains("3 of 3 not compliant: node-0 (", nodeCheck.Actual);
        }

        // One pod per node, each bound to its node by name; they start ContainerCreating: their progress arrives through
        // the watch (one list, no polling), logs are followed.
        Assert.Equal(new[] { "node-0", "node-1", "node-2" }, _api.CreatedPods.Select(p => p.GetProperty("spec").GetProperty("nodeName").GetString()).Order());
        var podRequests = _api.Requests.Where(r => r.Contains($"/namespaces/{_api.CreatedNamespaces.Single()}/pods?", StringComparison.Ordinal) && !r.Contains("dryRun", StringComparison.Ordinal)).ToList();
        Assert.Single(podRequests, r => !r.Contains("watch=true", StringComparison.Ordinal));
        Assert.Contains(podRequests, r => r.Contains("watch=true", StringComparison.Ordinal));
        Assert.Equal(3, _api.Requests.Count(r => r.Contains("/log?", StringComparison.Ordinal) && r.Contains("follow=true", StringComparison.Ordinal)));

        // One namespace of its own, gone afterwards.
        var ns = Assert.Single(_api.CreatedNamespaces);
        Assert.StartsWith(DaemonSetNodeProbe.NamespacePrefix, ns);
        Assert.Equal(new[] { ns }, _api.DeletedNamespaces);
        Assert.Empty(_api.LiveNamespaces);
    }

    [Fact]
    public async Task A_pod_that_never_starts_is_that_nodes_Error_with_the_reason_and_the_others_still_report()
    {
        _api.StuckPods[1] = "ImagePullBackOff";
        var clock = Stopwatch.StartNew();
        var report = await Test(timeout: TimeSpan.FromSeconds(6));
        Assert.InRange(clock.Elapsed.TotalSeconds, 5, 20);
        var stuck = report.Nodes.Single(n => n.ComputerName == "node-1");
        Assert.Equal(ComplianceStatus.Error, stuck.Status);
        Assert.Contains("ImagePullBackOff", Assert.Single(stuck.Errors));
        Assert.All(report.Nodes.Where(n => n.ComputerName != "node-1"), n => Assert.NotEqual(ComplianceStatus.Error, n.Status));
        Assert.Equal(CheckStatus.Fail, report.Checks.Single(c => c.CheckId == "K8S-NODE-01").Status);
        Assert.Empty(_api.LiveNamespaces);
    }

    [Fact]
    public async Task Forbidden_node_check_pods_are_an_Error_for_the_node_check_only_and_the_namespace_is_still_deleted()
    {
        _api.PodCreateStatus = 403;
        var report = await Test();
        var check = report.Checks.Single(c => c.CheckId == "K8S-NODE-01");
        Assert.Equal(CheckStatus.Error, check.Status);
        Assert.Contains("HTTP 403", check.Actual);
        Assert.Equal(CheckStatus.Pass, report.Checks.Single(c => c.CheckId == "K8S-NODE-02").Status);
        Assert.Equal(CheckStatus.Pass, report.Checks.Single(c => c.CheckId == "K8S-TLS-01").Status);
        Assert.Single(_api.CreatedNamespaces);
        Assert.Empty(_api.CreatedPods); // refused at the dry run: nothing was created
        Assert.Empty(_api.LiveNamespaces);
    }

    [Fact]
    public async Task Ctrl_C_while_pods_are_silent_stops_promptly_and_deletes_everything_it_created()
    {
        _api.NodeRunner = static (_, _) => new[] { "sleep", "60" };
        using var cancel = new CancellationTokenSource();
        var run = Test(new OperationContext { Cancellation = cancel.Token });
        var deadline = Stopwatch.StartNew();
        while (_api.CreatedPods.Count < 3 && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }
        Assert.Equal(3, _api.CreatedPods.Count);
        var clock = Stopwatch.StartNew();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Single(_api.DeletedNamespaces);
        Assert.Empty(_api.LiveNamespaces);
    }

    [Fact]
    public async Task Declined_by_WhatIf_nothing_is_created_and_the_API_checks_still_run()
    {
        var asked = new List<string>();
        var report = await Test(new OperationContext { ShouldProcess = (target, action) => { asked.Add(action); return false; } });
        Assert.Contains("one short-lived pod per node", Assert.Single(asked));
        Assert.Empty(_api.CreatedNamespaces);
        Assert.DoesNotContain(report.Checks, c => c.CheckId == "K8S-NODE-01");
        Assert.Contains(report.Checks, c => c.CheckId == "K8S-NODE-02");
    }

    [Theory]
    [InlineData("aesgcm", CheckStatus.Pass)]
    [InlineData("secretbox", CheckStatus.Fail)]
    public async Task The_control_planes_own_encryption_configuration_decides_K8S_ENC_01(string kind, CheckStatus expected)
    {
        // node-0 is a kubeadm control plane: its pod sees a control plane's /etc (bind-mounted in a private mount namespace).
        var root = Path.Combine(Path.GetTempPath(), "fc-kenc-cp-" + Guid.NewGuid().ToString("N")[..6]);
        Compliance.KubeEncryptionAtRestTests.ControlPlane(root, Compliance.KubeEncryptionAtRestTests.Provider(kind));
        try
        {
            _api.NodeRunner = (index, command) => index != 0 ? command
                : new[] { "unshare", "-m", "--propagation", "private", "/bin/sh", "-c", "mount --bind \"$1/etc\" /etc && shift && exec \"$@\"", "fc", root }.Concat(command).ToList();
            var report = await Test();
            var check = report.Checks.Single(c => c.CheckId == "K8S-ENC-01");
            Assert.Equal(expected, check.Status);
            Assert.StartsWith($"node-0: secrets: {kind} first", check.Actual);
            Assert.DoesNotContain("node-1", check.Actual); // workers have no apiserver manifest: NotApplicable, not counted
            Assert.DoesNotContain(report.Nodes.SelectMany(n => n.Checks).SelectMany(c => c.Evidence), e => (e.Excerpt ?? "").Contains(Compliance.KubeEncryptionAtRestTests.KeySecret, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_node_check_the_flag_alone_is_a_Warning_that_says_the_providers_were_not_read()
    {
        var report = await KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None);
        var check = report.Checks.Single(c => c.CheckId == "K8S-ENC-01");
        Assert.Equal(CheckStatus.Warning, check.Status);
        Assert.Contains("its providers were not read", check.Actual);
    }
}
