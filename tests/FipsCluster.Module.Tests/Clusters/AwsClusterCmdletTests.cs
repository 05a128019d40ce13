using System.Management.Automation;
using System.Security;
using FipsCluster.Core.Tests.Providers;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>New-FipsCluster -Provider AWS through the engine and the real AWSSDK.EC2 client, against the EC2 Query server.</summary>
[Collection("dockerd")] // shares FIPSCLUSTER_HOME handling with the other cluster tests (run one at a time)
public sealed class AwsClusterCmdletTests : IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>, IDisposable
{
    private readonly SshNodesFixture _nodes;
    private const string Secret = "Aws-Secret-7d1c0e-never-shown";
    private readonly PsSession _ps;
    private readonly Ec2QueryStub _ec2 = new();
    private readonly string _home = Path.Combine("/tmp", "fc-home-" + Guid.NewGuid().ToString("N")[..8]);

    public AwsClusterCmdletTests(ModuleFixture module, SshNodesFixture nodes)
    {
        _ps = module.Session;
        _nodes = nodes;
        _ec2.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-x86_64-FIPS", "Red Hat Enterprise Linux");
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", _home);
    }

    public void Dispose()
    {
        _ec2.Dispose();
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", null);
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private PsResult New(string extra)
    {
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        var credential = new PSCredential("AKIAFIPSCLUSTERTEST", secret);
        return _ps.Run("New-FipsCluster -Name aws1 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            "-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere -Verbose " + extra,
            _ec2.Url, credential);
    }

    [Fact]
    public void WhatIf_calls_nothing_that_changes_EC2_and_a_real_run_records_the_cluster()
    {
        var whatIf = New("-WhatIf");
        Assert.Contains("What if:", whatIf.HostText);
        Assert.DoesNotContain(_ec2.Requests, r => Ec2QueryStub.MutatingActions.Contains(r.Action));

        var created = New("-ControlPlaneCount 1 -WorkerCount 2");
        Assert.Empty(created.Errors);
        var record = created.SingleOf("FipsCluster.FipsClusterRecord");
        Assert.Equal("AWS", (string)record.Provider);
        Assert.True((bool)record.Fips);
        Assert.Equal(3, _ec2.Instances.Count);
        Assert.Equal(3, ((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord").Nodes).Count());
        Assert.DoesNotContain(Secret, whatIf.AllText + created.AllText);
        // The stored cluster renders exactly what its instances were given.
        var workerData = _ec2.Requests.Where(r => r.Action == "RunInstances").Select(r => r.Parameters).Single(p => p["TagSpecification.1.Tag.3.Value"] == "worker")["UserData"];
        var exported = _ps.Run("Get-FipsCluster aws1 | Export-FipsClusterManifest -Format CloudInit -Role Worker");
        Assert.Empty(exported.Errors);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(workerData)), exported.Output.Single().ToString());
        Assert.Contains("kind: KubeadmControlPlane", _ps.Run("Export-FipsClusterManifest -Name aws1").Output.Single().ToString());

        // FIPS mode stays fixed for AWS clusters too.
        Assert.StartsWith("FipsModeImmutable,", Assert.Single(_ps.Run("Set-FipsCluster aws1 -Fips:$false").ErrorIds));

        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        // The instances as EC2 sees them now.
        var nodes = _ps.Run("Get-FipsClusterNode aws1 -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret)).Of("FipsCluster.FipsClusterNode");
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("running", (string)n.State));
        Assert.Equal(new[] { "ControlPlane", "Worker", "Worker" }, nodes.Select(n => (string)n.Role));

        // Deprovision: every recorded instance terminated, the group deleted, the record gone.
        var removed = _ps.Run("Remove-FipsCluster aws1 -Deprovision -Force -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret));
        Assert.Empty(removed.Errors);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Empty(_ec2.SecurityGroups);
        Assert.StartsWith("FipsClusterNotFound,", Assert.Single(_ps.Run("Get-FipsCluster aws1").ErrorIds));
    }

    [SkippableFact]
    public void VerifyNode_checks_each_instance_over_SSH_after_boot_and_records_the_evidence()
    {
        _nodes.Require();
        _ec2.InstanceAddress = "127.0.0.1"; // every "instance" is this host's test sshd
        var result = New($"-ControlPlaneCount 1 -WorkerCount 0 -VerifyNode -UserName {_nodes.UserName} -KeyFilePath {_nodes.KeyFile} -KnownHostsPath {_nodes.KnownHosts} -SshPort {_nodes.PlainPort}");
        Assert.Empty(result.Errors);
        var node = Assert.Single((IEnumerable<dynamic>)result.SingleOf("FipsCluster.FipsClusterRecord").Nodes);
        Assert.Equal($"127.0.0.1:{_nodes.PlainPort}", (string)node.EvidenceHost);
        Assert.False((bool)node.Compliant); // this host is not in FIPS mode
        Assert.Contains("LNX-FIPS-01", ((IEnumerable<dynamic>)node.FailedChecks).Select(c => (string)c));
        Assert.Contains(result.Warnings, w => w.Message.Contains("kubelet guard will refuse"));
    }

    [Fact]
    public void Ctrl_C_while_waiting_for_instances_stops_promptly_and_rolls_back()
    {
        _ec2.PendingForever = true;
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        var stopping = _ps.RunAndStop("New-FipsCluster -Name aws3 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            "-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere",
            TimeSpan.FromSeconds(1.5), _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret));
        Assert.True(stopping < TimeSpan.FromSeconds(2), $"stopping took {stopping}");
        Assert.NotEmpty(_ec2.Instances);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Empty(_ec2.SecurityGroups);
        Assert.StartsWith("FipsClusterNotFound,", Assert.Single(_ps.Run("Get-FipsCluster aws3").ErrorIds));
    }
}
