using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>
/// Test-FipsCluster -Kubeconfig -NodeCheck Ssh (each node's InternalIP, here the simulated FIPS node, judged over SSH) and
/// -NodeCheck DaemonSet (the stub's "kubelet" runs node-0's pod inside the simulated FIPS node, the others on this host,
/// each under the pod's security context).
/// </summary>
[Collection("ssh")]
public sealed class TestFipsClusterNodeCheckTests : IClassFixture<ModuleFixture>, IDisposable
{
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly KubernetesApiStub _api = new();
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "fc-kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);

    public TestFipsClusterNodeCheckTests(SshNodesFixture nodes, ModuleFixture module)
    {
        _nodes = nodes;
        _ps = module.Session;
        File.WriteAllText(_kubeconfig, _api.Kubeconfig());
    }

    public void Dispose()
    {
        _api.Dispose();
        File.Delete(_kubeconfig);
        File.Delete(_kubeconfig + ".profile.yaml");
    }

    private dynamic Run(string address, int port)
    {
        _api.NodeAddress = address;
        var result = _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -NodeCheck Ssh -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -SshPort $args[4] -Profile (Get-FipsComplianceProfile -Path $args[5])",
            _kubeconfig, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, port, Profile());
        Assert.Empty(result.Errors);
        return result.SingleOf("FipsCluster.ClusterComplianceReport");
    }

    private string Profile()
    {
        var path = _kubeconfig + ".profile.yaml";
        File.WriteAllText(path, "name: Sim-FIPS\nstandard: FIPS 140-3\nchecks:\n  - { id: LNX-FIPS-01 }\n  - { id: LNX-FIPS-02 }\n  - { id: LNX-SSL-01 }\n");
        return path;
    }

    [SkippableFact]
    public void A_DaemonSet_judges_every_node_from_inside_the_cluster_and_leaves_nothing_behind()
    {
        _nodes.Require();
        _api.NodeRunner = (index, command) => index == 0 ? _nodes.InFipsNode(command) : command;
        try
        {
            var whatIf = _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -NodeCheck DaemonSet -WhatIf", _kubeconfig);
            Assert.Contains("What if:", whatIf.HostText);
            Assert.Contains("one short-lived pod per node", whatIf.HostText);
            Assert.Empty(_api.CreatedNamespaces);
            Assert.DoesNotContain((IEnumerable<dynamic>)whatIf.SingleOf("FipsCluster.ClusterComplianceReport").Checks, c => (string)c.CheckId == "K8S-NODE-01");

            var result = _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -NodeCheck DaemonSet -NodeCheckTimeoutSeconds 60 -Verbose -Profile (Get-FipsComplianceProfile -Path $args[1])", _kubeconfig, Profile());
            Assert.Empty(result.Errors);
            var report = result.SingleOf("FipsCluster.ClusterComplianceReport");
            var nodes = ((IEnumerable<dynamic>)report.Nodes).ToDictionary(n => (string)n.ComputerName);
            Assert.Equal(new[] { "node-0", "node-1", "node-2" }, nodes.Keys.Order());
            Assert.True((bool)nodes["node-0"].Compliant); // the simulated FIPS node: kernel flag, fips=1, OpenSSL FIPS provider
            Assert.False((bool)nodes["node-1"].Compliant);
            Assert.Equal("KubernetesPod", nodes["node-1"].Transport.ToString());
            var check = ((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == "K8S-NODE-01");
            Assert.Equal("Fail", check.Status.ToString());
            Assert.Contains("2 of 3 not compliant: node-1 (LNX-FIPS-01", (string)check.Actual);
            Assert.DoesNotContain("node-0", (string)check.Actual);

            var ns = Assert.Single(_api.CreatedNamespaces);
            Assert.Contains($"Deleted namespace {ns}", result.AllText);
            Assert.Empty(_api.LiveNamespaces);
        }
        finally
        {
            File.Delete(_kubeconfig + ".profile.yaml");
        }
    }

    [SkippableFact]
    public void Every_nodes_host_is_judged_over_SSH_and_a_non_FIPS_host_is_a_finding()
    {
        _nodes.Require();
        try
        {
            _api.NodeCount = 1; // one node per address: two nodes reporting one address are errors (Hostile/ForgedNodeAddressTests)
            var fips = Run(_nodes.FipsNode, 22);
            Assert.Single((IEnumerable<dynamic>)fips.Nodes);
            var check = ((IEnumerable<dynamic>)fips.Checks).Single(c => (string)c.CheckId == "K8S-NODE-01");
            Assert.Equal("Pass", check.Status.ToString());

            var plain = Run("127.0.0.1", _nodes.PlainPort);
            var failing = ((IEnumerable<dynamic>)plain.Checks).Single(c => (string)c.CheckId == "K8S-NODE-01");
            Assert.Equal("Fail", failing.Status.ToString());
            Assert.Contains("LNX-FIPS-01", (string)failing.Actual);
            Assert.False((bool)plain.Compliant);
        }
        finally
        {
            File.Delete(_kubeconfig + ".profile.yaml");
        }
    }

    [SkippableFact]
    public void Nodes_are_reached_at_the_address_type_asked_for_and_a_node_without_one_is_named()
    {
        _nodes.Require();
        _api.NodeCount = 1;
        _api.NodeAddress = "10.255.255.1"; // the private address, not reachable from where the admin sits
        _api.NodeExternalAddress = "127.0.0.1";
        var script = "Test-FipsCluster -Kubeconfig $args[0] -NodeCheck Ssh -NodeAddressType ExternalIP -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -SshPort $args[4] -Profile (Get-FipsComplianceProfile -Path $args[5])";
        var report = _ps.Run(script, _kubeconfig, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, _nodes.PlainPort, Profile()).SingleOf("FipsCluster.ClusterComplianceReport");
        var node = Assert.Single((IEnumerable<dynamic>)report.Nodes);
        Assert.Equal($"127.0.0.1:{_nodes.PlainPort}", (string)node.ComputerName);
        Assert.NotEqual("Error", node.Status.ToString());

        _api.NodeExternalAddress = null; // a private cluster: no ExternalIP
        var unreachable = _ps.Run(script, _kubeconfig, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, _nodes.PlainPort, Profile()).SingleOf("FipsCluster.ClusterComplianceReport");
        Assert.Empty((IEnumerable<dynamic>)unreachable.Nodes);
        var check = ((IEnumerable<dynamic>)unreachable.Checks).Single(c => (string)c.CheckId == "K8S-NODE-01");
        Assert.Equal("Fail", check.Status.ToString());
        Assert.Contains("1 have no ExternalIP address to reach over SSH: node-0", (string)check.Actual);
    }
}
