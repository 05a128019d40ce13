using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Hostile;

/// <summary>
/// Issue 13, finding 4 under -NodeCheck Ssh: a kubelet writes its own Node's addresses. On main (fad2a68) a node that
/// reported a compliant host's address got that host scanned twice, its own never, and K8S-NODE-01 passed on counts.
/// Here node-1 reports the simulated FIPS node's address, which is node-0's: the host is scanned once and credited to
/// neither, both are named, and the check fails.
/// </summary>
[Collection("ssh")]
public sealed class ForgedNodeAddressTests : IClassFixture<ModuleFixture>, IDisposable
{
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly KubernetesApiStub _api = new();
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "fc-kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);

    public ForgedNodeAddressTests(SshNodesFixture nodes, ModuleFixture module)
    {
        _nodes = nodes;
        _ps = module.Session;
        File.WriteAllText(_kubeconfig, _api.Kubeconfig());
        File.WriteAllText(_kubeconfig + ".profile.yaml", "name: Sim-FIPS\nstandard: FIPS 140-3\nchecks:\n  - { id: LNX-FIPS-01 }\n  - { id: LNX-FIPS-02 }\n  - { id: LNX-SSL-01 }\n");
    }

    public void Dispose()
    {
        _api.Dispose();
        File.Delete(_kubeconfig);
        File.Delete(_kubeconfig + ".profile.yaml");
    }

    private dynamic Test()
    {
        var result = _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -NodeCheck Ssh -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -Profile (Get-FipsComplianceProfile -Path $args[4])",
            _kubeconfig, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, _kubeconfig + ".profile.yaml");
        Assert.Empty(result.Errors);
        return result.SingleOf("FipsCluster.ClusterComplianceReport");
    }

    [SkippableTheory]
    [InlineData("{0}")]
    [InlineData("::ffff:{0}")] // the same host spelled as an IPv4-mapped IPv6 address
    public void A_node_reporting_another_nodes_address_is_an_error_for_both_and_the_host_is_counted_once(string spelling)
    {
        _nodes.Require();
        _api.NodeCount = 1;
        _api.NodeAddress = _nodes.FipsNode;
        var honest = Test();
        Assert.Equal("Pass", ((IEnumerable<dynamic>)honest.Checks).Single(c => (string)c.CheckId == "K8S-NODE-01").Status.ToString()); // the FIPS host passes on its own

        _api.NodeCount = 2;
        _api.InternalAddresses[1] = string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, _nodes.FipsNode);
        var report = Test();
        var scanned = Assert.Single((IEnumerable<dynamic>)report.Nodes); // scanned once
        Assert.Equal(_nodes.FipsNode, (string)scanned.ComputerName);
        Assert.True((bool)scanned.Compliant);

        var check = ((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == "K8S-NODE-01");
        Assert.Equal("Fail", check.Status.ToString());
        var actual = (string)check.Actual;
        Assert.StartsWith("2 of 2 have no report of their own: ", actual);
        Assert.Contains($"node-0: InternalIP {_nodes.FipsNode} is also reported by node-1: that host's report is credited to none of them", actual);
        Assert.Contains($"node-1: InternalIP {_api.InternalAddresses[1]} is also reported by node-0", actual);
        var evidence = ((IEnumerable<dynamic>)check.Evidence).ToDictionary(e => (string)e.Source, e => (string)e.Excerpt);
        Assert.Equal(new[] { "node-0", "node-1" }, evidence.Keys.Order());
        Assert.All(evidence.Values, e => Assert.StartsWith("Error: ", e));
        Assert.False((bool)report.Compliant);
    }
}
