using FipsCluster.Module.Tests.Harness;
using FipsCluster.Testing;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>
/// A swarm member whose host answers SSH on a port other than 22 (here the simulated FIPS node's sshd, reached through
/// a relay on a loopback port): the record keeps the port with the host, Test-FipsCluster reads the member there again,
/// and -SshPort, when given, wins over the record.
/// </summary>
[Collection("dockerd")]
public sealed class SwarmSshPortTests : SwarmNodeTestBase, IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>
{
    public SwarmSshPortTests(DockerSwarmFixture docker, SshNodesFixture nodes, ModuleFixture module)
        : base(docker, nodes, module)
    {
    }

    [SkippableFact]
    public void The_port_a_member_was_judged_on_is_recorded_and_used_again_unless_SshPort_says_otherwise()
    {
        var (suffix, nodeKey) = PrepareFipsNode();
        var manager = Docker.StartDaemon("p" + suffix, Nodes.FipsNodeNamespace, nodeKey);
        using var nodeIdentity = Nodes.UseDockerTrustKey(nodeKey);
        using var relay = new TcpRelay(Nodes.FipsNode, 22);
        var profile = SimFipsProfile();
        var knownHosts = Path.Combine(Home, "known_hosts"); // 127.0.0.1 on the relay's port is a new host: learnt on first use
        var login = $"-UserName {Nodes.UserName} -KeyFilePath {Nodes.KeyFile} -KnownHostsPath {knownHosts} -HostKeyPolicy AcceptNew";
        try
        {
            var created = Ps.Run($"New-FipsCluster -Name ported -Provider Swarm -DockerHost $args[0] -ListenAddress \"$($args[1]):$($args[2])\" -AdvertiseAddress $args[1] -ComplianceProfile (Get-FipsComplianceProfile -Path $args[3]) -ComputerName 127.0.0.1 -SshPort {relay.Port} {login}",
                manager, Nodes.FipsNode, 40000 + Random.Shared.Next(0, 20000), profile);
            Assert.Empty(created.Errors);
            var member = Assert.Single((IEnumerable<dynamic>)created.SingleOf("FipsCluster.FipsClusterRecord").Nodes);
            Assert.Equal($"127.0.0.1:{relay.Port}", (string)member.EvidenceHost);
            Assert.True((bool)member.Compliant);

            // Read again where it was read: the member is judged (and passes), not unreachable on port 22.
            var tested = Ps.Run($"Test-FipsCluster ported {login}");
            Assert.Empty(tested.Errors);
            var host = Assert.Single((IEnumerable<dynamic>)tested.SingleOf("FipsCluster.ClusterComplianceReport").Nodes);
            Assert.Equal("Compliant", host.Status.ToString());
            Assert.Equal($"127.0.0.1:{relay.Port}", (string)host.ComputerName);

            // -SshPort wins over the record: a closed port is that member's NodeUnreachable.
            var closedPort = LoopbackPort.Free();
            var elsewhere = Ps.Run($"Test-FipsCluster ported {login} -SshPort {closedPort}");
            var unreachable = Assert.Single((IEnumerable<dynamic>)elsewhere.SingleOf("FipsCluster.ClusterComplianceReport").Nodes);
            Assert.Equal("NodeUnreachable", (string)unreachable.ErrorId);
            Assert.Equal($"127.0.0.1:{closedPort}", (string)unreachable.ComputerName);
        }
        finally
        {
            Docker.TryDocker(manager, "swarm", "leave", "--force");
        }
    }
}
