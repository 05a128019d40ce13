using System.Management.Automation;
using System.Security;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>
/// Test-FipsCluster for a cluster New-FipsCluster -Provider AWS recorded: its API (the Kubernetes REST server) judged
/// against the record's profile and pins.
/// </summary>
[Collection("dockerd")] // shares FIPSCLUSTER_HOME handling with the other cluster tests (run one at a time)
public sealed class TestFipsClusterAwsTests : IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>, IDisposable
{
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly Ec2QueryStub _ec2 = new();
    private readonly KubernetesApiStub _api = new();
    private readonly string _home = Path.Combine("/tmp", "fc-home-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _kubeconfig;

    public TestFipsClusterAwsTests(ModuleFixture module, SshNodesFixture nodes)
    {
        _ps = module.Session;
        _nodes = nodes;
        _ec2.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-x86_64-FIPS", "Red Hat Enterprise Linux");
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", _home);
        _kubeconfig = Path.Combine(_home + "-kubeconfig");
        File.WriteAllText(_kubeconfig, _api.Kubeconfig("aws1"));
    }

    public void Dispose()
    {
        _ec2.Dispose();
        _api.Dispose();
        File.Delete(_kubeconfig);
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", null);
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Fact]
    public void A_recorded_AWS_cluster_is_tested_through_its_API_against_what_the_record_pins()
    {
        var secret = new SecureString();
        foreach (var c in "Aws-Secret-never-shown")
        {
            secret.AppendChar(c);
        }
        var created = _ps.Run("New-FipsCluster -Name aws1 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            "-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere -ControlPlaneCount 1 -WorkerCount 0",
            _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret));
        Assert.Empty(created.Errors);

        // A Kubernetes cluster has no SSH members to re-judge: its API is the evidence, so a kubeconfig is required.
        Assert.StartsWith("KubeconfigRequired,", Assert.Single(_ps.Run("Test-FipsCluster aws1").ErrorIds));

        var compliant = _ps.Run("Get-FipsCluster aws1 | Test-FipsCluster -Kubeconfig $args[0]", _kubeconfig);
        Assert.Empty(compliant.Errors);
        var report = compliant.SingleOf("FipsCluster.ClusterComplianceReport");
        Assert.Equal("aws1", (string)report.Name);
        Assert.Equal("AWS", (string)report.Provider);
        Assert.True((bool)report.Compliant, string.Join("; ", ((IEnumerable<dynamic>)report.Findings).Select(f => $"{f.CheckId}: {f.Actual}")));

        // The etcd image drifts to another FIPS build: fine for an unrecorded cluster, a finding against the record.
        _api.EtcdImage = "docker.io/mesosphere/etcd:v3.5.9_fips.0";
        Assert.True(_ps.Run("Test-FipsCluster -Kubeconfig $args[0] -Quiet", _kubeconfig).Single<bool>());
        var drifted = _ps.Run("Test-FipsCluster aws1 -Kubeconfig $args[0]", _kubeconfig).SingleOf("FipsCluster.ClusterComplianceReport");
        var finding = ((IEnumerable<dynamic>)drifted.Findings).Single();
        Assert.Equal("K8S-IMG-01", (string)finding.CheckId);
        Assert.Contains("docker.io/mesosphere/etcd:v3.5.10_fips.0", (string)finding.Expected);
    }

    [SkippableFact]
    public void A_recorded_cluster_s_nodes_are_checked_over_SSH_on_the_port_it_was_created_with()
    {
        _nodes.Require();
        var secret = new SecureString();
        foreach (var c in "Aws-Secret-never-shown")
        {
            secret.AppendChar(c);
        }
        // Created with its sshd on another port (no join: this test is about the later check).
        Assert.Empty(_ps.Run("New-FipsCluster -Name aws1 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            $"-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere -SkipJoin -SshPort {_nodes.PlainPort}",
            _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret)).Errors);
        _api.NodeCount = 1;
        _api.NodeAddress = "127.0.0.1"; // the node's InternalIP: the test sshd

        var report = _ps.Run($"Get-FipsCluster aws1 | Test-FipsCluster -Kubeconfig $args[0] -NodeCheck Ssh -UserName {_nodes.UserName} -KeyFilePath {_nodes.KeyFile} -KnownHostsPath {_nodes.KnownHosts}", _kubeconfig)
            .SingleOf("FipsCluster.ClusterComplianceReport");
        var node = Assert.Single((IEnumerable<dynamic>)report.Nodes);
        Assert.Equal($"127.0.0.1:{_nodes.PlainPort}", (string)node.ComputerName);
        Assert.NotEqual("Error", node.Status.ToString()); // reached and judged (this host is not in FIPS mode)

        // -SshPort still wins over the record.
        var told = _ps.Run($"Get-FipsCluster aws1 | Test-FipsCluster -Kubeconfig $args[0] -NodeCheck Ssh -SshPort 1 -UserName {_nodes.UserName} -KeyFilePath {_nodes.KeyFile} -KnownHostsPath {_nodes.KnownHosts}", _kubeconfig)
            .SingleOf("FipsCluster.ClusterComplianceReport");
        Assert.Equal("127.0.0.1:1", (string)Assert.Single((IEnumerable<dynamic>)told.Nodes).ComputerName);
    }
}
