using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The spec as Cluster API manifests for DKP/CAPI users: Cluster, AWSCluster, KubeadmControlPlane, two
/// AWSMachineTemplates, MachineDeployment and KubeadmConfigTemplate. Core/kubeadm kinds in v1beta2 (what the
/// management cluster stores) or v1beta1 (DKP 2.x era); CAPA kinds in infrastructure.cluster.x-k8s.io/v1beta2, the
/// only version CAPA serves. Field names follow the upstream CRDs (cluster-api v1.14, CAPA v2.11). Every label,
/// name and file mode is a string on the wire (<see cref="Yaml"/> quotes what a reader would type otherwise).
/// </summary>
public static class ClusterApiRenderer
{
    public const string Infrastructure = "infrastructure.cluster.x-k8s.io/v1beta2";

    public static IReadOnlyList<YamlMappingNode> Objects(AwsClusterSpec spec, string apiVersion = "v1beta2")
    {
        if (apiVersion is not ("v1beta1" or "v1beta2"))
        {
            throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument, $"Cluster API version '{apiVersion}': use v1beta2 (default) or v1beta1.", apiVersion);
        }
        var v2 = apiVersion == "v1beta2";
        spec = AwsClusterSpecDefaults.Completed(spec);
        var name = spec.Name;
        var version = KubernetesVersions.WithV(spec.KubernetesVersion);
        YamlMappingNode Ref(string group, string groupVersion, string kind, string refName) => v2
            ? new YamlMappingNode { { "apiGroup", group }, { "kind", kind }, { "name", refName } }
            : new YamlMappingNode { { "apiVersion", groupVersion }, { "kind", kind }, { "name", refName } };
        YamlMappingNode Object(string objectApiVersion, string kind, string objectName, YamlMappingNode objectSpec) => new()
        {
            { "apiVersion", objectApiVersion },
            { "kind", kind },
            { "metadata", new YamlMappingNode { { "name", objectName }, { "labels", new YamlMappingNode { { "cluster.x-k8s.io/cluster-name", name }, { "fipscluster.io/fips", spec.Fips ? "true" : "false" } } } } },
            { "spec", objectSpec },
        };

        var cluster = Object($"cluster.x-k8s.io/{apiVersion}", "Cluster", name, new YamlMappingNode
        {
            { "clusterNetwork", new YamlMappingNode { { "pods", new YamlMappingNode { { "cidrBlocks", new YamlSequenceNode("192.168.0.0/16") } } } } },
            { "controlPlaneRef", Ref("controlplane.cluster.x-k8s.io", $"controlplane.cluster.x-k8s.io/{apiVersion}", "KubeadmControlPlane", $"{name}-control-plane") },
            { "infrastructureRef", Ref("infrastructure.cluster.x-k8s.io", Infrastructure, "AWSCluster", name) },
        });

        var awsClusterSpec = new YamlMappingNode { { "region", spec.Region } };
        if (spec.SshKeyName is { Length: > 0 } sshKey)
        {
            awsClusterSpec.Add("sshKeyName", sshKey);
        }
        var awsCluster = Object(Infrastructure, "AWSCluster", name, awsClusterSpec);

        YamlMappingNode MachineTemplate(string templateName, string instanceType)
        {
            var machine = new YamlMappingNode
            {
                { "instanceType", instanceType },
                { "ami", new YamlMappingNode { { "id", spec.Ami } } },
            };
            if (spec.SshKeyName is { Length: > 0 } key)
            {
                machine.Add("sshKeyName", key);
            }
            return Object(Infrastructure, "AWSMachineTemplate", templateName, new YamlMappingNode { { "template", new YamlMappingNode { { "spec", machine } } } });
        }

        // The kubeadm form's configuration, in this API's shape: extraArgs are a {name, value} list in v1beta2, a map in
        // v1beta1. Which kubeadm API the node's kubeadm reads is Cluster API's choice, by the Kubernetes version.
        var clusterConfiguration = KubeadmRenderer.ClusterConfigurationBody(spec, argsAsList: v2);

        var kubeadmConfigSpec = GuardedBootstrap(spec);
        kubeadmConfigSpec.Children.Insert(0, new YamlScalarNode("clusterConfiguration"), clusterConfiguration);
        var controlPlaneInfra = Ref("infrastructure.cluster.x-k8s.io", Infrastructure, "AWSMachineTemplate", $"{name}-control-plane");
        var controlPlane = Object($"controlplane.cluster.x-k8s.io/{apiVersion}", "KubeadmControlPlane", $"{name}-control-plane", new YamlMappingNode
        {
            { "replicas", Yaml.Integer(spec.ControlPlaneCount) },
            { "version", version },
            // v1beta2 moved the infrastructure reference under machineTemplate.spec.
            { "machineTemplate", v2 ? new YamlMappingNode { { "spec", new YamlMappingNode { { "infrastructureRef", controlPlaneInfra } } } } : new YamlMappingNode { { "infrastructureRef", controlPlaneInfra } } },
            { "kubeadmConfigSpec", kubeadmConfigSpec },
        });

        var workers = Object($"cluster.x-k8s.io/{apiVersion}", "MachineDeployment", $"{name}-md-0", new YamlMappingNode
        {
            { "clusterName", name },
            { "replicas", Yaml.Integer(spec.WorkerCount) },
            { "selector", new YamlMappingNode { { "matchLabels", new YamlMappingNode { { "cluster.x-k8s.io/cluster-name", name } } } } },
            {
                "template", new YamlMappingNode
                {
                    { "metadata", new YamlMappingNode { { "labels", new YamlMappingNode { { "cluster.x-k8s.io/cluster-name", name } } } } },
                    {
                        "spec", new YamlMappingNode
                        {
                            { "clusterName", name },
                            { "version", version },
                            { "bootstrap", new YamlMappingNode { { "configRef", Ref("bootstrap.cluster.x-k8s.io", $"bootstrap.cluster.x-k8s.io/{apiVersion}", "KubeadmConfigTemplate", $"{name}-md-0") } } },
                            { "infrastructureRef", Ref("infrastructure.cluster.x-k8s.io", Infrastructure, "AWSMachineTemplate", $"{name}-md-0") },
                        }
                    },
                }
            },
        });
        var workerBootstrap = Object($"bootstrap.cluster.x-k8s.io/{apiVersion}", "KubeadmConfigTemplate", $"{name}-md-0",
            new YamlMappingNode { { "template", new YamlMappingNode { { "spec", GuardedBootstrap(spec) } } } });

        return new[]
        {
            cluster, awsCluster, controlPlane, MachineTemplate($"{name}-control-plane", spec.ControlPlaneInstanceType),
            workers, MachineTemplate($"{name}-md-0", spec.WorkerInstanceType), workerBootstrap,
        };
    }

    /// <summary>For a FIPS spec, the kubelet FIPS gate as kubeadm bootstrap files and the FIPS check before kubeadm runs.</summary>
    private static YamlMappingNode GuardedBootstrap(AwsClusterSpec spec)
    {
        var bootstrap = new YamlMappingNode();
        if (spec.Fips)
        {
            bootstrap.Add("files", new YamlSequenceNode(
                    // The gate is longer than the 10,240 characters the CRDs allow a file's content: sent as gzip+base64,
                    // which CABPK passes to cloud-init's write_files as it is.
                    new YamlMappingNode { { "path", FipsKubeletGuard.ScriptPath }, { "owner", "root:root" }, { "permissions", "0755" }, { "encoding", "gzip+base64" }, { "content", Convert.ToBase64String(CloudInitRenderer.Compress(FipsKubeletGuard.Script)) } },
                    new YamlMappingNode { { "path", FipsKubeletGuard.DropInPath }, { "owner", "root:root" }, { "permissions", "0644" }, { "content", new YamlScalarNode(FipsKubeletGuard.DropIn) { Style = YamlDotNet.Core.ScalarStyle.Literal } } }));
        }
        var commands = new YamlSequenceNode();
        if (spec.Fips)
        {
            // CABPK writes preKubeadmCommands into runcmd before kubeadm init/join, each inserted verbatim: the check's
            // exit ends the bootstrap there (see EarlyCheck).
            commands.Add(FipsKubeletGuard.EarlyCheck);
        }
        commands.Add("systemctl daemon-reload");
        bootstrap.Add("preKubeadmCommands", commands);
        return bootstrap;
    }

    public static string Render(AwsClusterSpec spec, string apiVersion = "v1beta2") => Yaml.WriteAll(Objects(spec, apiVersion));
}
