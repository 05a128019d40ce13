using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>
/// Test-FipsCluster -Kubeconfig probes etcd's advertised client URL on the wire: here a real etcd started with TLS and
/// --cipher-suites limited to two ECDHE-RSA AES-GCM suites. Its flags pass, but the standard-crypto binary still
/// accepts TLS 1.3 ChaCha20, and the probe says so.
/// </summary>
[Collection("tls")]
public sealed class TestFipsClusterEtcdProbeTests : IClassFixture<ModuleFixture>, IDisposable
{
    private readonly TlsServersFixture _servers;
    private readonly PsSession _ps;
    private readonly KubernetesApiStub _api = new();
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "fc-kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);

    public TestFipsClusterEtcdProbeTests(TlsServersFixture servers, ModuleFixture module)
    {
        _servers = servers;
        _ps = module.Session;
        File.WriteAllText(_kubeconfig, _api.Kubeconfig());
    }

    public void Dispose()
    {
        _api.Dispose();
        File.Delete(_kubeconfig);
    }

    [SkippableFact]
    public void The_etcd_endpoint_is_probed_and_its_TLS_1_3_ChaCha20_acceptance_is_a_finding_although_its_flags_pass()
    {
        _servers.Require();
        _api.EtcdAdvertiseUrl = $"https://127.0.0.1:{_servers.EtcdPort}";
        var report = _ps.Run("Test-FipsCluster -Kubeconfig $args[0]", _kubeconfig).SingleOf("FipsCluster.ClusterComplianceReport");
        var checks = ((IEnumerable<dynamic>)report.Checks).ToDictionary(c => (string)c.CheckId);
        Assert.Equal("Pass", checks["K8S-TLS-05"].Status.ToString());
        Assert.Equal("Fail", checks["K8S-TLS-07"].Status.ToString());
        Assert.Contains("Tls13 TLS_CHACHA20_POLY1305_SHA256", (string)checks["K8S-TLS-07"].Actual);
        Assert.Equal("Pass", checks["K8S-TLS-06"].Status.ToString()); // the API server itself, over the stub's approved suites
        Assert.False((bool)report.Compliant);
    }
}
