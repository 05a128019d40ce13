using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>kubeadm's ClusterConfiguration for the spec, as DKP seeds a FIPS node (kubeadm.k8s.io/v1beta3).</summary>
public static class KubeadmRenderer
{
    public static YamlMappingNode ClusterConfiguration(AwsClusterSpec spec)
    {
        var config = new YamlMappingNode
        {
            { "apiVersion", "kubeadm.k8s.io/v1beta3" },
            { "kind", "ClusterConfiguration" },
            { "clusterName", spec.Name },
            // kubeadm turns the version into image tags itself (v1.22.8+fips.0 → v1.22.8_fips.0).
            { "kubernetesVersion", KubernetesVersions.WithV(spec.KubernetesVersion) },
        };
        if (spec.KubernetesImageRepository is { Length: > 0 } repository)
        {
            config.Add("imageRepository", repository);
        }
        if (spec.EtcdVersion is { Length: > 0 } etcd)
        {
            var local = new YamlMappingNode();
            if (spec.EtcdImageRepository is { Length: > 0 } etcdRepository)
            {
                local.Add("imageRepository", etcdRepository);
            }
            local.Add("imageTag", KubernetesVersions.EtcdImageTag(etcd));
            config.Add("etcd", new YamlMappingNode { { "local", local } });
        }
        // CoreDNS is not rebuilt for FIPS (DKP keeps it on registry.k8s.io).
        config.Add("dns", new YamlMappingNode { { "imageRepository", "registry.k8s.io/coredns" } });
        return config;
    }

    public static string Render(AwsClusterSpec spec) => Yaml.Write(ClusterConfiguration(spec));
}

/// <summary>YAML text from a node tree, block style, stable output.</summary>
internal static class Yaml
{
    public static string Write(YamlNode root)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlStream ends every document with "...": a single document needs no end marker.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text.EndsWith("...\r\n", StringComparison.Ordinal) ? text[..^5] : text;
    }
}
