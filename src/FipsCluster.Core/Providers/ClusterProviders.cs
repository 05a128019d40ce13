using FipsCluster.Core.Clusters;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Providers.Swarm;

namespace FipsCluster.Core.Providers;

/// <summary>
/// The one place that maps a <see cref="FipsClusterProvider"/> to its implementation. A third provider is a folder
/// under Providers/ with an <see cref="IClusterProvider"/>, its options records, and one line here.
/// </summary>
public static class ClusterProviders
{
    private static readonly IReadOnlyDictionary<FipsClusterProvider, Func<IClusterStore, IClusterProvider>> Registered =
        new Dictionary<FipsClusterProvider, Func<IClusterStore, IClusterProvider>>
        {
            [FipsClusterProvider.Swarm] = store => new SwarmClusterProvider(store),
            [FipsClusterProvider.AWS] = store => new AwsClusterProvider(store),
        };

    /// <summary>The providers this module has.</summary>
    public static IReadOnlyCollection<FipsClusterProvider> Known => Registered.Keys.ToList();

    /// <summary>The implementation of <paramref name="provider"/>, working on <paramref name="store"/>.</summary>
    public static IClusterProvider Get(FipsClusterProvider provider, IClusterStore store) =>
        Registered.TryGetValue(provider, out var create)
            ? create(store)
            : throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidData, $"This version of FipsCluster has no provider '{provider}'.", provider.ToString());

    /// <summary>
    /// The options a provider was given, as its own kind: options of another provider (Add-FipsClusterNode -Count for a
    /// Swarm cluster) are refused with what the cluster is.
    /// </summary>
    public static T Require<T>(FipsClusterRecord record, object options)
        where T : class =>
        options as T ?? throw new FipsClusterException(ErrorIds.ClusterProviderMismatch, FipsErrorCategory.InvalidArgument,
            $"'{record.Name}' is a {record.Provider} cluster: {Describe(options)} do not apply to it.", record.Name)
        {
            RecommendedAction = $"Use the parameters of the {record.Provider} provider (Get-Help Add-FipsClusterNode -Parameter * lists them per parameter set).",
        };

    private static string Describe(object options) => options switch
    {
        AddNodesOptions add => $"the {add.Provider} parameters",
        NewClusterOptions create => $"the {create.Provider} parameters",
        _ => "these parameters",
    };
}
