using System.Management.Automation;
using System.Management.Automation.Runspaces;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>New/Get/Set/Remove-FipsCluster against a real dockerd, with the store in a temporary FIPSCLUSTER_HOME.</summary>
[Collection("dockerd")]
public sealed class NewFipsClusterSwarmTests : IClassFixture<ModuleFixture>, IDisposable
{
    private const string Record = "FipsCluster.FipsClusterRecord";
    private readonly DockerSwarmFixture _docker;
    private readonly PsSession _ps;
    private readonly string _home = Path.Combine("/tmp", "fc-home-" + Guid.NewGuid().ToString("N")[..8]);

    public NewFipsClusterSwarmTests(DockerSwarmFixture docker, ModuleFixture module)
    {
        _docker = docker;
        _ps = module.Session;
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", _home);
    }

    public void Dispose()
    {
        if (_docker.Unavailable is null)
        {
            _docker.TryDocker(_docker.ClusterHost, "swarm", "leave", "--force");
        }
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", null);
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private string SwarmState() => _docker.Docker(_docker.ClusterHost, "info", "--format", "{{.Swarm.LocalNodeState}}").Trim();

    private PsResult New(string name, string extra = "") =>
        _ps.Run($"New-FipsCluster -Name {name} -Provider Swarm -DockerHost $args[0] -ListenAddress 127.0.0.1:$($args[1]) -AdvertiseAddress 127.0.0.1 {extra}",
            _docker.ClusterHost, 40000 + Random.Shared.Next(0, 20000));

    [SkippableFact]
    public void A_FIPS_cluster_on_a_host_that_is_not_FIPS_is_refused_and_no_swarm_exists_afterwards()
    {
        _docker.RequireEngines();
        var refused = New("prod");
        var error = Assert.Single(refused.Errors);
        Assert.Equal("FipsPreflightFailed,FipsCluster.Commands.NewFipsClusterCommand", error.FullyQualifiedErrorId);
        Assert.Contains("LNX-FIPS-01", error.ToString());
        Assert.Empty(refused.Of(Record));
        Assert.Equal("inactive", SwarmState());
        Assert.Empty(_ps.Run("Get-FipsCluster").Of(Record));

        // -WhatIf: the plan, and still nothing.
        var whatIf = New("prod", "-Force -WhatIf");
        Assert.Contains("What if:", whatIf.HostText);
        Assert.Equal("inactive", SwarmState());
    }

    [SkippableFact]
    public void With_Force_the_cluster_is_created_and_the_waiver_names_the_bypassed_checks_for_good()
    {
        _docker.RequireEngines();
        var created = New("lab", "-Force -Description first");
        Assert.Contains(created.Warnings, w => w.Message.Contains("LNX-FIPS-01"));
        var record = created.SingleOf(Record);
        Assert.True((bool)record.Fips);
        Assert.Equal("FIPS-140-3", (string)record.ComplianceProfile);
        Assert.StartsWith("sha256:", (string)record.ComplianceProfileHash);
        Assert.Equal("active", SwarmState());
        Assert.Equal(_docker.Docker(_docker.ClusterHost, "info", "--format", "{{.Swarm.Cluster.ID}}").Trim(), (string)record.EngineClusterId);
        var verdict = _ps.Run("Get-SwarmJoinToken -DockerHost $args[0] -Role Worker | Test-SwarmJoinToken", _docker.ClusterHost).SingleOf("FipsCluster.SwarmJoinTokenTestResult");
        Assert.Equal((string)verdict.ExpectedRootCaDigest, (string)record.RootCaDigest);

        var read = _ps.Run("Get-FipsCluster lab").SingleOf(Record);
        var waiver = Assert.Single((IEnumerable<dynamic>)read.Waivers);
        Assert.Contains("LNX-FIPS-01", ((IEnumerable<dynamic>)waiver.Checks).Select(c => (string)c));
        Assert.Equal(Environment.UserName, (string)waiver.GrantedBy);
        var manager = Assert.Single((IEnumerable<dynamic>)read.Nodes);
        Assert.Equal("Manager", (string)manager.Role);
        Assert.False((bool)manager.Compliant);

        // FIPS mode and profile are fixed; the description is not.
        var immutable = _ps.Run("Set-FipsCluster lab -Fips:$false");
        Assert.Equal("FipsModeImmutable,FipsCluster.Commands.SetFipsClusterCommand", Assert.Single(immutable.ErrorIds));
        var profile = _ps.Run("Set-FipsCluster lab -ComplianceProfile FIPS-140-2");
        Assert.Equal("FipsModeImmutable,FipsCluster.Commands.SetFipsClusterCommand", Assert.Single(profile.ErrorIds));
        Assert.Equal("second", (string)_ps.Run("Set-FipsCluster lab -Description second -PassThru").SingleOf(Record).Description);
        Assert.True((bool)_ps.Run("Get-FipsCluster lab").SingleOf(Record).Fips);

        // The record edited on disk: every cmdlet refuses it.
        var path = Path.Combine(_home, "clusters", "lab", "cluster.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"fips\": true", "\"fips\": false", StringComparison.Ordinal));
        Assert.Equal("FipsClusterRecordTampered,FipsCluster.Commands.GetFipsClusterCommand", Assert.Single(_ps.Run("Get-FipsCluster lab").ErrorIds));
        Assert.Equal("FipsClusterRecordTampered,FipsCluster.Commands.SetFipsClusterCommand", Assert.Single(_ps.Run("Set-FipsCluster lab -Description x").ErrorIds));
    }

    [SkippableFact]
    public void Eight_runspaces_adding_and_removing_nodes_and_updating_the_same_cluster_lose_no_update()
    {
        _docker.RequireEngines();
        Assert.NotEmpty(New("busy", "-Fips:$false").Of(Record));
        // A non-FIPS cluster hands out the engine's own v1 tokens.
        Assert.Equal(_docker.Docker(_docker.ClusterHost, "swarm", "join-token", "-q", "worker").Trim(),
            _ps.Run("Get-SwarmJoinToken -Cluster busy -Role Worker -AsPlainText").Output.Single().ToString());
        // Runspace 0 admits and removes a real engine three times (a non-FIPS cluster admits any node); the other
        // seven add ten tags each — all against the same record at once.
        const int runspaces = 8, each = 10, cycles = 3;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var joinPort = 40000 + Random.Shared.Next(0, 20000);
        var threads = Enumerable.Range(0, runspaces).Select(r => new Thread(() =>
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(TestPaths.ModuleManifest);
            using var runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            void Invoke(string script, params object[] args)
            {
                using var ps = PowerShell.Create();
                ps.Runspace = runspace;
                ps.AddScript(script);
                foreach (var a in args)
                {
                    ps.AddArgument(a);
                }
                ps.Invoke();
                foreach (var e in ps.Streams.Error)
                {
                    failures.Enqueue($"runspace {r}: {e}");
                }
            }
            if (r == 0)
            {
                for (var c = 0; c < cycles; c++)
                {
                    Invoke("$n = Add-FipsClusterNode busy -DockerHost $args[0] -ListenAddress \"127.0.0.2:$($args[1])\" -AdvertiseAddress 127.0.0.2; Remove-FipsClusterNode busy $n.NodeId -DockerHost $args[0] -Force",
                        _docker.OtherHost, joinPort);
                }
                return;
            }
            for (var i = 0; i < each; i++)
            {
                Invoke($"Set-FipsCluster busy -AddTag r{r}-{i}");
            }
        })).ToList();
        try
        {
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        }
        finally
        {
            _docker.TryDocker(_docker.OtherHost, "swarm", "leave", "--force");
        }
        Assert.Empty(failures);
        var record = _ps.Run("Get-FipsCluster busy").SingleOf(Record);
        Assert.Equal((runspaces - 1) * each, ((IEnumerable<dynamic>)record.Tags).Count());
        Assert.Single((IEnumerable<dynamic>)record.Nodes); // the manager; every added node was removed again
        Assert.Equal(1 + (runspaces - 1) * each + 2 * cycles, (long)record.Version);

        // Remove with -Deprovision: the record is gone and the engine left the swarm.
        var removed = _ps.Run("Remove-FipsCluster busy -Deprovision -Force");
        Assert.Empty(removed.Errors);
        Assert.Equal("inactive", SwarmState());
        Assert.Equal("FipsClusterNotFound,FipsCluster.Commands.GetFipsClusterCommand", Assert.Single(_ps.Run("Get-FipsCluster busy").ErrorIds));
    }
}
