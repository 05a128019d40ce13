using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Tests.Providers;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 11: Remove-FipsClusterNode -Kubeconfig looked the Kubernetes Node up by the recorded address — the
/// public one, which a kubeadm Node never reports — and deleted the first Node with that address of any type, so a Node
/// reporting it as its ExternalIP (a kubelet writes its own addresses) was deleted instead. Now the Node is the one whose
/// spec.providerID names the instance, or (without a providerID) whose InternalIP is the instance's private address;
/// two candidates are an error and nothing is deleted. Real EC2 and Kubernetes clients against the stubs.
/// </summary>
public sealed class NodeLookupTests : IDisposable
{
    private readonly Ec2QueryStub _ec2 = new();
    private readonly KubernetesApiStub _api = new() { NodeCount = 4 };
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-lookup-").FullName;
    private readonly FileClusterStore _store;
    private readonly AwsConnection _connection;
    private readonly string _kubeconfig;

    public NodeLookupTests()
    {
        _ec2.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-x86_64-FIPS", "Red Hat Enterprise Linux");
        _ec2.InstanceAddresses = new[] { "10.0.1.10", "10.0.1.11", "10.0.1.12" };
        _ec2.PublicAddresses = new[] { "203.0.113.10", "203.0.113.11", "203.0.113.12" };
        _store = new FileClusterStore(Path.Combine(_dir, "store"));
        _connection = new AwsConnection { Region = "us-east-1", AccessKeyId = "AKIAFIPSCLUSTERTEST", SecretAccessKey = FipsCluster.Core.Tokens.SecretText.ToSecureString("not-a-real-secret"), EndpointUrl = _ec2.Url };
        _kubeconfig = Path.Combine(_dir, "kubeconfig");
        File.WriteAllText(_kubeconfig, _api.Kubeconfig("prod"));
        for (var i = 0; i < 4; i++)
        {
            _api.ProviderIds[i] = null; // kubeadm without a cloud provider: no providerID
        }
        _api.InternalAddresses[0] = "10.0.1.10";
        _api.InternalAddresses[1] = "10.0.1.12";
        _api.InternalAddresses[2] = "10.0.1.11";
        _api.InternalAddresses[3] = "10.0.1.99";
    }

    public void Dispose()
    {
        _api.Dispose();
        _ec2.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A cluster of three instances (no SSH), and the worker whose private address is 10.0.1.11.</summary>
    private async Task<FipsClusterNode> Cluster()
    {
        using var ec2 = Ec2ClientFactory.Create(_connection);
        var record = await new AwsProvisioner(ec2, _store).CreateAsync(new AwsClusterSpec
        {
            Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", KubernetesImageRepository = "docker.io/mesosphere",
            EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", ControlPlaneCount = 1, WorkerCount = 2, SshKeyName = "ops",
        }, ComplianceProfiles.Default, false, OperationContext.None);
        var worker = record!.Nodes.Single(n => n.Endpoint == "203.0.113.11");
        Assert.Equal("Worker", worker.Role); // recorded by its public address, as SSH reaches it
        return worker;
    }

    private Task<bool> Remove(FipsClusterNode node, List<string> verbose) =>
        new ClusterService(_store).RemoveNodeAsync("prod", new RemoveNodeOptions { Node = node.NodeId!, Aws = _connection, Kubeconfig = _kubeconfig },
            new OperationContext { Verbose = m => { lock (verbose) { verbose.Add(m); } } });

    [Fact]
    public async Task The_Node_is_found_by_InternalIP_never_by_the_public_address_reported_as_another_type()
    {
        var worker = await Cluster();
        _api.ExternalAddresses[1] = "203.0.113.11"; // node-1 claims the worker's public address (the old lookup deleted it)
        _api.ProviderIds[3] = "aws:///us-east-1a/i-0fffffffffffffff0"; // node-3 is another instance that also claims the private address
        _api.InternalAddresses[3] = "10.0.1.11";
        var verbose = new List<string>();
        Assert.True(await Remove(worker, verbose));
        Assert.Equal(new[] { "node-2" }, _api.DeletedNodes);
        Assert.Contains(verbose, v => v.Contains($"Deleted Node node-2 ({worker.NodeId})", StringComparison.Ordinal));
        Assert.Equal("terminated", _ec2.Instances[worker.NodeId!].State);
        // The private address came from EC2, read before the instance was terminated.
        var calls = _ec2.Requests.Select(r => r.Action).ToList();
        Assert.True(calls.LastIndexOf("DescribeInstances") < calls.LastIndexOf("TerminateInstances"));
    }

    [Fact]
    public async Task A_Node_whose_providerID_names_the_instance_is_it_whatever_its_addresses()
    {
        var worker = await Cluster();
        _api.ProviderIds[1] = $"aws:///us-east-1a/{worker.NodeId}";
        _api.ProviderIds[2] = "aws:///us-east-1a/i-0eeeeeeeeeeeeeee0"; // reports the private address, but is another instance
        _api.ProviderIds[0] = $"aws:///us-east-1b/{worker.NodeId}"; // the same ID in another zone is not this instance
        Assert.True(await Remove(worker, new List<string>()));
        Assert.Equal(new[] { "node-1" }, _api.DeletedNodes);
    }

    [Fact]
    public async Task Two_Nodes_that_could_be_the_instance_are_an_error_and_neither_is_deleted()
    {
        var worker = await Cluster();
        _api.InternalAddresses[3] = "10.0.1.11"; // node-2 and node-3, neither with a providerID
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Remove(worker, new List<string>()));
        Assert.Equal(ErrorIds.KubernetesNodeAmbiguous, error.ErrorId);
        Assert.Contains("node-2 (InternalIP 10.0.1.11)", error.Message);
        Assert.Contains("node-3 (InternalIP 10.0.1.11)", error.Message);
        Assert.Contains("was terminated and removed from 'prod'", error.Message);
        Assert.Empty(_api.DeletedNodes);
        // The instance is gone and the record says so: only the Node is left to the user.
        Assert.Equal("terminated", _ec2.Instances[worker.NodeId!].State);
        Assert.DoesNotContain(_store.Get("prod").Nodes, n => n.NodeId == worker.NodeId);
    }

    [Fact]
    public async Task No_Node_of_the_instance_deletes_nothing()
    {
        var worker = await Cluster();
        _api.InternalAddresses[2] = "10.0.1.50";
        _api.ExternalAddresses[2] = "10.0.1.11"; // the private address, but as another type
        var verbose = new List<string>();
        Assert.True(await Remove(worker, verbose));
        Assert.Empty(_api.DeletedNodes);
        Assert.Contains(verbose, v => v.Contains($"No Node of 'prod' is {worker.NodeId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plaintext_kubeconfig_is_refused_before_the_instance_is_terminated()
    {
        var worker = await Cluster();
        File.WriteAllText(_kubeconfig, _api.Kubeconfig("prod").Replace("https://", "http://", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Remove(worker, new List<string>()));
        Assert.Equal(ErrorIds.InsecureTransportRefused, error.ErrorId);
        Assert.Equal("running", _ec2.Instances[worker.NodeId!].State);
        Assert.Contains(_store.Get("prod").Nodes, n => n.NodeId == worker.NodeId);
    }
}
