using System.Management.Automation;

namespace FipsCluster.Infrastructure.ParameterBlocks;

/// <summary>New-FipsCluster -Provider AWS: the cluster's shape, the DKP flags and EC2 placement, as an <see cref="AwsClusterSpec"/>.</summary>
public sealed class AwsClusterParameters : ParameterBlock
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Ami { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubernetesVersion { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubernetesImageRepository { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EtcdVersion { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EtcdImageRepository { get; set; }

    [Parameter]
    [ValidateSet("x86_64", "arm64")]
    public string Architecture { get; set; } = "x86_64";

    [Parameter]
    [ValidateRange(1, 7)]
    public int ControlPlaneCount { get; set; } = 1;

    [Parameter]
    [ValidateRange(0, 1000)]
    public int WorkerCount { get; set; }

    /// <summary>Empty means the -Architecture default (m5.xlarge, or m7g.xlarge for arm64).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ControlPlaneInstanceType { get; set; }

    /// <summary>Empty means the -Architecture default (m5.2xlarge, or m7g.2xlarge for arm64).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkerInstanceType { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SshKeyName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SubnetId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VpcId { get; set; }

    /// <summary>Networks (CIDR) allowed to reach the Kubernetes API (6443). Default: none outside the cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ApiAllowedCidr { get; set; } = Array.Empty<string>();

    /// <summary>Networks (CIDR) allowed to reach SSH (-SshPort), e.g. this host's address as a /32. A /0 needs -Force.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] SshAllowedCidr { get; set; } = Array.Empty<string>();

    /// <summary>The spec these parameters describe (the region is left to the connection's rule).</summary>
    public AwsClusterSpec ToSpec(string name, bool fips, string complianceProfile, int sshPort) => new()
    {
        Name = name,
        Ami = Ami ?? "",
        Architecture = Architecture,
        ControlPlaneInstanceType = ControlPlaneInstanceType ?? "",
        WorkerInstanceType = WorkerInstanceType ?? "",
        ControlPlaneCount = ControlPlaneCount,
        WorkerCount = WorkerCount,
        SubnetId = SubnetId,
        VpcId = VpcId,
        SshKeyName = SshKeyName,
        KubernetesVersion = KubernetesVersion ?? "",
        KubernetesImageRepository = KubernetesImageRepository,
        EtcdVersion = EtcdVersion,
        EtcdImageRepository = EtcdImageRepository,
        Fips = fips,
        ComplianceProfile = complianceProfile,
        ApiAllowedCidrs = ApiAllowedCidr,
        SshAllowedCidrs = SshAllowedCidr,
        SshPort = sshPort,
    };
}

/// <summary>New-FipsCluster on AWS (from parameters or a piped spec): what happens around provisioning.</summary>
public sealed class AwsBootstrapParameters : ParameterBlock
{
    /// <summary>Keep what a failed attempt created (otherwise it is rolled back).</summary>
    [Parameter]
    public SwitchParameter KeepOnFailure { get; set; }

    /// <summary>Checks each instance with Test-FipsNode over SSH after boot and records the evidence.</summary>
    [Parameter]
    public SwitchParameter VerifyNode { get; set; }

    /// <summary>Do not bootstrap the cluster over SSH although SSH login parameters are given.</summary>
    [Parameter]
    public SwitchParameter SkipJoin { get; set; }

    /// <summary>How long a node's cloud-init (on the first control plane: kubeadm init) may take. Default 20 minutes.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int BootstrapTimeoutSeconds { get; set; } = 1200;
}
