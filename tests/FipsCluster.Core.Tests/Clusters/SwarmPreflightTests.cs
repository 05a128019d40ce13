using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Providers;
using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Operations;
using Xunit;

namespace FipsCluster.Core.Tests.Clusters;

/// <summary>
/// New-FipsCluster / Add-FipsClusterNode with -ComputerName and no SSH key: the evidence must come from that host or
/// not at all. (It used to be this machine's, recorded under the other host's name.) The engine endpoint is a closed
/// port: an error about it would mean the preflight went on without the host's evidence.
/// </summary>
public sealed class SwarmPreflightTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "fc-preflight-" + Guid.NewGuid().ToString("N")[..8]);
    private static readonly DockerEndpoint DeadEngine = DockerEndpoint.Resolve("tcp://127.0.0.1:1");

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Fact]
    public async Task A_new_cluster_whose_manager_host_is_remote_needs_an_SSH_key_for_its_evidence()
    {
        var service = new ClusterService(new FileClusterStore(_home));
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => service.CreateAsync(new NewSwarmClusterOptions
        {
            Name = "c1", Engine = DeadEngine, Profile = ComplianceProfiles.Default, EvidenceHost = "manager-1.example", Ssh = null,
        }, OperationContext.None));
        Assert.Equal(ErrorIds.SshKeyFileInvalid, error.ErrorId);
        Assert.Contains("manager-1.example", error.Message);
    }

    [Fact]
    public async Task A_node_added_with_a_remote_evidence_host_needs_an_SSH_key_and_nothing_is_recorded()
    {
        var store = new FileClusterStore(_home);
        store.Create(new FipsClusterRecord
        {
            Name = "c1", Provider = FipsClusterProvider.Swarm, Fips = false, ComplianceProfile = "FIPS-140-3", ComplianceProfileHash = "sha256:abc",
            Endpoints = new[] { "tcp://127.0.0.1:1" }, Description = "",
        });
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => new ClusterService(store)
            .AddNodesAsync("c1", new AddSwarmNodeOptions { Engine = DeadEngine, EvidenceHost = "worker-1.example" }, OperationContext.None));
        Assert.Equal(ErrorIds.SshKeyFileInvalid, error.ErrorId);
        Assert.Empty(store.Get("c1").Nodes);
    }
}
