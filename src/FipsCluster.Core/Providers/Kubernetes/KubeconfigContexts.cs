namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>The context names of a kubeconfig, for -Context completion: read as kubectl finds the file, never connected to.</summary>
public static class KubeconfigContexts
{
    /// <summary>The kubeconfig kubectl would use: <paramref name="given"/>, else the first file of KUBECONFIG, else ~/.kube/config.</summary>
    public static string DefaultPath(string? given) =>
        given is { Length: > 0 } ? given
        : Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is { } fromEnvironment ? fromEnvironment
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");

    /// <summary>The contexts of the kubeconfig at <paramref name="path"/>; empty when it is missing or unreadable.</summary>
    public static IReadOnlyList<string> Names(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return Array.Empty<string>();
            }
            var config = KubeconfigFile.Read(path);
            return (config.Contexts ?? Enumerable.Empty<k8s.KubeConfigModels.Context>()).Select(c => c.Name).Where(n => !string.IsNullOrEmpty(n)).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or k8s.Exceptions.KubeConfigException or YamlDotNet.Core.YamlException)
        {
            return Array.Empty<string>();
        }
    }
}
