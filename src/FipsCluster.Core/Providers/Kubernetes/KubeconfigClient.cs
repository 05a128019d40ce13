using k8s;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>A KubernetesClient from a kubeconfig file (and context); an unusable file is InvalidKubeconfig.</summary>
public static class KubeconfigClient
{
    public static KubernetesClientConfiguration Load(string kubeconfigPath, string? kubeContext)
    {
        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath, kubeContext);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or FileNotFoundException or IOException)
        {
            throw new FipsClusterException(ErrorIds.InvalidKubeconfig, FipsErrorCategory.InvalidArgument, $"The kubeconfig '{kubeconfigPath}' cannot be used: {ex.Message}", kubeconfigPath, ex);
        }
    }
}
