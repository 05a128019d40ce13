using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>Test-FipsCluster -Kubeconfig through the engine, against the Kubernetes REST server.</summary>
public sealed class TestFipsClusterTests : IClassFixture<ModuleFixture>, IDisposable
{
    private readonly PsSession _ps;
    private readonly KubernetesApiStub _api = new();
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "fc-kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);

    public TestFipsClusterTests(ModuleFixture module)
    {
        _ps = module.Session;
        File.WriteAllText(_kubeconfig, _api.Kubeconfig());
    }

    public void Dispose()
    {
        _api.Dispose();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public void A_live_cluster_is_judged_through_its_API_and_a_ChaCha20_suite_is_a_finding()
    {
        var compliant = _ps.Run("Test-FipsCluster -Kubeconfig $args[0]", _kubeconfig);
        Assert.Empty(compliant.Errors);
        var report = compliant.SingleOf("FipsCluster.ClusterComplianceReport");
        Assert.True((bool)report.Compliant);
        Assert.Equal("prod", (string)report.Name);

        _api.ApiServerCipherSuites += ",TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
        Assert.False(_ps.Run("Test-FipsCluster -Kubeconfig $args[0] -Context prod -Quiet", _kubeconfig).Single<bool>());
        var finding = ((IEnumerable<dynamic>)_ps.Run("Test-FipsCluster -Kubeconfig $args[0]", _kubeconfig).SingleOf("FipsCluster.ClusterComplianceReport").Findings).Single();
        Assert.Equal("K8S-TLS-01", (string)finding.CheckId);
        Assert.DoesNotContain("not-a-real-token", _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -Verbose -Debug | Out-Default", _kubeconfig).AllText);

        var missing = _ps.Run("Test-FipsCluster -Kubeconfig $args[0]", _kubeconfig + ".missing");
        Assert.StartsWith("InvalidKubeconfig,", Assert.Single(missing.ErrorIds));
    }
}
