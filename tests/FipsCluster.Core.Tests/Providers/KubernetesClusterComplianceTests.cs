using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using k8s;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>Test-FipsCluster's Kubernetes checks through the real KubernetesClient against a REST server shaped like a kubeadm cluster.</summary>
public sealed class KubernetesClusterComplianceTests : IDisposable
{
    private readonly KubernetesApiStub _api = new();
    private readonly Kubernetes _client;

    public KubernetesClusterComplianceTests() => _client = KubernetesStubClient.Create(_api);

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
    }

    private async Task<Dictionary<string, CheckResult>> Checks()
    {
        var report = await KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None);
        return report.Checks.ToDictionary(c => c.CheckId);
    }

    [Fact]
    public async Task A_FIPS_kubeadm_cluster_passes_and_nodes_are_read_page_by_page()
    {
        _api.NodeCount = 1200;
        var report = await KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None);
        Assert.True(report.Compliant, string.Join("; ", report.Findings.Select(f => $"{f.CheckId}: {f.Actual}")));
        Assert.Equal(new[] { "K8S-VER-01", "K8S-NODE-02", "K8S-TLS-03", "K8S-IMG-01", "K8S-TLS-01", "K8S-TLS-02", "K8S-ENC-01", "K8S-TLS-04", "K8S-TLS-05", "K8S-TLS-06" }, report.Checks.Select(c => c.CheckId));
        // The API is reached over verified TLS, so its endpoint is probed on the wire too (the stub offers approved suites only).
        var endpoint = report.Checks.Single(c => c.CheckId == "K8S-TLS-06");
        Assert.True(endpoint.Status is CheckStatus.Pass, endpoint.Actual + " | " + string.Join(" | ", endpoint.Evidence.Select(e => e.Source + " " + e.Excerpt)));
        Assert.Equal(1200, _api.Requests.Count(r => r.EndsWith("/proxy/configz", StringComparison.Ordinal)));
        var nodeRequests = _api.Requests.Where(r => r.StartsWith("/api/v1/nodes?", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, nodeRequests.Count); // 1,200 nodes in pages of 500
        Assert.Contains("continue=1000", nodeRequests[^1]);
        Assert.Contains("1200 nodes, all +fips", report.Checks.Single(c => c.CheckId == "K8S-NODE-02").Actual);
    }

    [Fact]
    public async Task A_kube_system_with_a_pod_per_node_is_read_in_pages_and_the_control_plane_found_on_any_page()
    {
        _api.KubeProxyPods = 1200;
        var report = await KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None);
        Assert.Equal(3, _api.Requests.Count(r => r.StartsWith("/api/v1/namespaces/kube-system/pods?", StringComparison.Ordinal) && r.Contains("limit=500")));
        var images = report.Checks.Single(c => c.CheckId == "K8S-IMG-01");
        Assert.Equal(CheckStatus.Pass, images.Status);
        Assert.Equal("4 control-plane containers use _fips.N images", images.Actual);
    }

    [Fact]
    public async Task One_non_FIPS_kubelet_is_named()
    {
        _api.KubeletOverrides[1] = "v1.29.6";
        var check = (await Checks())["K8S-NODE-02"];
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("node-1 (v1.29.6,", check.Actual);
        Assert.DoesNotContain("node-0", check.Actual);
    }

    [Fact]
    public async Task An_API_server_allowing_ChaCha20_fails_the_suite_check()
    {
        _api.ApiServerCipherSuites += ",TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
        var check = (await Checks())["K8S-TLS-01"];
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Equal("kube-apiserver-node-0: not approved: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", check.Actual);
    }

    [Fact]
    public async Task A_non_FIPS_etcd_image_and_a_non_FIPS_API_server_are_named()
    {
        _api.EtcdImage = "registry.k8s.io/etcd:3.5.10-0";
        _api.GoVersion = "go1.22.5";
        _api.GitVersion = "v1.29.6";
        var checks = await Checks();
        Assert.Equal(CheckStatus.Fail, checks["K8S-IMG-01"].Status);
        Assert.Contains("etcd-node-0 registry.k8s.io/etcd:3.5.10-0", checks["K8S-IMG-01"].Actual);
        Assert.Equal(CheckStatus.Fail, checks["K8S-VER-01"].Status);
        Assert.Contains("Standard", checks["K8S-VER-01"].Actual);
    }

    [Fact]
    public async Task An_API_error_makes_only_the_checks_that_needed_that_call_Error()
    {
        _api.PodsStatus = 500;
        var checks = await Checks();
        foreach (var id in new[] { "K8S-IMG-01", "K8S-TLS-01", "K8S-TLS-02", "K8S-ENC-01", "K8S-TLS-04", "K8S-TLS-05" })
        {
            Assert.Equal(CheckStatus.Error, checks[id].Status);
            Assert.Contains("HTTP 500", checks[id].Actual);
        }
        Assert.Equal(CheckStatus.Pass, checks["K8S-VER-01"].Status);
        Assert.Equal(CheckStatus.Pass, checks["K8S-NODE-02"].Status);
    }

    [Fact]
    public async Task A_managed_control_plane_leaves_its_flag_checks_Unknown_not_failed_and_the_nodes_are_still_judged()
    {
        _api.ManagedControlPlane = true;
        _api.KubeProxyPods = 3;
        var report = await KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None);
        Assert.False(report.Compliant); // what cannot be seen is never proven
        var checks = report.Checks.ToDictionary(c => c.CheckId);
        foreach (var id in new[] { "K8S-IMG-01", "K8S-TLS-01", "K8S-TLS-02", "K8S-ENC-01", "K8S-TLS-04", "K8S-TLS-05" })
        {
            Assert.Equal(CheckStatus.Unknown, checks[id].Status);
            Assert.Contains("managed (EKS, GKE, AKS)", checks[id].Actual);
        }
        Assert.Equal(CheckStatus.Pass, checks["K8S-VER-01"].Status);
        Assert.Equal(CheckStatus.Pass, checks["K8S-NODE-02"].Status);
        Assert.Equal(CheckStatus.Pass, checks["K8S-TLS-03"].Status);
        Assert.DoesNotContain(checks.Values, c => c.Status is CheckStatus.Fail or CheckStatus.Error);
    }

    [Fact]
    public async Task A_kubelet_with_ChaCha20_is_named_and_a_forbidden_configz_is_an_Error_for_that_check_only()
    {
        _api.KubeletSuiteOverrides[2] = new[] { "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" };
        var check = (await Checks())["K8S-TLS-03"];
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("node-2: suite TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", check.Actual);

        _api.ConfigzStatus = 403;
        var checks = await Checks();
        Assert.Equal(CheckStatus.Error, checks["K8S-TLS-03"].Status);
        Assert.Contains("HTTP 403", checks["K8S-TLS-03"].Actual);
        Assert.Equal(CheckStatus.Pass, checks["K8S-NODE-02"].Status);
    }

    [Fact]
    public async Task An_API_server_without_encryption_at_rest_fails()
    {
        _api.ApiServerEncryption = false;
        var check = (await Checks())["K8S-ENC-01"];
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("unencrypted", check.Actual);
    }

    [Fact]
    public async Task A_cluster_record_pins_exact_builds_so_drift_to_another_fips_build_is_a_finding()
    {
        var pins = new KubernetesClusterExpectations("aws1", FipsClusterProvider.AWS, true, "v1.29.6+fips.0")
        {
            KubernetesImageRepository = "docker.io/mesosphere", EtcdImageRepository = "docker.io/mesosphere", EtcdVersion = "3.5.10+fips.0",
        };
        async Task<Dictionary<string, CheckResult>> Pinned() =>
            (await KubernetesClusterCompliance.TestAsync(_client, "aws1", new KubernetesClusterTestOptions(ComplianceProfiles.Default) { Expected = pins }, OperationContext.None)).Checks.ToDictionary(c => c.CheckId);

        var exact = await Pinned();
        Assert.All(new[] { "K8S-VER-01", "K8S-NODE-02", "K8S-IMG-01" }, id => Assert.Equal(CheckStatus.Pass, exact[id].Status));
        Assert.Contains("docker.io/mesosphere/kube-apiserver:v1.29.6_fips.0", exact["K8S-IMG-01"].Expected);

        // Other FIPS builds than the record's: fine without a record, findings with it.
        _api.GitVersion = "v1.29.7+fips.0";
        _api.KubeletOverrides[1] = "v1.29.7+fips.0";
        _api.EtcdImage = "docker.io/mesosphere/etcd:v3.5.9_fips.0";
        var unpinned = await Checks();
        Assert.All(new[] { "K8S-VER-01", "K8S-NODE-02", "K8S-IMG-01" }, id => Assert.Equal(CheckStatus.Pass, unpinned[id].Status));
        var drifted = await Pinned();
        Assert.Equal(CheckStatus.Fail, drifted["K8S-VER-01"].Status);
        Assert.Contains("the cluster record pins v1.29.6+fips.0", drifted["K8S-VER-01"].Actual);
        Assert.Equal(CheckStatus.Fail, drifted["K8S-NODE-02"].Status);
        Assert.Contains("1 of 3 nodes are not: node-1 (v1.29.7+fips.0", drifted["K8S-NODE-02"].Actual);
        Assert.Equal(CheckStatus.Fail, drifted["K8S-IMG-01"].Status);
        Assert.Equal("not FIPS: etcd-node-0 docker.io/mesosphere/etcd:v3.5.9_fips.0", drifted["K8S-IMG-01"].Actual);
    }

    [Fact]
    public async Task A_scheduler_with_CBC_suites_and_no_minimum_version_is_named_and_the_controller_manager_is_not()
    {
        Assert.Equal(CheckStatus.Pass, (await Checks())["K8S-TLS-04"].Status);
        _api.SchedulerCipherSuites = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
        _api.SchedulerMinVersion = null;
        var check = (await Checks())["K8S-TLS-04"];
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Equal("kube-scheduler-node-0: suite TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, --tls-min-version not set", check.Actual);
    }
}
