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
        Assert.StartsWith("apiVersion: kubeadm.k8s.io/v1beta3", _ps.Run(Spec + "Export-FipsClusterManifest $spec -Format Kubeadm").Output.Single().ToString());
        var cloudInit = _ps.Run(Spec + "Export-FipsClusterManifest $spec -Format CloudInit -Role Worker").Output.Single().ToString();
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
}
