using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Creates a cluster whose FIPS mode is fixed at birth: preflights the manager host, initializes the swarm, writes the record.</summary>
[Cmdlet(VerbsCommon.New, "FipsCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FipsClusterRecord))]
public sealed class NewFipsClusterCommand : DockerEngineCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>An enum: any casing binds (aws, AWS), and PowerShell completes the names.</summary>
    [Parameter(Mandatory = true)]
    public FipsClusterProvider Provider { get; set; }

    /// <summary>FIPS mode (the default); -Fips:$false creates a non-FIPS cluster.</summary>
    [Parameter]
    public SwitchParameter Fips { get; set; }

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "0.0.0.0:2377";

    [Parameter]
    public string? AdvertiseAddress { get; set; }

    [Parameter]
    public string Description { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The manager's host for the preflight evidence (SSH); without it the local machine is checked.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ComputerName { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public string? UserName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    // AWS (DKP flags and EC2 placement).
    [Parameter]
    public string? Ami { get; set; }

    [Parameter]
    public string? KubernetesVersion { get; set; }

    [Parameter]
    public string? KubernetesImageRepository { get; set; }

    [Parameter]
    public string? EtcdVersion { get; set; }

    [Parameter]
    public string? EtcdImageRepository { get; set; }

    [Parameter]
    public string? Region { get; set; }

    [Parameter]
    public string? ProfileName { get; set; }

    [Parameter]
    public string? EndpointUrl { get; set; }

    [Parameter]
    [ValidateSet("x86_64", "arm64")]
    public string Architecture { get; set; } = "x86_64";

    [Parameter]
    [ValidateRange(1, 7)]
    public int ControlPlaneCount { get; set; } = 1;

    [Parameter]
    [ValidateRange(0, 1000)]
    public int WorkerCount { get; set; }

    /// <summary>AWS: empty means the -Architecture default (m5.xlarge, or m7g.xlarge for arm64).</summary>
    [Parameter]
    public string? ControlPlaneInstanceType { get; set; }

    /// <summary>AWS: empty means the -Architecture default (m5.2xlarge, or m7g.2xlarge for arm64).</summary>
    [Parameter]
    public string? WorkerInstanceType { get; set; }

    [Parameter]
    public string? SshKeyName { get; set; }

    [Parameter]
    public string? SubnetId { get; set; }

    [Parameter]
    public string? VpcId { get; set; }

    [Parameter]
    public SwitchParameter KeepOnFailure { get; set; }

    /// <summary>AWS: checks each instance with Test-FipsNode over SSH after boot (-UserName, -KeyFilePath, -KnownHostsPath) and records the evidence.</summary>
    [Parameter]
    public SwitchParameter VerifyNode { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int SshPort { get; set; } = 22;

    /// <summary>AWS: do not bootstrap the cluster over SSH even though SSH credentials are given.</summary>
    [Parameter]
    public SwitchParameter SkipJoin { get; set; }

    /// <summary>AWS: networks (CIDR) allowed to reach the Kubernetes API (6443). Default: none outside the cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ApiAllowedCidr { get; set; } = Array.Empty<string>();

    /// <summary>AWS: networks (CIDR) allowed to reach SSH (-SshPort), e.g. this host's address as a /32. A /0 needs -Force.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] SshAllowedCidr { get; set; } = Array.Empty<string>();

    /// <summary>AWS: how host keys of the new instances are verified (Strict: through their EC2 console output; AcceptNew: trust on first use). Both record them.</summary>
    [Parameter]
    public HostKeyPolicy HostKeyPolicy { get; set; } = HostKeyPolicy.Strict;

    /// <summary>AWS: how long a node's cloud-init (on the first control plane: kubeadm init) may take. Default 20 minutes.</summary>
    [Parameter]
    [ValidateRange("00:00:01", "1.00:00:00")]
    public TimeSpan BootstrapTimeout { get; set; } = TimeSpan.FromMinutes(20);

    protected override void EndProcessingCore()
    {
        var fips = !MyInvocation.BoundParameters.ContainsKey(nameof(Fips)) || Fips.ToBool();
        NewClusterOptions options = Provider is FipsClusterProvider.AWS ? AwsOptions(fips) : new NewSwarmClusterOptions
        {
            Name = Name,
            Engine = ResolveEndpoint(),
            Fips = fips,
            Profile = ComplianceProfile,
            ListenAddress = ListenAddress,
            AdvertiseAddress = AdvertiseAddress,
            Description = Description,
            Force = Force,
            EvidenceHost = ComputerName,
            Ssh = ComputerName is null ? null : SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy),
        };
        try
        {
            var created = RunCore(context => new ClusterService(ClusterStoreAccess.Store).CreateAsync(options, context));
            if (created.Record is not null)
            {
                WriteObject(created.Record);
            }
            foreach (var failure in created.NodeFailures)
            {
                WriteFailure(failure);
            }
        }
        catch (FipsClusterException ex)
        {
            ThrowFailure(ex);
        }
    }

    private NewAwsClusterOptions AwsOptions(bool fips)
    {
        var bound = MyInvocation.BoundParameters;
        return new NewAwsClusterOptions
        {
            Spec = new AwsClusterSpec
            {
                Name = Name,
                Region = Region ?? "",
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
                ComplianceProfile = (ComplianceProfile ?? ComplianceProfiles.Default).Name,
                ApiAllowedCidrs = ApiAllowedCidr,
                SshAllowedCidrs = SshAllowedCidr,
                SshPort = SshPort,
            },
            Profile = ComplianceProfile,
            Description = Description,
            Force = Force,
            Connection = AwsLogin.Build(Credential, ProfileName, EndpointUrl),
            KeepOnFailure = KeepOnFailure,
            VerifyNode = VerifyNode,
            SkipJoin = SkipJoin,
            // -Credential holds the AWS keys here, so the nodes are reached with an SSH key.
            Ssh = SshLoginOptions.Build(this, null, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy),
            SshLoginGiven = bound.ContainsKey(nameof(UserName)) || bound.ContainsKey(nameof(KeyFilePath)),
            BootstrapTimeout = BootstrapTimeout,
        };
    }
}
