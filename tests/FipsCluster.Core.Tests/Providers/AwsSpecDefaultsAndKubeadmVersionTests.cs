using System.Reflection;
using FipsCluster.Core.Providers.Aws;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// What a spec leaves open is filled the DKP way and said (AwsClusterSpecDefaults), and the kubeadm configuration API
/// follows the Kubernetes version (v1beta3 below 1.31, v1beta4 with name/value extraArgs from 1.31).
/// </summary>
public sealed class AwsSpecDefaultsAndKubeadmVersionTests
{
    private static AwsClusterSpec Spec(bool fips = true, string architecture = "x86_64", string version = "v1.29.6+fips.0", string? repository = null) => new()
    {
        Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0", Architecture = architecture, KubernetesVersion = version,
        EtcdVersion = fips ? "3.5.10+fips.0" : null, KubernetesImageRepository = repository, EtcdImageRepository = repository, Fips = fips,
    };

    [Fact]
    public void A_FIPS_spec_without_repositories_takes_DKPs_published_FIPS_builds_and_says_so()
    {
        var (spec, applied) = AwsClusterSpecDefaults.Complete(Spec());
        Assert.Equal("docker.io/mesosphere", spec.KubernetesImageRepository);
        Assert.Equal("docker.io/mesosphere", spec.EtcdImageRepository);
        Assert.Contains(applied, a => a.Contains("docker.io/mesosphere", StringComparison.Ordinal) && a.Contains("tag v1.29.6_fips.0", StringComparison.Ordinal) && a.Contains("-KubernetesImageRepository overrides", StringComparison.Ordinal));
        Assert.Contains(applied, a => a.Contains("tag v3.5.10_fips.0", StringComparison.Ordinal) && a.Contains("-EtcdImageRepository overrides", StringComparison.Ordinal));

        // What is rendered is what would be provisioned: the kubeadm form pulls DKP's images by kubeadm's tag rule.
        var config = (YamlMappingNode)KubeadmRenderer.ClusterConfiguration(Spec());
        Assert.Equal("docker.io/mesosphere", config["imageRepository"].ToString());
        var local = (YamlMappingNode)((YamlMappingNode)config["etcd"])["local"];
        Assert.Equal("docker.io/mesosphere", local["imageRepository"].ToString());
        Assert.Equal("v3.5.10_fips.0", local["imageTag"].ToString());
    }

    [Fact]
    public void Repositories_given_are_kept_and_a_non_FIPS_spec_keeps_kubeadms_default_registry()
    {
        var (custom, applied) = AwsClusterSpecDefaults.Complete(Spec(repository: "registry.example.internal/fips"));
        Assert.Equal("registry.example.internal/fips", custom.KubernetesImageRepository);
        Assert.Equal("registry.example.internal/fips", custom.EtcdImageRepository);
        Assert.DoesNotContain(applied, a => a.Contains("mesosphere", StringComparison.Ordinal));

        var (plain, plainApplied) = AwsClusterSpecDefaults.Complete(Spec(fips: false, version: "v1.29.6"));
        Assert.Null(plain.KubernetesImageRepository);
        Assert.DoesNotContain(plainApplied, a => a.Contains("images", StringComparison.Ordinal));
        Assert.False(((YamlMappingNode)KubeadmRenderer.ClusterConfiguration(plain)).Children.ContainsKey(new YamlScalarNode("imageRepository")));
    }

    [Theory]
    [InlineData("x86_64", "m5.xlarge", "m5.2xlarge")]
    [InlineData("arm64", "m7g.xlarge", "m7g.2xlarge")]
    public void Instance_types_left_open_follow_the_architecture(string architecture, string controlPlane, string worker)
    {
        var (spec, applied) = AwsClusterSpecDefaults.Complete(Spec(architecture: architecture));
        Assert.Equal(controlPlane, spec.ControlPlaneInstanceType);
        Assert.Equal(worker, spec.WorkerInstanceType);
        Assert.Contains(applied, a => a.Contains($"{controlPlane} (the {architecture} default; -ControlPlaneInstanceType overrides)", StringComparison.Ordinal));
        var chosen = new AwsClusterSpec { Name = "prod", Architecture = architecture, ControlPlaneInstanceType = "c7g.large", WorkerInstanceType = "t4g.medium", Fips = false };
        var (kept, keptApplied) = AwsClusterSpecDefaults.Complete(chosen);
        Assert.Same(chosen, kept);
        Assert.Empty(keptApplied);
    }

    [Fact]
    public void Completing_is_idempotent_and_copies_every_other_property()
    {
        var (once, applied) = AwsClusterSpecDefaults.Complete(Spec(architecture: "arm64"));
        Assert.NotEmpty(applied);
        var (twice, again) = AwsClusterSpecDefaults.Complete(once);
        Assert.Same(once, twice);
        Assert.Empty(again);

        // Every property of the spec set to something not its default: a property added later and not copied fails here.
        var original = new AwsClusterSpec();
        var filled = new AwsClusterSpec();
        var opened = new[] { nameof(AwsClusterSpec.KubernetesImageRepository), nameof(AwsClusterSpec.EtcdImageRepository), nameof(AwsClusterSpec.ControlPlaneInstanceType), nameof(AwsClusterSpec.WorkerInstanceType) };
        foreach (var property in typeof(AwsClusterSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? value = property.PropertyType switch
            {
                var t when t == typeof(string) => opened.Contains(property.Name) ? "" : "x-" + property.Name,
                var t when t == typeof(int) => 7,
                var t when t == typeof(bool) => !(bool)property.GetValue(original)!,
                var t when t == typeof(IReadOnlyList<string>) => new[] { "10.0.0.0/8" },
                _ => throw new InvalidOperationException($"AwsClusterSpec.{property.Name} ({property.PropertyType}) is new to this test"),
            };
            property.SetValue(filled, value);
        }
        var (completed, _) = AwsClusterSpecDefaults.Complete(filled);
        foreach (var property in typeof(AwsClusterSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => !opened.Contains(p.Name)))
        {
            Assert.Equal(property.GetValue(filled), property.GetValue(completed));
        }
    }

    [Theory]
    [InlineData("v1.22.8+fips.0", "kubeadm.k8s.io/v1beta3")]
    [InlineData("1.29.6+fips.0", "kubeadm.k8s.io/v1beta3")]
    [InlineData("v1.30.9", "kubeadm.k8s.io/v1beta3")]
    [InlineData("v1.31.0", "kubeadm.k8s.io/v1beta4")]
    [InlineData("1.32.1+fips.0", "kubeadm.k8s.io/v1beta4")]
    public void The_kubeadm_API_follows_the_Kubernetes_version(string version, string api) => Assert.Equal(api, KubernetesVersions.KubeadmApiVersion(version));

    [Fact]
    public void A_version_without_major_and_minor_is_an_invalid_spec()
    {
        Assert.Equal(ErrorIds.InvalidClusterSpec, Assert.Throws<FipsClusterException>(() => KubernetesVersions.KubeadmApiVersion("latest")).ErrorId);
    }

    [Theory]
    [InlineData("v1.29.6+fips.0", "kubeadm.k8s.io/v1beta3", false)]
    [InlineData("v1.31.2+fips.0", "kubeadm.k8s.io/v1beta4", true)]
    public void ExtraArgs_are_a_map_in_v1beta3_and_a_list_of_name_value_pairs_in_v1beta4(string version, string api, bool list)
    {
        var config = KubeadmRenderer.ClusterConfiguration(Spec(version: version));
        Assert.Equal(api, config["apiVersion"].ToString());
        var args = ((YamlMappingNode)config["apiServer"])["extraArgs"];
        var flags = list
            ? Assert.IsType<YamlSequenceNode>(args).Cast<YamlMappingNode>().ToDictionary(a => a["name"].ToString(), a => a["value"].ToString())
            : Assert.IsType<YamlMappingNode>(args).Children.ToDictionary(a => a.Key.ToString(), a => a.Value.ToString());
        Assert.Equal("VersionTLS12", flags["tls-min-version"]);
        // The suites are the strict FIPS list of the compliance checks, in the names Go's flags take.
        Assert.Equal(string.Join(',', FipsCluster.Core.Compliance.FipsTlsPolicy.StrictTls12), flags["tls-cipher-suites"]);
    }
}
