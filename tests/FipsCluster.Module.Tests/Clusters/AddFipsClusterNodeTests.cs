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
public sealed class AddFipsClusterNodeTests : IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>, IDisposable
{
    private readonly DockerSwarmFixture _docker;
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly string _home = Path.Combine("/tmp", "fc-home-" + Guid.NewGuid().ToString("N")[..8]);

    public AddFipsClusterNodeTests(DockerSwarmFixture docker, SshNodesFixture nodes, ModuleFixture module)
    {
        _docker = docker;
        _nodes = nodes;
        _ps = module.Session;
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", _home);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", null);
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [SkippableFact]
    public void A_node_is_admitted_on_passing_evidence_and_refused_on_failing_evidence_with_the_swarm_unchanged()
    {
        _docker.RequireEngines();
        _nodes.Require();
        var suffix = Guid.NewGuid().ToString("N")[..4];
        var nodeKey = Path.Combine(_nodes.WorkDirectory, $"fips-node-key-{suffix}.json");
        var manager = _docker.StartDaemon("m" + suffix, _nodes.FipsNodeNamespace, nodeKey);
        var nodeEngine = _docker.StartDaemon("n" + suffix, _nodes.FipsNodeNamespace, nodeKey);
        using var nodeIdentity = _nodes.UseDockerTrustKey(nodeKey);
        var nodeEngineId = _docker.Docker(nodeEngine, "info", "--format", "{{.ID}}").Trim();
        Assert.Equal(nodeEngineId, _docker.Docker(manager, "info", "--format", "{{.ID}}").Trim()); // one machine
        Assert.NotEqual(nodeEngineId, _docker.Docker(_docker.OtherHost, "info", "--format", "{{.ID}}").Trim());
        try
        {
            // Tailored profile: what a FIPS node proves about itself (Debian's dockerd is standard Go crypto and the
            // simulated node is Debian, so the binary and OS-provenance checks are left out, as the issue allows).
            Directory.CreateDirectory(_home);
            var profile = Path.Combine(_home, "sim-fips.yaml"); // removed with the store in Dispose
            File.WriteAllText(profile, "name: Sim-FIPS\nstandard: FIPS 140-3\nchecks:\n  - { id: LNX-FIPS-01, severity: High }\n  - { id: LNX-FIPS-02, severity: High }\n  - { id: LNX-SSL-01, severity: High }\n  - { id: LNX-GCRY-01 }\n");
            var port = 40000 + Random.Shared.Next(0, 20000);
            // The manager's evidence over SSH from its FIPS host: created without -Force, so without a waiver.
            var created = _ps.Run("New-FipsCluster -Name adm -Provider Swarm -DockerHost $args[0] -ListenAddress \"$($args[1]):$($args[2])\" -AdvertiseAddress $args[1] -ComplianceProfile (Get-FipsComplianceProfile -Path $args[3]) -ComputerName $args[4] -UserName $args[5] -KeyFilePath $args[6] -KnownHostsPath $args[7]",
                manager, _nodes.FipsNode, port, profile, _nodes.FipsNode, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts);
            Assert.Empty(created.Errors);
            var record = created.SingleOf("FipsCluster.FipsClusterRecord");
            Assert.Equal("Sim-FIPS", (string)record.ComplianceProfile);
            Assert.True((bool)record.Fips);
            Assert.Empty((IEnumerable<dynamic>)record.Waivers);
            Assert.Equal(_nodes.FipsNode, (string)((IEnumerable<dynamic>)record.Nodes).Single().EvidenceHost);
            Assert.Equal(nodeEngineId, (string)((IEnumerable<dynamic>)record.Nodes).Single().EngineId);
            Assert.Contains((IEnumerable<dynamic>)record.CreationEvidence, e => ((string)e).Contains($"engine ID {nodeEngineId}, confirmed on {_nodes.FipsNode} (/etc/docker/key.json)", StringComparison.Ordinal));

            const string Add = "Add-FipsClusterNode adm -DockerHost $args[0] -ComputerName $args[1] -UserName $args[2] -KeyFilePath $args[3] -KnownHostsPath $args[4] -AdvertiseAddress $args[5]";
            string[] NodeIds() => _docker.Docker(manager, "node", "ls", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var nodeAddress = _nodes.FipsNode;

            // This host's engine on this host's evidence (its own ID, but not FIPS): refused, nothing joined.
            var refused = _ps.Run("Add-FipsClusterNode adm -DockerHost $args[0]", _docker.OtherHost);
            var error = Assert.Single(refused.Errors);
            Assert.Equal("NodeNotFipsCompliant,FipsCluster.Commands.AddFipsClusterNodeCommand", error.FullyQualifiedErrorId);
            Assert.Contains("LNX-FIPS-01", error.ToString());
            Assert.Single(NodeIds());
            Assert.Equal("inactive", _docker.Docker(_docker.OtherHost, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim());
            Assert.Equal("inactive", _docker.Docker(nodeEngine, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim());
            Assert.Single((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster adm").SingleOf("FipsCluster.FipsClusterRecord").Nodes);

            // Evidence from the FIPS node itself: admitted, joined, recorded.
            var admitted = _ps.Run(Add, nodeEngine, _nodes.FipsNode, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, nodeAddress);
            Assert.Empty(admitted.Errors);
            var member = admitted.SingleOf("FipsCluster.ClusterNodeRecord");
            Assert.True((bool)member.Compliant);
            Assert.Equal(nodeEngineId, (string)member.EngineId);
            Assert.True((bool?)member.FipsModeEnabled);
            Assert.Equal(2, NodeIds().Length);
            Assert.Contains((string)member.NodeId, NodeIds());
            var nodes = ((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster adm").SingleOf("FipsCluster.FipsClusterRecord").Nodes).ToList();
            Assert.Equal(new[] { "Manager", "Worker" }, nodes.Select(n => (string)n.Role));
            // The join token never reached any output.
            var token = _docker.Docker(manager, "swarm", "join-token", "-q", "worker").Trim();
            Assert.DoesNotContain(token.Split('-')[^1], admitted.AllText);

            // A FIPS cluster hands out swarmkit's FIPS form of the engine's token: same digest and secret, SWMTKN-2-1.
            var fipsToken = _ps.Run("Get-SwarmJoinToken -Cluster adm -Role Worker -AsPlainText").Output.Single().ToString();
            Assert.Equal("SWMTKN-2-1-" + token["SWMTKN-1-".Length..], fipsToken);
            Assert.True((bool)_ps.Run("(Get-SwarmJoinToken -Cluster adm -Role Worker).Fips").Output.Single().BaseObject);

            // The engine's view merged with the evidence; the certificate subject as swarmkit issues it.
            var listed = _ps.Run("Get-FipsCluster adm | Get-FipsClusterNode").Of("FipsCluster.FipsClusterNode");
            Assert.Equal(2, listed.Count);
            Assert.All(listed, n => Assert.True((bool)n.Recorded));
            var worker = listed.Single(n => (string)n.Role == "Worker");
            Assert.Equal((string)member.NodeId, (string)worker.NodeId);
            Assert.True((bool?)worker.Compliant);
            Assert.Equal($"CN={member.NodeId}, OU=swarm-worker, O={record.EngineClusterId}", (string)worker.CertificateSubject);
            Assert.False((bool)worker.CertificateFipsMarker);

            // The whole cluster: members re-judged over SSH (both pass), plus the cluster-level evidence an upstream
            // engine honestly fails.
            var test = _ps.Run("Test-FipsCluster adm -UserName $args[0] -KeyFilePath $args[1] -KnownHostsPath $args[2]", _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts);
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
            var removed = _ps.Run("Remove-FipsClusterNode adm $args[0] -DockerHost $args[1] -Force", (string)member.NodeId, nodeEngine);
            Assert.Empty(removed.Errors);
            Assert.Single(NodeIds());
            Assert.Equal("inactive", _docker.Docker(nodeEngine, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim());
            Assert.Single((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster adm").SingleOf("FipsCluster.FipsClusterRecord").Nodes);
        }
        finally
        {
            _docker.TryDocker(nodeEngine, "swarm", "leave", "--force");
            _docker.TryDocker(manager, "swarm", "leave", "--force");
        }
    }
}
