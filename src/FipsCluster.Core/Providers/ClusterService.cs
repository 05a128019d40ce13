using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;

namespace FipsCluster.Core.Providers;

/// <summary>
/// What the cluster and node cmdlets call: the provider is chosen once, from the options of a new cluster or from the
/// record of an existing one, through <see cref="ClusterProviders"/>.
/// </summary>
public sealed class ClusterService
{
    private readonly IClusterStore _store;

    public ClusterService(IClusterStore store) => _store = store;

    public Task<ClusterCreation> CreateAsync(NewClusterOptions options, OperationContext context) =>
        ClusterProviders.Get(options.Provider, _store).CreateAsync(options, context);

    public Task<NodeAddition> AddNodesAsync(string clusterName, AddNodesOptions options, OperationContext context) =>
        With(clusterName, (provider, record) => provider.AddNodesAsync(record, options, context));

    public Task<IReadOnlyList<FipsClusterNode>> GetNodesAsync(string clusterName, GetNodesOptions options, OperationContext context) =>
        With(clusterName, (provider, record) => provider.GetNodesAsync(record, options, context));

    public Task<bool> RemoveNodeAsync(string clusterName, RemoveNodeOptions options, OperationContext context) =>
        With(clusterName, (provider, record) => provider.RemoveNodeAsync(record, options, context));

    public Task<bool> RemoveAsync(string clusterName, RemoveClusterOptions options, OperationContext context) =>
        With(clusterName, (provider, record) => provider.RemoveAsync(record, options, context));

    /// <summary>A recorded cluster, judged by its provider; without a name, the Kubernetes cluster the kubeconfig reaches (no record, no provider).</summary>
    public Task<ClusterComplianceReport> TestAsync(string? clusterName, TestClusterOptions options, OperationContext context) =>
        clusterName is null
            ? LiveClusterTest.TestAsync(options, options.Profile ?? ComplianceProfiles.Default, null, options.SshPort ?? 22, context)
            : With(clusterName, (provider, record) => provider.TestAsync(record, options, context));

    private Task<T> With<T>(string clusterName, Func<IClusterProvider, FipsClusterRecord, Task<T>> work)
    {
        var record = _store.Get(clusterName);
        return work(ClusterProviders.Get(record.Provider, _store), record);
    }
}
