using System.Net;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>API discovery and cluster-wide listings (what kubectl needs), for the large-cluster benchmark.</summary>
public sealed partial class KubernetesApiStub
{
    private partial (int, object)? RouteListing(HttpListenerRequest request, string path) => null;
}
