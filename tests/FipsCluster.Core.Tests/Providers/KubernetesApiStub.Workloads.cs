using System.Net;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>Namespaces, DaemonSets, pods and logs for Test-FipsCluster -NodeCheck DaemonSet.</summary>
public sealed partial class KubernetesApiStub
{
    private partial (int, object)? RouteWorkloads(HttpListenerRequest request, string path) => null;
}
