using FipsCluster.Core.Providers.Aws;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// What the Cluster API objects carry. That they are valid against the upstream CRD schemas (Fixtures/capi-crds) is
/// shown for the whole spec matrix by Validation/RenderingValidationTests, with kubectl and JsonSchema.Net.
/// </summary>
public sealed class ClusterApiManifestTests
{
    private static AwsClusterSpec Spec(string version = "1.29.6+fips.0") => new()
    {
        Name = "prod", Region = "us-west-2", Ami = "ami-0abcdef0123456789", KubernetesVersion = version, KubernetesImageRepository = "docker.io/mesosphere",
        EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", SshKeyName = "ops", ControlPlaneCount = 3, WorkerCount = 3,
    };

    [Fact]
    public void The_DKP_fields_carry_the_spec_and_the_text_parses_back()
    {
        var text = ClusterApiRenderer.Render(Spec());
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var documents = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        Assert.Equal(7, documents.Count);
        YamlNode At(YamlNode node, params string[] path) => path.Aggregate(node, (n, key) => ((YamlMappingNode)n)[key]);
        var kcp = documents.Single(d => d["kind"].ToString() == "KubeadmControlPlane");
        Assert.Equal("v1.29.6+fips.0", At(kcp, "spec", "version").ToString());
        Assert.Equal("docker.io/mesosphere", At(kcp, "spec", "kubeadmConfigSpec", "clusterConfiguration", "imageRepository").ToString());
        Assert.Equal("v3.5.10_fips.0", At(kcp, "spec", "kubeadmConfigSpec", "clusterConfiguration", "etcd", "local", "imageTag").ToString());
        Assert.Equal("AWSMachineTemplate", At(kcp, "spec", "machineTemplate", "spec", "infrastructureRef", "kind").ToString());
        Assert.All(documents.Where(d => d["kind"].ToString() == "AWSMachineTemplate"), t => Assert.Equal("ami-0abcdef0123456789", At(t, "spec", "template", "spec", "ami", "id").ToString()));
        var md = documents.Single(d => d["kind"].ToString() == "MachineDeployment");
        Assert.Equal("v1.29.6+fips.0", At(md, "spec", "template", "spec", "version").ToString());
        Assert.Contains(FipsKubeletGuard.DropInPath, text);
        Assert.Equal(ClusterApiRenderer.Infrastructure, documents.Single(d => d["kind"].ToString() == "AWSCluster")["apiVersion"].ToString());
        // CoreDNS from the upstream registry, as in the kubeadm form.
        Assert.Equal("registry.k8s.io/coredns", At(kcp, "spec", "kubeadmConfigSpec", "clusterConfiguration", "dns", "imageRepository").ToString());
    }

    [Theory]
    [InlineData("v1beta2")]
    [InlineData("v1beta1")]
    public void The_FIPS_TLS_flags_have_the_shape_of_the_API_version(string apiVersion)
    {
        var kcp = ClusterApiRenderer.Objects(Spec("1.31.2+fips.0"), apiVersion).Single(o => o["kind"].ToString() == "KubeadmControlPlane");
        var configuration = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)kcp["spec"])["kubeadmConfigSpec"])["clusterConfiguration"];
        var apiServerArgs = ((YamlMappingNode)configuration["apiServer"])["extraArgs"];
        var etcdArgs = ((YamlMappingNode)((YamlMappingNode)configuration["etcd"])["local"])["extraArgs"];
        if (apiVersion == "v1beta2")
        {
            // A list of {name, value}, as kubeadm v1beta4.
            var list = Assert.IsType<YamlSequenceNode>(apiServerArgs).Cast<YamlMappingNode>().ToDictionary(a => a["name"].ToString(), a => a["value"].ToString());
            Assert.Equal("VersionTLS12", list["tls-min-version"]);
            Assert.StartsWith("TLS_ECDHE_", list["tls-cipher-suites"]);
            Assert.IsType<YamlSequenceNode>(etcdArgs);
        }
        else
        {
            Assert.Equal("VersionTLS12", Assert.IsType<YamlMappingNode>(apiServerArgs)["tls-min-version"].ToString());
            Assert.IsType<YamlMappingNode>(etcdArgs);
        }
        // A non-FIPS spec gets no TLS flags.
        Assert.DoesNotContain("extraArgs", ClusterApiRenderer.Render(new AwsClusterSpec { Name = "dev", Region = "us-west-2", Ami = "ami-0abcdef0123456789", KubernetesVersion = "1.31.2", Fips = false }, apiVersion));
    }
}
