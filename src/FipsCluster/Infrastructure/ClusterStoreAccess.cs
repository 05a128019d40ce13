using FipsCluster.Core.Clusters;

namespace FipsCluster.Infrastructure;

/// <summary>The store the cmdlets use: the file store at $FIPSCLUSTER_HOME (read per call, so a session can switch homes).</summary>
internal static class ClusterStoreAccess
{
    public static IClusterStore Store => new FileClusterStore(FileClusterStore.DefaultHome);
}
