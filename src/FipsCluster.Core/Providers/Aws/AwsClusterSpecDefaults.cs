namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// What a spec leaves open, filled in the DKP way and said out loud: a FIPS spec without image repositories takes
/// DKP's published FIPS builds (docker.io/mesosphere, tags vX.Y.Z_fips.N), and instance types left empty follow the
/// architecture (Graviton families for arm64). Idempotent: a completed spec comes back unchanged, so every entry point
/// (rendering, provisioning) can complete what it is given.
/// </summary>
public static class AwsClusterSpecDefaults
{
    /// <summary>Where DKP publishes its FIPS builds of the control-plane images and etcd (tags vX.Y.Z_fips.N).</summary>
    public const string DkpFipsRepository = "docker.io/mesosphere";

    /// <summary>CoreDNS is not rebuilt for FIPS: DKP keeps it on the upstream registry, in both the kubeadm and the Cluster API form.</summary>
    public const string CoreDnsRepository = "registry.k8s.io/coredns";

    /// <summary>The default instance types per architecture: x86_64 as before, arm64 the same sizes in the Graviton3 family.</summary>
    public static (string ControlPlane, string Worker) InstanceTypes(string architecture) =>
        architecture == "arm64" ? ("m7g.xlarge", "m7g.2xlarge") : ("m5.xlarge", "m5.2xlarge");

    /// <summary>The spec with its defaults filled in, and one sentence per default that was applied.</summary>
    public static (AwsClusterSpec Spec, IReadOnlyList<string> Applied) Complete(AwsClusterSpec spec)
    {
        var applied = new List<string>();
        var kubernetesRepository = spec.KubernetesImageRepository;
        var etcdRepository = spec.EtcdImageRepository;
        if (spec.Fips && string.IsNullOrWhiteSpace(kubernetesRepository))
        {
            kubernetesRepository = DkpFipsRepository;
            applied.Add($"Kubernetes images: {DkpFipsRepository} (DKP's published FIPS builds, tag {KubernetesVersions.ImageTag(spec.KubernetesVersion)}; -KubernetesImageRepository overrides)");
        }
        if (spec.Fips && string.IsNullOrWhiteSpace(etcdRepository))
        {
            etcdRepository = DkpFipsRepository;
            var tag = spec.EtcdVersion is { Length: > 0 } etcd ? $", tag {KubernetesVersions.EtcdImageTag(etcd)}" : "";
            applied.Add($"etcd image: {DkpFipsRepository} (DKP's published FIPS build{tag}; -EtcdImageRepository overrides)");
        }
        var (controlPlaneType, workerType) = InstanceTypes(spec.Architecture);
        var controlPlane = spec.ControlPlaneInstanceType;
        if (string.IsNullOrWhiteSpace(controlPlane))
        {
            controlPlane = controlPlaneType;
            applied.Add($"control-plane instances: {controlPlaneType} (the {spec.Architecture} default; -ControlPlaneInstanceType overrides)");
        }
        var worker = spec.WorkerInstanceType;
        if (string.IsNullOrWhiteSpace(worker))
        {
            worker = workerType;
            applied.Add($"worker instances: {workerType} (the {spec.Architecture} default; -WorkerInstanceType overrides)");
        }
        if (applied.Count == 0)
        {
            return (spec, applied);
        }
        return (new AwsClusterSpec
        {
            Name = spec.Name,
            Region = spec.Region,
            Ami = spec.Ami,
            Architecture = spec.Architecture,
            ControlPlaneInstanceType = controlPlane,
            WorkerInstanceType = worker,
            ControlPlaneCount = spec.ControlPlaneCount,
            WorkerCount = spec.WorkerCount,
            SubnetId = spec.SubnetId,
            VpcId = spec.VpcId,
            SshKeyName = spec.SshKeyName,
            ApiAllowedCidrs = spec.ApiAllowedCidrs,
            SshAllowedCidrs = spec.SshAllowedCidrs,
            SshPort = spec.SshPort,
            KubernetesVersion = spec.KubernetesVersion,
            KubernetesImageRepository = kubernetesRepository,
            EtcdVersion = spec.EtcdVersion,
            EtcdImageRepository = etcdRepository,
            Fips = spec.Fips,
            ComplianceProfile = spec.ComplianceProfile,
        }, applied);
    }

    /// <summary>The completed spec alone (renderers: what they render is what would be provisioned).</summary>
    public static AwsClusterSpec Completed(AwsClusterSpec spec) => Complete(spec).Spec;
}
