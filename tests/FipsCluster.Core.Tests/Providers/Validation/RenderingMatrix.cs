using FipsCluster.Core.Providers.Aws;
using Xunit;

namespace FipsCluster.Core.Tests.Providers.Validation;

/// <summary>
/// The specs every rendering is validated for: 1+0 and 3+3, x86_64 and arm64, DKP's default and custom repositories,
/// FIPS and non-FIPS, Kubernetes 1.29 (kubeadm v1beta3) and 1.31 (v1beta4). The names are valid DNS-1123 labels that a
/// YAML reader would type if they were written bare (on, 0755, yes, null, 1e3).
/// </summary>
public static class RenderingMatrix
{
    public static readonly IReadOnlyDictionary<string, AwsClusterSpec> Specs = new Dictionary<string, AwsClusterSpec>
    {
        ["fips-1+0-k8s1.29-dkp-defaults"] = new()
        {
            Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", EtcdVersion = "3.5.10+fips.0",
            ControlPlaneCount = 1, WorkerCount = 0,
        },
        ["fips-3+3-k8s1.31-dkp-defaults"] = new()
        {
            Name = "on", Region = "us-west-2", Ami = "ami-0123456789abcdef0", KubernetesVersion = "1.31.2+fips.0", EtcdVersion = "3.5.15+fips.0",
            ControlPlaneCount = 3, WorkerCount = 3, SshKeyName = "ops",
        },
        ["fips-arm64-3+3-k8s1.31"] = new()
        {
            Name = "0755", Region = "eu-central-1", Ami = "ami-0fedcba9876543210", Architecture = "arm64", KubernetesVersion = "v1.31.2+fips.0",
            EtcdVersion = "3.5.15+fips.0", ControlPlaneCount = 3, WorkerCount = 3,
        },
        ["fips-custom-repositories-3+3-k8s1.29"] = new()
        {
            Name = "yes", Region = "us-gov-west-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", EtcdVersion = "3.5.10+fips.0",
            KubernetesImageRepository = "registry.example.internal:5000/fips/kubernetes", EtcdImageRepository = "registry.example.internal:5000/fips/etcd",
            ControlPlaneInstanceType = "c6i.xlarge", WorkerInstanceType = "r6i.2xlarge", ControlPlaneCount = 3, WorkerCount = 3, SshKeyName = "true",
        },
        ["non-fips-1+0-k8s1.29"] = new()
        {
            Name = "null", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6", Fips = false, ControlPlaneCount = 1, WorkerCount = 0,
        },
        ["non-fips-arm64-3+3-k8s1.31-custom-repositories"] = new()
        {
            Name = "1e3", Region = "ap-southeast-2", Ami = "ami-0fedcba9876543210", Architecture = "arm64", KubernetesVersion = "v1.31.2", EtcdVersion = "3.5.15-0",
            KubernetesImageRepository = "registry.k8s.io", EtcdImageRepository = "registry.k8s.io", Fips = false, ControlPlaneCount = 3, WorkerCount = 3,
        },
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Specs.Keys)
        {
            data.Add(name);
        }
        return data;
    }

    public static readonly string[] CapiVersions = { "v1beta2", "v1beta1" };

    /// <summary>What Export-FipsClusterManifest writes for a spec: every format, every role, every Cluster API version.</summary>
    public static IReadOnlyList<(string Rendering, string Text)> Render(AwsClusterSpec spec)
    {
        AwsClusterSpecValidator.Validate(spec);
        var list = new List<(string, string)>
        {
            ("CloudInit ControlPlane", CloudInitRenderer.Render(spec, "ControlPlane")),
            ("CloudInit Worker", CloudInitRenderer.Render(spec, "Worker")),
            ("Kubeadm", KubeadmRenderer.Render(spec)),
        };
        list.AddRange(CapiVersions.Select(v => ($"ClusterAPI {v}", ClusterApiRenderer.Render(spec, v))));
        return list;
    }
}
