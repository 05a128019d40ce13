using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Dsc;

/// <summary>
/// The FipsCluster DSC resource against a real dockerd (an engine outside any swarm), with the cluster store in a
/// temporary FIPSCLUSTER_HOME: Test false, Set creates the swarm and its record through New-FipsCluster, Test true; the
/// same name with the other FIPS mode is refused with FipsModeImmutable and changes nothing; a FIPS cluster on this
/// non-FIPS host is refused by New-FipsCluster's preflight.
/// </summary>
[Collection("dockerd")]
public sealed class FipsClusterResourceTests : IDisposable
{
    private readonly DockerSwarmFixture _docker;
    private readonly PsSession _ps;
    private readonly string _home = Path.Combine("/tmp", "fc-dschome-" + Guid.NewGuid().ToString("N")[..8]);

    public FipsClusterResourceTests(DockerSwarmFixture docker)
    {
        _docker = docker;
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", _home);
        _ps = new PsSession();
    }

    public void Dispose()
    {
        _ps.Dispose();
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

    /// <summary>A FipsCluster instance in $global:r, its properties set as Invoke-DscResource sets them.</summary>
    private void NewInstance(string name, string fipsMode) => Assert.Null(_ps.Run("""
        $global:r = & (Get-Module FipsCluster) { [FipsCluster]::new() }
        $r.Name = $args[0]; $r.FipsMode = $args[1]; $r.DockerHost = $args[2]
        $r.ListenAddress = "127.0.0.1:$($args[3])"; $r.AdvertiseAddress = '127.0.0.1'
        """, name, fipsMode, _docker.ClusterHost, 40000 + Random.Shared.Next(0, 20000)).Terminating);

    private object? Call(string method)
    {
        var result = _ps.Run($"$r.{method}()");
        Assert.True(result.Terminating is null, result.Terminating?.ErrorRecord?.FullyQualifiedErrorId + " " + result.Terminating?.Message);
        return result.Output.SingleOrDefault()?.BaseObject;
    }

    /// <summary>What an engine catches from Set: the error's FullyQualifiedErrorId, or null when Set succeeded.</summary>
    private string? SetFailure() => _ps.Run("try { $r.Set() } catch { $_.FullyQualifiedErrorId }").Output.SingleOrDefault()?.ToString();

    [SkippableFact]
    public void Set_creates_a_missing_cluster_with_New_FipsCluster_and_never_changes_its_FIPS_mode()
    {
        _docker.RequireEngines();
        NewInstance("dsclab", "Disabled");
        Assert.Equal(false, Call("Test"));
        Assert.Equal("inactive", SwarmState());

        Call("Set");
        Assert.Equal(true, Call("Test"));
        Assert.Equal("active", SwarmState());
        var record = _ps.Run("Get-FipsCluster dsclab").SingleOf("FipsCluster.FipsClusterRecord");
        Assert.False((bool)record.Fips);
        Assert.Equal("Swarm", record.Provider.ToString());
        Assert.Equal(_docker.Docker(_docker.ClusterHost, "info", "--format", "{{.Swarm.Cluster.ID}}").Trim(), (string)record.EngineClusterId);
        var state = _ps.Run("$r.Get() | ForEach-Object { $_.Exists; $_.FipsMode; $_.Reasons.Count }").Output.Select(o => o.BaseObject).ToArray();
        Assert.Equal(new object[] { true, "Disabled", 0 }, state);

        // A second Set changes nothing; the desired state with FIPS mode on is refused, and the record stays.
        Call("Set");
        NewInstance("dsclab", "Enabled");
        Assert.Equal(false, Call("Test"));
        Assert.Equal("FipsModeImmutable,FipsCluster.Commands.SetFipsClusterCommand", SetFailure());
        Assert.False((bool)_ps.Run("Get-FipsCluster dsclab").SingleOf("FipsCluster.FipsClusterRecord").Fips);
    }

    [SkippableFact]
    public void A_FIPS_cluster_is_not_created_on_a_host_that_fails_the_FIPS_preflight()
    {
        _docker.RequireEngines();
        NewInstance("dscprod", "Enabled");
        Assert.Equal("FipsPreflightFailed,FipsCluster.Commands.NewFipsClusterCommand", SetFailure());
        Assert.Equal("inactive", SwarmState());
        Assert.Equal(false, Call("Test"));
    }
}
