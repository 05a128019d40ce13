using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Hostile;

/// <summary>
/// Issue 13, finding 5, as it was proved: admission took evidence from one machine for another machine's engine — the
/// evidence of a compliant host (-ComputerName) admitted an engine elsewhere, and without -ComputerName this machine's
/// evidence was recorded for `-DockerHost tcp://other`. Now the engine ID the engine reports (GET /info) must be the one
/// the evidence host's own files hold, else NodeIdentityMismatch (or NodeIdentityUnavailable when the host cannot show
/// it) and nothing joins. Real engines: some on this host (this host's trust key, so this host's engine ID), some in the
/// simulated FIPS node (its network namespace and its own trust key, bound over its /etc/docker/key.json).
/// </summary>
[Collection("dockerd")]
public sealed class SwarmAdmissionHostileTests : SwarmNodeTestBase, IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>
{
    private const string Record = "FipsCluster.FipsClusterRecord";
    public SwarmAdmissionHostileTests(DockerSwarmFixture docker, SshNodesFixture nodes, ModuleFixture module)
        : base(docker, nodes, module)
    {
    }

    private string Ssh => "-UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3]";

    private object[] SshArgs(object first) => new[] { first, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts };

    private string State(string engine) => Docker.Docker(engine, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim();

    private string Id(string engine) => Docker.Docker(engine, "info", "--format", "{{.ID}}").Trim();

    [SkippableFact]
    public void Evidence_from_one_machine_never_admits_another_machines_engine_and_nothing_joins()
    {
        var (suffix, nodeKey) = PrepareFipsNode();
        var manager = Docker.StartDaemon("hm" + suffix, Nodes.FipsNodeNamespace, nodeKey);
        var nodeEngine = Docker.StartDaemon("hn" + suffix, Nodes.FipsNodeNamespace, nodeKey);
        // An engine on a local socket of this host whose ID is another machine's (as a socket forwarded from elsewhere).
        var forwarded = Docker.StartDaemon("hf" + suffix, trustKey: Path.Combine(Nodes.WorkDirectory, $"elsewhere-key-{suffix}.json"));
        using var nodeIdentity = Nodes.UseDockerTrustKey(nodeKey);
        var thisHost = Docker.OtherHost;
        try
        {
            var port = 40000 + Random.Shared.Next(0, 20000);
            var created = Ps.Run("New-FipsCluster -Name adm -Provider Swarm -DockerHost $args[0] -ListenAddress \"$($args[4]):$($args[5])\" -AdvertiseAddress $args[4] -ComplianceProfile (Get-FipsComplianceProfile -Path $args[6]) -ComputerName $args[4] " + Ssh,
                manager, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts, Nodes.FipsNode, port, SimFipsProfile());
            Assert.Empty(created.Errors);
            string[] Members() => Docker.Docker(manager, "node", "ls", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            int Recorded() => ((IEnumerable<dynamic>)Ps.Run("Get-FipsCluster adm").SingleOf(Record).Nodes).Count();

            // The proof: the FIPS node's evidence (which passes) offered for this host's engine.
            var borrowed = Ps.Run("Add-FipsClusterNode adm -DockerHost $args[0] -ComputerName $args[4] " + Ssh, thisHost, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts, Nodes.FipsNode);
            var mismatch = Assert.Single(borrowed.Errors);
            Assert.Equal("NodeIdentityMismatch,FipsCluster.Commands.AddFipsClusterNodeCommand", mismatch.FullyQualifiedErrorId);
            Assert.Equal("SecurityError", mismatch.CategoryInfo.Category.ToString());
            Assert.Contains(Id(thisHost), mismatch.Exception.Message);
            Assert.Contains(Id(nodeEngine), mismatch.Exception.Message);
            Assert.Equal("inactive", State(thisHost));

            // The node's engine with this host's evidence: this host cannot even show an engine ID (its trust key is
            // root's and the login has no sudo), so nothing ties the evidence to the engine.
            var unproven = Ps.Run("Add-FipsClusterNode adm -DockerHost $args[0] -ComputerName $args[4] " + Ssh, nodeEngine, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts, Nodes.PlainNode);
            Assert.Equal("NodeIdentityUnavailable,FipsCluster.Commands.AddFipsClusterNodeCommand", Assert.Single(unproven.Errors).FullyQualifiedErrorId);
            Assert.Equal("inactive", State(nodeEngine));

            // Without -ComputerName the evidence is this machine's: an engine over tcp is refused before it is contacted
            // (the port is closed: contacting it would have been DockerEngineUnreachable) ...
            var tcp = Ps.Run("Add-FipsClusterNode adm -DockerHost $args[0] -DockerTlsVerify -DockerCertPath $args[1]", $"tcp://127.0.0.1:{port + 1}", Home);
            var tcpError = Assert.Single(tcp.Errors);
            Assert.Equal("NodeIdentityMismatch,FipsCluster.Commands.AddFipsClusterNodeCommand", tcpError.FullyQualifiedErrorId);
            Assert.Contains("-ComputerName", tcpError.ErrorDetails?.RecommendedAction ?? "");
            // ... and an engine on a local socket must have this machine's engine ID.
            var foreign = Ps.Run("Add-FipsClusterNode adm -DockerHost $args[0]", forwarded);
            var foreignError = Assert.Single(foreign.Errors);
            Assert.Equal("NodeIdentityMismatch,FipsCluster.Commands.AddFipsClusterNodeCommand", foreignError.FullyQualifiedErrorId);
            Assert.Contains("this machine", foreignError.Exception.Message);
            Assert.Equal("inactive", State(forwarded));

            // Nothing joined, nothing recorded.
            Assert.Single(Members());
            Assert.Equal(1, Recorded());

            // The engine on the machine the evidence comes from is admitted.
            var admitted = Ps.Run("Add-FipsClusterNode adm -DockerHost $args[0] -ComputerName $args[4] -AdvertiseAddress $args[4] " + Ssh, nodeEngine, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts, Nodes.FipsNode);
            Assert.Empty(admitted.Errors);
            Assert.Equal(Id(nodeEngine), (string)admitted.SingleOf("FipsCluster.FipsClusterNode").EngineId);
            Assert.Equal(2, Members().Length);
        }
        finally
        {
            Docker.TryDocker(nodeEngine, "swarm", "leave", "--force");
            Docker.TryDocker(manager, "swarm", "leave", "--force");
            Docker.TryDocker(thisHost, "swarm", "leave", "--force");
            Docker.TryDocker(forwarded, "swarm", "leave", "--force");
        }
    }

    [SkippableFact]
    public void New_FipsCluster_on_another_machines_evidence_initializes_no_swarm_and_records_nothing()
    {
        var (suffix, nodeKey) = PrepareFipsNode();
        var onNode = Docker.StartDaemon("hk" + suffix, Nodes.FipsNodeNamespace, nodeKey); // creates the node's key
        var onThisHost = Docker.StartDaemon("hh" + suffix);
        using var nodeIdentity = Nodes.UseDockerTrustKey(nodeKey);
        try
        {
            var borrowed = Ps.Run("New-FipsCluster -Name wrong -Provider Swarm -DockerHost $args[0] -ComplianceProfile (Get-FipsComplianceProfile -Path $args[4]) -ComputerName $args[5] " + Ssh,
                onThisHost, Nodes.UserName, Nodes.KeyFile, Nodes.KnownHosts, SimFipsProfile(), Nodes.FipsNode);
            Assert.Equal("NodeIdentityMismatch,FipsCluster.Commands.NewFipsClusterCommand", Assert.Single(borrowed.Errors).FullyQualifiedErrorId);
            Assert.Equal("inactive", State(onThisHost));
            Assert.Equal("FipsClusterNotFound,FipsCluster.Commands.GetFipsClusterCommand", Assert.Single(Ps.Run("Get-FipsCluster wrong").Errors).FullyQualifiedErrorId);

            var tcp = Ps.Run("New-FipsCluster -Name wrong -Provider Swarm -FipsMode Disabled -DockerHost $args[0] -DockerTlsVerify -DockerCertPath $args[1]", "tcp://127.0.0.1:1", Home);
            Assert.Equal("NodeIdentityMismatch,FipsCluster.Commands.NewFipsClusterCommand", Assert.Single(tcp.Errors).FullyQualifiedErrorId);

            // The same engine with this machine's evidence (a local socket, this host's engine ID): the binding holds
            // and the cluster is created (non-FIPS: this host is not FIPS), its manager's engine ID recorded.
            var local = Ps.Run("New-FipsCluster -Name right -Provider Swarm -FipsMode Disabled -DockerHost $args[0] -ListenAddress 127.0.0.1:$($args[1]) -AdvertiseAddress 127.0.0.1", onThisHost, 40000 + Random.Shared.Next(0, 20000));
            Assert.Empty(local.Errors);
            var manager = ((IEnumerable<dynamic>)local.SingleOf(Record).Nodes).Single();
            Assert.Equal(Id(onThisHost), (string)manager.EngineId);
            Assert.Equal("local", (string)manager.EvidenceHost);
            Assert.NotEqual(Id(onNode), (string)manager.EngineId);
        }
        finally
        {
            Docker.TryDocker(onThisHost, "swarm", "leave", "--force");
        }
    }
}
