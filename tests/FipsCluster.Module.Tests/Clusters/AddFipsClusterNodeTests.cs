using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>
/// Admission on evidence with real engines: a manager dockerd and a node dockerd inside the simulated FIPS node (its
/// network namespace, and its trust key, so they have the node's engine ID), and this host's own engine. This host's
/// engine is refused on this host's evidence, which is not FIPS (the swarm stays unchanged), and the node's engine is
/// admitted on the FIPS node's own evidence. (Evidence from one machine for another's engine: Hostile/SwarmAdmissionHostileTests.)
/// </summary>
[Collection("dockerd")]
public sealed class AddFipsClusterNodeTests : SwarmNodeTestBase, IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>
{
    public AddFipsClusterNodeTests(DockerSwarmFixture docker, SshNodesFixture nodes, ModuleFixture module)
        : base(docker, nodes, module)
    {
    }

    [SkippableFact]
    public void A_node_is_admitted_on_passing_evidence_and_refused_on_failing_evidence_with_the_swarm_unchanged()
    {
        var (suffix, nodeKey) = PrepareFipsNode();
        var manager = Docker.StartDaemon("m" + suffix, Nodes.FipsNodeNamespace, nodeKey);
        var nodeEngine = Docker.StartDaemon("n" + suffix, Nodes.FipsNodeNamespace, nodeKey);
        using var nodeIdentity = Nodes.UseDockerTrustKey(nodeKey);
        var nodeEngineId = Docker.Docker(nodeEngine, "info", "--format", "{{.ID}}").Trim();
        Assert.Equal(nodeEngineId, Docker.Docker(manager, "info", "--format", "{{.ID}}").Trim()); // one machine
        Assert.NotEqual(nodeEngineId, Docker.Docker(Docker.OtherHost, "info", "--format", "{{.ID}}").Trim());
        try
        {
            var profile = SimFipsProfile("- { id: LNX-GCRY-01 }"); // the node's libgcrypt too
            var port = 40000 + Random.Shared.Next(0, 20000);
            // The manager's evidence over SSH from its FIPS host: created without -Force, so without a waiver.
            var created = Ps.Run("New-FipsCluster -Name adm -Provider Swarm -DockerHost $args[0] -ListenAddress \"$($args[1]):$($args[2])\" -AdvertiseAddress $args[1] -ComplianceProfile (Get-FipsComplianceProfile -Path $args[3]) -ComputerName $args[4] -UserName $args[5] -KeyFilePath $args[6] -KnownHostsPath $args[7]",
                manager, Nodes.FipsNode, port, profile, Nodes.FipsNode, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts);
            Assert.Empty(created.Errors);
            var record = created.SingleOf("FipsCluster.FipsClusterRecord");
            Assert.Equal("Sim-FIPS", (string)record.ComplianceProfile);
            Assert.True((bool)record.Fips);
            Assert.Empty((IEnumerable<dynamic>)record.Waivers);
            Assert.Equal(Nodes.FipsNode, (string)((IEnumerable<dynamic>)record.Nodes).Single().EvidenceHost);
            Assert.Equal(nodeEngineId, (string)((IEnumerable<dynamic>)record.Nodes).Single().EngineId);
            Assert.Contains((IEnumerable<dynamic>)record.CreationEvidence, e => ((string)e).Contains($"engine ID {nodeEngineId}, confirmed on {Nodes.FipsNode} (/etc/docker/key.json)", StringComparison.Ordinal));

            const string Add = "Add-FipsClusterNode adm -DockerHost $args[0] -ComputerName $args[1] -UserName $args[2] -KeyFilePath $args[3] -KnownHostsPath $args[4] -AdvertiseAddress $args[5]";
            string[] NodeIds() => Docker.Docker(manager, "node", "ls", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var nodeAddress = Nodes.FipsNode;

            // This host's engine on this host's evidence (its own ID, but not FIPS): refused, nothing joined.
            var refused = Ps.Run("Add-FipsClusterNode adm -DockerHost $args[0]", Docker.OtherHost);
            var error = Assert.Single(refused.Errors);
            Assert.Equal("NodeNotFipsCompliant,FipsCluster.Commands.AddFipsClusterNodeCommand", error.FullyQualifiedErrorId);
            Assert.Contains("LNX-FIPS-01", error.ToString());
            Assert.Single(NodeIds());
            Assert.Equal("inactive", Docker.Docker(Docker.OtherHost, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim());
            Assert.Equal("inactive", Docker.Docker(nodeEngine, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim());
            Assert.Single((IEnumerable<dynamic>)Ps.Run("Get-FipsCluster adm").SingleOf("FipsCluster.FipsClusterRecord").Nodes);

            // Evidence from the FIPS node itself: admitted, joined, recorded.
            var admitted = Ps.Run(Add, nodeEngine, Nodes.FipsNode, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts, nodeAddress);
            Assert.Empty(admitted.Errors);
            var member = admitted.SingleOf("FipsCluster.FipsClusterNode");
            Assert.True((bool)member.Compliant);
            Assert.Equal(nodeEngineId, (string)member.EngineId);
            Assert.True((bool?)member.FipsModeEnabled);
            Assert.Equal(2, NodeIds().Length);
            Assert.Contains((string)member.NodeId, NodeIds());
            var nodes = ((IEnumerable<dynamic>)Ps.Run("Get-FipsCluster adm").SingleOf("FipsCluster.FipsClusterRecord").Nodes).ToList();
            Assert.Equal(new[] { "Manager", "Worker" }, nodes.Select(n => (string)n.Role));
            // The join token never reached any output.
            var token = Docker.Docker(manager, "swarm", "join-token", "-q", "worker").Trim();
            Assert.DoesNotContain(token.Split('-')[^1], admitted.AllText);

            // A FIPS cluster hands out swarmkit's FIPS form of the engine's token: same digest and secret, SWMTKN-2-1.
            var fipsToken = Ps.Run("Get-SwarmJoinToken -Cluster adm -Role Worker -AsPlainText").Output.Single().ToString();
            Assert.Equal("SWMTKN-2-1-" + token["SWMTKN-1-".Length..], fipsToken);
            Assert.True((bool)Ps.Run("(Get-SwarmJoinToken -Cluster adm -Role Worker).Fips").Output.Single().BaseObject);

            // The engine's view merged with the evidence; the certificate subject as swarmkit issues it.
            var listed = Ps.Run("Get-FipsCluster adm | Get-FipsClusterNode").Of("FipsCluster.FipsClusterNode");
            Assert.Equal(2, listed.Count);
            Assert.All(listed, n => Assert.True((bool)n.Recorded));
            var worker = listed.Single(n => (string)n.Role == "Worker");
            Assert.Equal((string)member.NodeId, (string)worker.NodeId);
            Assert.True((bool?)worker.Compliant);
            Assert.Equal($"CN={member.NodeId}, OU=swarm-worker, O={record.EngineClusterId}", (string)worker.CertificateSubject);
            Assert.False((bool)worker.CertificateFipsMarker);

            // The whole cluster: members re-judged over SSH (both pass), plus the cluster-level evidence an upstream
            // engine honestly fails.
            var test = Ps.Run("Test-FipsCluster adm -UserName $args[0] -KeyFilePath $args[1] -KnownHostsPath $args[2]", Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts);
            Assert.Empty(test.Errors);
            var cluster = test.SingleOf("FipsCluster.ClusterComplianceReport");
            Assert.False((bool)cluster.Compliant);
            var members = ((IEnumerable<dynamic>)cluster.Nodes).ToList();
            Assert.Equal(2, members.Count);
            Assert.All(members, m => Assert.True((bool)m.Compliant));
            var checks = ((IEnumerable<dynamic>)cluster.Checks).ToDictionary(c => (string)c.CheckId, c => c);
            Assert.Equal("Pass", checks["SWM-NODE-01"].Status.ToString());
            Assert.Equal("Pass", checks["SWM-CA-01"].Status.ToString());
            Assert.Equal("Fail", checks["SWM-ENG-01"].Status.ToString());
            Assert.Contains("Standard", (string)checks["SWM-ENG-01"].Actual);
            Assert.Equal("Fail", checks["SWM-FIPS-01"].Status.ToString());
            Assert.Equal("Fail", checks["SWM-RAFT-01"].Status.ToString());
            Assert.Contains("secretbox", (string)checks["SWM-RAFT-01"].Actual);
            Assert.Equal("Warning", checks["SWM-TOKEN-01"].Status.ToString());

            // Removal: the engine leaves, the managers and the record forget the node.
            var removed = Ps.Run("Remove-FipsClusterNode adm $args[0] -DockerHost $args[1] -Force", (string)member.NodeId, nodeEngine);
            Assert.Empty(removed.Errors);
            Assert.Single(NodeIds());
            Assert.Equal("inactive", Docker.Docker(nodeEngine, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim());
            Assert.Single((IEnumerable<dynamic>)Ps.Run("Get-FipsCluster adm").SingleOf("FipsCluster.FipsClusterRecord").Nodes);
        }
        finally
        {
            Docker.TryDocker(nodeEngine, "swarm", "leave", "--force");
            Docker.TryDocker(manager, "swarm", "leave", "--force");
        }
    }
}
