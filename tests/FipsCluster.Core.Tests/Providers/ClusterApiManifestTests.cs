using FipsCluster.Core.Providers.Aws;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// Every field the Cluster API renderer emits is checked against the upstream CRD schemas (Fixtures/capi-crds:
/// cluster-api v1.14.0, CAPA v2.11.1 — see its README for commits and hashes): each path must exist in the served
/// version's openAPIV3Schema, and every required field of every emitted object must be there.
/// </summary>
public sealed class ClusterApiManifestTests
{
    private static readonly string CrdDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "capi-crds");

    private static readonly Dictionary<string, string> CrdFiles = new()
    {
        ["Cluster"] = "cluster.x-k8s.io_clusters.yaml",
        ["MachineDeployment"] = "cluster.x-k8s.io_machinedeployments.yaml",
        ["KubeadmControlPlane"] = "controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml",
        ["KubeadmConfigTemplate"] = "bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml",
        ["AWSCluster"] = "infrastructure.cluster.x-k8s.io_awsclusters.yaml",
        ["AWSMachineTemplate"] = "infrastructure.cluster.x-k8s.io_awsmachinetemplates.yaml",
    };

    private static AwsClusterSpec Spec() => new()
    {
        Name = "prod", Region = "us-west-2", Ami = "ami-0abcdef0123456789", KubernetesVersion = "1.29.6+fips.0", KubernetesImageRepository = "docker.io/mesosphere",
        EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", SshKeyName = "ops", ControlPlaneCount = 3, WorkerCount = 3,
    };

    private static YamlMappingNode Schema(string kind, string apiVersion)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(CrdDirectory, CrdFiles[kind]))));
        var crd = (YamlMappingNode)stream.Documents[0].RootNode;
        var version = apiVersion.Split('/')[1];
        var entry = ((YamlSequenceNode)((YamlMappingNode)crd["spec"])["versions"]).Cast<YamlMappingNode>().Single(v => v["name"].ToString() == version);
        Assert.True(entry["served"].ToString() == "true", $"{kind} {apiVersion} is not served by the CRD");
        return (YamlMappingNode)((YamlMappingNode)entry["schema"])["openAPIV3Schema"];
    }

    private static void Walk(YamlNode value, YamlMappingNode schema, string path, List<string> problems)
    {
        if (schema.Children.ContainsKey("x-kubernetes-preserve-unknown-fields"))
        {
            return;
        }
        switch (value)
        {
            case YamlMappingNode map:
            {
                var properties = schema.Children.TryGetValue("properties", out var p) ? (YamlMappingNode)p : null;
                var additional = schema.Children.TryGetValue("additionalProperties", out var a) ? a as YamlMappingNode : null;
                if (schema.Children.TryGetValue("required", out var required))
                {
                    foreach (var name in ((YamlSequenceNode)required).Select(r => r.ToString()))
                    {
                        if (!map.Children.ContainsKey(name))
                        {
                            problems.Add($"{path}: required field '{name}' missing");
                        }
                    }
                }
                foreach (var (key, child) in map.Children)
                {
                    var name = key.ToString();
                    if (properties is not null && properties.Children.TryGetValue(name, out var childSchema))
                    {
                        Walk(child, (YamlMappingNode)childSchema, $"{path}.{name}", problems);
                    }
                    else if (additional is not null)
                    {
                        Walk(child, additional, $"{path}.{name}", problems);
                    }
                    else if (properties is not null || path.Length > 0)
                    {
                        problems.Add($"{path}.{name}: not in the schema");
                    }
                }
                break;
            }
            case YamlSequenceNode list:
                foreach (var item in list)
                {
                    Walk(item, (YamlMappingNode)schema["items"], path + "[]", problems);
                }
                break;
            case YamlScalarNode scalar when schema.Children.TryGetValue("type", out var type):
                var ok = type.ToString() switch
                {
                    "integer" => long.TryParse(scalar.Value, out _),
                    "boolean" => scalar.Value is "true" or "false",
                    "string" => true,
                    _ => true,
                };
                if (!ok)
                {
                    problems.Add($"{path}: '{scalar.Value}' is not a {type}");
                }
                break;
        }
    }

    [Theory]
    [InlineData("v1beta2")]
    [InlineData("v1beta1")]
    public void Every_emitted_field_exists_in_the_upstream_CRD_and_every_required_field_is_there(string apiVersion)
    {
        var objects = ClusterApiRenderer.Objects(Spec(), apiVersion);
        Assert.Equal(new[] { "Cluster", "AWSCluster", "KubeadmControlPlane", "AWSMachineTemplate", "MachineDeployment", "AWSMachineTemplate", "KubeadmConfigTemplate" },
            objects.Select(o => o["kind"].ToString()));
        var problems = new List<string>();
        foreach (var obj in objects)
        {
            var kind = obj["kind"].ToString();
            var spec = (YamlMappingNode)obj["spec"];
            var schema = Schema(kind, obj["apiVersion"].ToString());
            Walk(spec, (YamlMappingNode)((YamlMappingNode)schema["properties"])["spec"], kind + ".spec", problems);
        }
        Assert.Empty(problems);
    }

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
    }
}
