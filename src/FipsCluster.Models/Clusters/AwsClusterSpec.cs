namespace FipsCluster;

/// <summary>
/// One description of a Kubernetes cluster on AWS, the DKP way, shared by provisioning (EC2) and by the manifests
/// (Cluster API, kubeadm, cloud-init): what is rendered is what is provisioned.
/// </summary>
public sealed class AwsClusterSpec
{
    public string Name { get; init; } = "";

    public string Region { get; init; } = "";

    /// <summary>The FIPS-enabled AMI (ami-…).</summary>
    public string Ami { get; init; } = "";

    /// <summary>x86_64 or arm64: the AMI must be of this architecture, and the default instance types follow it.</summary>
    public string Architecture { get; init; } = "x86_64";

    /// <summary>Empty: the architecture's default (m5.xlarge for x86_64, m7g.xlarge for arm64).</summary>
    public string ControlPlaneInstanceType { get; init; } = "";

    /// <summary>Empty: the architecture's default (m5.2xlarge for x86_64, m7g.2xlarge for arm64).</summary>
    public string WorkerInstanceType { get; init; } = "";

    public int ControlPlaneCount { get; init; } = 1;

    public int WorkerCount { get; init; }

    public string? SubnetId { get; init; }

    public string? VpcId { get; init; }

    public string? SshKeyName { get; init; }

    /// <summary>
    /// Networks (CIDR) allowed to reach the Kubernetes API (6443) from outside the cluster's security group.
    /// Empty (the default): only the cluster's own instances.
    /// </summary>
    public IReadOnlyList<string> ApiAllowedCidrs { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Networks (CIDR) allowed to reach the instances' SSH port from outside the cluster's security group (the admin host
    /// that verifies and joins nodes over SSH). Empty (the default): only the cluster's own instances.
    /// </summary>
    public IReadOnlyList<string> SshAllowedCidrs { get; init; } = Array.Empty<string>();

    /// <summary>The SSH port the security group opens to <see cref="SshAllowedCidrs"/>. Default 22.</summary>
    public int SshPort { get; init; } = 22;

    /// <summary>e.g. v1.22.8+fips.0 (DKP's SemVer build metadata for FIPS builds).</summary>
    public string KubernetesVersion { get; init; } = "";

    /// <summary>e.g. docker.io/mesosphere. Empty in a FIPS spec: DKP's published FIPS builds (docker.io/mesosphere).</summary>
    public string? KubernetesImageRepository { get; init; }

    /// <summary>e.g. 3.4.13+fips.0.</summary>
    public string? EtcdVersion { get; init; }

    /// <summary>Empty in a FIPS spec: DKP's published FIPS build (docker.io/mesosphere).</summary>
    public string? EtcdImageRepository { get; init; }

    public bool Fips { get; init; } = true;

    public string ComplianceProfile { get; init; } = "FIPS-140-3";
}
