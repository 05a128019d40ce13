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
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Whatever the loader throws (KubeConfigException, IOException, a YamlException for a file that is not YAML
            // at all) means the same to the user: this file cannot be used.
            throw new FipsClusterException(ErrorIds.InvalidKubeconfig, FipsErrorCategory.InvalidArgument, $"The kubeconfig '{kubeconfigPath}' cannot be used: {ex.Message}", kubeconfigPath, ex);
        }
    }

    /// <summary>The credentials a kubeconfig holds (token, password, client key), for masking in any message that quotes them.</summary>
    public static IReadOnlyCollection<System.Security.SecureString> Secrets(KubernetesClientConfiguration configuration) =>
        new[] { configuration.AccessToken, configuration.Password, configuration.ClientCertificateKeyData }
            .Where(s => !string.IsNullOrEmpty(s))
            .Select(s => Tokens.SecretText.ToSecureString(s))
            .ToList();
}
