using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// Reads a kubeconfig into KubernetesClient's own model, as its loader does (the file's folder resolves relative
/// certificate and key paths), with a deserializer that knows only the kubeconfig's types. KubernetesClient's loader
/// goes through KubernetesYaml, whose first use reflects over every Kubernetes model type to map their JSON names:
/// about 45 MiB of a process's memory, kept for the process's life, to read one small file.
/// </summary>
internal static class KubeconfigFile
{
    // KubernetesYaml's lenient settings for what a kubeconfig holds: camelCase names (every kubeconfig property names
    // its key), unknown keys ignored.
    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>The kubeconfig at <paramref name="path"/>; KubeConfigException when it is missing or empty, YamlException when it is not YAML of that shape.</summary>
    public static K8SConfiguration Read(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        }
        using var text = file.OpenText();
        var config = Reader.Deserialize<K8SConfiguration?>(text) ?? throw new KubeConfigException($"kubeconfig file {file.FullName} is empty");
        config.FileName = file.FullName;
        return config;
    }
}
