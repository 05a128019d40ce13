using FipsCluster.Core.Compliance;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// kubeadm's configuration documents: the ClusterConfiguration for the spec, as DKP seeds a FIPS node, and the
/// JoinConfiguration a node joins with. The API version follows the Kubernetes version
/// (<see cref="KubernetesVersions.KubeadmApiVersion"/>): v1beta3 below 1.31, v1beta4 from 1.31, whose extraArgs are a
/// list of name/value pairs instead of a map. The Cluster API form embeds the same configuration
/// (<see cref="ClusterConfigurationBody"/>), so the two cannot drift.
/// </summary>
public static class KubeadmRenderer
{
    /// <summary>
    /// The flags a FIPS cluster's control plane is started with: its TLS servers (API server, etcd) offer only the
    /// FIPS-approved TLS 1.2 suites of <see cref="FipsTlsPolicy.StrictTls12"/> (TLS 1.3 suites cannot be configured in
    /// Go and are approved except ChaCha20, which a FIPS-mode build refuses). A non-FIPS cluster gets none.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ApiServerArgs(AwsClusterSpec spec) => spec.Fips
        ? new[] { Arg("tls-min-version", "VersionTLS12"), Arg("tls-cipher-suites", ApprovedSuites) }
        : Array.Empty<KeyValuePair<string, string>>();

    /// <summary>etcd's flag for the same suites (etcd has no minimum-version flag in every supported release).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> EtcdArgs(AwsClusterSpec spec) => spec.Fips
        ? new[] { Arg("cipher-suites", ApprovedSuites) }
        : Array.Empty<KeyValuePair<string, string>>();

    private static string ApprovedSuites => string.Join(',', FipsTlsPolicy.StrictTls12.Select(s => s.ToString()));

    private static KeyValuePair<string, string> Arg(string name, string value) => new(name, value);

    /// <summary>extraArgs as the configuration API wants them: a list of {name, value} (kubeadm v1beta4, Cluster API v1beta2) or a map (kubeadm v1beta3, Cluster API v1beta1).</summary>
    public static YamlNode ExtraArgs(IReadOnlyList<KeyValuePair<string, string>> args, bool asList)
    {
        if (asList)
        {
            return new YamlSequenceNode(args.Select(a => (YamlNode)new YamlMappingNode { { "name", a.Key }, { "value", a.Value } }));
        }
        var map = new YamlMappingNode();
        foreach (var (name, value) in args)
        {
            map.Add(name, value);
        }
        return map;
    }

    /// <summary>
    /// What both forms configure: image repository, API server flags, local etcd (repository, tag, flags) and CoreDNS
    /// (kept on the upstream registry: DKP does not rebuild it for FIPS).
    /// </summary>
    public static YamlMappingNode ClusterConfigurationBody(AwsClusterSpec spec, bool argsAsList)
    {
        spec = AwsClusterSpecDefaults.Completed(spec);
        var config = new YamlMappingNode();
        if (spec.KubernetesImageRepository is { Length: > 0 } repository)
        {
            config.Add("imageRepository", repository);
        }
        if (ApiServerArgs(spec) is { Count: > 0 } apiServerArgs)
        {
            config.Add("apiServer", new YamlMappingNode { { "extraArgs", ExtraArgs(apiServerArgs, argsAsList) } });
        }
        var local = new YamlMappingNode();
        if (spec.EtcdVersion is { Length: > 0 } etcd)
        {
            if (spec.EtcdImageRepository is { Length: > 0 } etcdRepository)
            {
                local.Add("imageRepository", etcdRepository);
            }
            local.Add("imageTag", KubernetesVersions.EtcdImageTag(etcd));
        }
        if (EtcdArgs(spec) is { Count: > 0 } etcdArgs)
        {
            local.Add("extraArgs", ExtraArgs(etcdArgs, argsAsList));
        }
        if (local.Children.Count > 0)
        {
            config.Add("etcd", new YamlMappingNode { { "local", local } });
        }
        config.Add("dns", new YamlMappingNode { { "imageRepository", AwsClusterSpecDefaults.CoreDnsRepository } });
        return config;
    }

    public static YamlMappingNode ClusterConfiguration(AwsClusterSpec spec)
    {
        var apiVersion = KubernetesVersions.KubeadmApiVersion(spec.KubernetesVersion);
        var config = new YamlMappingNode
        {
            { "apiVersion", apiVersion },
            { "kind", "ClusterConfiguration" },
            { "clusterName", spec.Name },
            // kubeadm turns the version into image tags itself (v1.22.8+fips.0 → v1.22.8_fips.0).
            { "kubernetesVersion", KubernetesVersions.WithV(spec.KubernetesVersion) },
        };
        foreach (var (key, value) in ClusterConfigurationBody(spec, argsAsList: apiVersion == KubernetesVersions.KubeadmV1Beta4))
        {
            config.Add(key, value);
        }
        return config;
    }

    public static string Render(AwsClusterSpec spec) => Yaml.Write(ClusterConfiguration(spec));

    /// <summary>
    /// A JoinConfiguration for bootstrap-token discovery (discovery.bootstrapToken: apiServerEndpoint, token, caCertHashes),
    /// with controlPlane.certificateKey for a control plane, in the given kubeadm API version (the same fields in v1beta3
    /// and v1beta4). It holds the token and the key: written only to a 0600 file on the joining node, never logged.
    /// </summary>
    public static YamlMappingNode JoinConfiguration(string apiServerEndpoint, string token, string caCertHash, string? certificateKey, string apiVersion = KubernetesVersions.KubeadmV1Beta3)
    {
        var config = new YamlMappingNode
        {
            { "apiVersion", apiVersion },
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

    public static string RenderJoinConfiguration(string apiServerEndpoint, string token, string caCertHash, string? certificateKey, string apiVersion = KubernetesVersions.KubeadmV1Beta3) =>
        Yaml.Write(JoinConfiguration(apiServerEndpoint, token, caCertHash, certificateKey, apiVersion));
}
