using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>kubeadm's configuration documents (kubeadm.k8s.io/v1beta3): the ClusterConfiguration for the spec, as DKP seeds a FIPS node, and the JoinConfiguration a node joins with.</summary>
public static class KubeadmRenderer
{
    /// <summary>
    /// One version for every document the cluster's kubeadm reads: v1beta3 is read by kubeadm 1.22 and later; v1beta4
    /// (kubeadm 1.31 and later) has the same fields for what is rendered here.
    /// </summary>
    public const string ApiVersion = "kubeadm.k8s.io/v1beta3";

    public static YamlMappingNode ClusterConfiguration(AwsClusterSpec spec)
    {
        var config = new YamlMappingNode
        {
            { "apiVersion", ApiVersion },
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

    /// <summary>
    /// A JoinConfiguration for bootstrap-token discovery (discovery.bootstrapToken: apiServerEndpoint, token, caCertHashes),
    /// with controlPlane.certificateKey for a control plane. It holds the token and the key: written only to a 0600 file
    /// on the joining node, never logged.
    /// </summary>
    public static YamlMappingNode JoinConfiguration(string apiServerEndpoint, string token, string caCertHash, string? certificateKey)
    {
        var config = new YamlMappingNode
        {
            { "apiVersion", ApiVersion },
            { "kind", "JoinConfiguration" },
            {
                "discovery", new YamlMappingNode
                {
                    {
                        "bootstrapToken", new YamlMappingNode
                        {
                            { "apiServerEndpoint", apiServerEndpoint },
                            { "token", token },
                            { "caCertHashes", new YamlSequenceNode(new YamlScalarNode(caCertHash)) },
                        }
                    },
                }
            },
        };
        if (certificateKey is not null)
        {
            config.Add("controlPlane", new YamlMappingNode { { "certificateKey", certificateKey } });
        }
        return config;
    }

    public static string RenderJoinConfiguration(string apiServerEndpoint, string token, string caCertHash, string? certificateKey) =>
        Yaml.Write(JoinConfiguration(apiServerEndpoint, token, caCertHash, certificateKey));
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
