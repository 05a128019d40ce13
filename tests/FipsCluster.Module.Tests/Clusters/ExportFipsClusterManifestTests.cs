using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>Export-FipsClusterManifest through the engine: a spec built from a hashtable, three renderings, -Path and -WhatIf.</summary>
public sealed class ExportFipsClusterManifestTests : IClassFixture<ModuleFixture>
{
    private const string Spec = "$spec = [FipsCluster.AwsClusterSpec]@{ Name = 'prod'; Region = 'us-west-2'; Ami = 'ami-0abcdef0123456789'; KubernetesVersion = 'v1.29.6+fips.0'; " +
        "KubernetesImageRepository = 'docker.io/mesosphere'; EtcdVersion = '3.5.10+fips.0'; EtcdImageRepository = 'docker.io/mesosphere'; ControlPlaneCount = 3; WorkerCount = 3 }; ";

    private readonly PsSession _ps;

    public ExportFipsClusterManifestTests(ModuleFixture module) => _ps = module.Session;

    [Fact]
    public void One_spec_renders_as_Cluster_API_kubeadm_and_cloud_init()
    {
        var capi = _ps.Run(Spec + "$spec | Export-FipsClusterManifest").Output.Single().ToString();
        Assert.Contains("kind: KubeadmControlPlane", capi);
        Assert.Contains("apiVersion: controlplane.cluster.x-k8s.io/v1beta2", capi);
        Assert.Contains("imageTag: v3.5.10_fips.0", capi);
        Assert.Contains("apiVersion: controlplane.cluster.x-k8s.io/v1beta1", _ps.Run(Spec + "Export-FipsClusterManifest $spec -ApiVersion v1beta1").Output.Single().ToString());
        Assert.StartsWith("apiVersion: kubeadm.k8s.io/v1beta3", _ps.Run(Spec + "Export-FipsClusterManifest $spec -ManifestKind Kubeadm").Output.Single().ToString()); // Kubernetes 1.29
        var cloudInit = _ps.Run(Spec + "Export-FipsClusterManifest $spec -ManifestKind CloudInit -MachineRole Worker").Output.Single().ToString();
        Assert.StartsWith("#cloud-config\n", cloudInit);
        Assert.Contains("ExecStartPre=/usr/local/bin/fips-kubelet-check", cloudInit);
        Assert.DoesNotContain("kubeadm\n  - init", cloudInit);
    }

    [Fact]
    public void Path_writes_the_file_WhatIf_writes_nothing_and_a_non_FIPS_version_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), "fc-manifest-" + Guid.NewGuid().ToString("N")[..6] + ".yaml");
        try
        {
            var whatIf = _ps.Run(Spec + "$spec | Export-FipsClusterManifest -Path $args[0] -WhatIf", path);
            Assert.Contains("What if:", whatIf.HostText);
            Assert.False(File.Exists(path));
            _ps.Run(Spec + "$spec | Export-FipsClusterManifest -Path $args[0]", path);
            Assert.Contains("kind: AWSMachineTemplate", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
        var refused = _ps.Run(Spec + "$spec = [FipsCluster.AwsClusterSpec]@{ Name = 'x'; Region = 'us-west-2'; Ami = 'ami-0abcdef0123456789'; KubernetesVersion = 'v1.29.6' }; $spec | Export-FipsClusterManifest");
        Assert.Equal("InvalidClusterSpec,FipsCluster.Commands.ExportFipsClusterManifestCommand", Assert.Single(refused.ErrorIds));
        Assert.Contains("X.Y.Z+fips.N", refused.AllText);
    }

    private const string OpenSpec = "$spec = [FipsCluster.AwsClusterSpec]@{ Name = 'prod'; Region = 'us-west-2'; Ami = 'ami-0abcdef0123456789'; Architecture = 'arm64'; " +
        "KubernetesVersion = 'v1.31.2+fips.0'; EtcdVersion = '3.5.15+fips.0' }; ";

    [Fact]
    public void A_FIPS_spec_without_repositories_renders_DKPs_FIPS_builds_and_says_so_in_Verbose_and_WhatIf()
    {
        var rendered = _ps.Run(OpenSpec + "$spec | Export-FipsClusterManifest -ManifestKind Kubeadm -Verbose");
        Assert.Empty(rendered.Errors);
        var kubeadm = rendered.Output.Single().ToString();
        Assert.StartsWith("apiVersion: kubeadm.k8s.io/v1beta4", kubeadm);
        Assert.Contains("imageRepository: docker.io/mesosphere", kubeadm);
        Assert.Contains(rendered.Verbose, v => v.Message.Contains("default Kubernetes images: docker.io/mesosphere (DKP's published FIPS builds, tag v1.31.2_fips.0; -KubernetesImageRepository overrides)", StringComparison.Ordinal));
        var capi = _ps.Run(OpenSpec + "$spec | Export-FipsClusterManifest").Output.Single().ToString();
        Assert.Contains("instanceType: m7g.xlarge", capi);
        Assert.Contains("instanceType: m7g.2xlarge", capi);

        var path = Path.Combine(Path.GetTempPath(), "fc-manifest-" + Guid.NewGuid().ToString("N")[..6] + ".yaml");
        var whatIf = _ps.Run(OpenSpec + "$spec | Export-FipsClusterManifest -Path $args[0] -WhatIf", path);
        Assert.Contains("with the defaults: Kubernetes images: docker.io/mesosphere", whatIf.HostText.Replace("\n", "", StringComparison.Ordinal));
        Assert.False(File.Exists(path));

        // Given repositories are used as given, and nothing is said.
        var given = _ps.Run(OpenSpec + "$spec.KubernetesImageRepository = 'registry.example.internal/fips'; $spec.EtcdImageRepository = 'registry.example.internal/fips'; " +
            "$spec | Export-FipsClusterManifest -ManifestKind Kubeadm -Verbose");
        Assert.Contains("imageRepository: registry.example.internal/fips", given.Output.Single().ToString());
        Assert.DoesNotContain(given.Verbose, v => v.Message.Contains("mesosphere", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Prod")]
    [InlineData("my_cluster")]
    [InlineData("")]
    public void A_name_that_is_not_a_DNS_1123_label_is_refused_with_the_rule(string name)
    {
        var refused = _ps.Run("$spec = [FipsCluster.AwsClusterSpec]@{ Name = $args[0]; Region = 'us-west-2'; Ami = 'ami-0abcdef0123456789'; KubernetesVersion = 'v1.29.6+fips.0'; EtcdVersion = '3.5.10+fips.0' }; " +
            "$spec | Export-FipsClusterManifest", name);
        Assert.Equal("InvalidClusterName,FipsCluster.Commands.ExportFipsClusterManifestCommand", Assert.Single(refused.ErrorIds));
        Assert.Contains("DNS-1123 label", refused.AllText);
        Assert.Empty(refused.Output);
    }
}
