using FipsCluster.Core.Operations;
using k8s;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>A KubernetesClient from a kubeconfig file (and context); an unusable file is InvalidKubeconfig.</summary>
public static class KubeconfigClient
{
    /// <summary>
    /// The client configuration of the kubeconfig's context. A server on http:// or with insecure-skip-tls-verify is
    /// refused unless <see cref="OperationContext.AllowInsecureTransport"/> (<see cref="InsecureTransport"/>): the
    /// credentials would travel exposed, or to whoever answers.
    /// </summary>
    public static KubernetesClientConfiguration Load(string kubeconfigPath, string? kubeContext, OperationContext context)
    {
        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Read(kubeconfigPath), kubeContext);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Whatever the loader throws (KubeConfigException, IOException, a YamlException for a file that is not YAML
            // at all) means the same to the user: this file cannot be used.
            throw new FipsClusterException(ErrorIds.InvalidKubeconfig, FipsErrorCategory.InvalidArgument, $"The kubeconfig '{kubeconfigPath}' cannot be used: {ex.Message}", kubeconfigPath, ex);
        }
        var server = configuration.Host ?? "";
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new FipsClusterException(ErrorIds.InvalidKubeconfig, FipsErrorCategory.InvalidArgument,
                $"The kubeconfig '{kubeconfigPath}' cannot be used: its server '{Remoting.HostAddress.Display(server)}' is not an https:// URL.", kubeconfigPath);
        }
        if (uri.Scheme == "http")
        {
            InsecureTransport.Permit(context, server, "the Kubernetes API server is reached over http:// (no TLS)",
                "the kubeconfig's credentials and everything read travel in the clear, and anyone on the path can answer in the API server's place");
        }
        else if (configuration.SkipTlsVerify)
        {
            InsecureTransport.Permit(context, server, "the kubeconfig sets insecure-skip-tls-verify (the server's certificate is not checked)",
                "anyone on the path can answer in the API server's place and receive the kubeconfig's credentials");
        }
        return configuration;
    }

    /// <summary>The credentials a kubeconfig holds (token, password, client key), for masking in any message that quotes them.</summary>
    public static IReadOnlyCollection<System.Security.SecureString> Secrets(KubernetesClientConfiguration configuration) =>
        new[] { configuration.AccessToken, configuration.Password, configuration.ClientCertificateKeyData }
            .Where(s => !string.IsNullOrEmpty(s))
            .Select(s => Tokens.SecretText.ToSecureString(s))
            .ToList();
}
