using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>
/// Creates a cluster whose FIPS mode is fixed at birth: a swarm (-Provider Swarm: preflight of the manager host, swarm
/// init, record) or Kubernetes on EC2 (-Provider AWS, or a piped AwsClusterSpec: instances, kubeadm over SSH, record).
/// </summary>
/// <remarks>
/// Each provider's parameters are offered only for that provider (dynamic parameters keyed on -Provider, in the
/// parameter sets Swarm, Aws and Spec), so -Provider Swarm -Ami … is a parameter-binding error and Tab after
/// -Provider Swarm offers the swarm's parameters alone. Without -Provider (help, Get-Command, a piped spec) every
/// parameter is declared in its set.
/// </remarks>
[Cmdlet(VerbsCommon.New, "FipsCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SwarmSet)]
[OutputType(typeof(FipsClusterRecord))]
public sealed class NewFipsClusterCommand : DockerEngineCmdlet
{
    private const string SwarmSet = "Swarm";
    private const string AwsSet = "Aws";
    private const string SpecSet = "Spec";

    private readonly SwarmMemberParameters _swarm;
    private readonly SshParameters _ssh;
    private readonly AwsParameters _aws;
    private readonly AwsClusterParameters _cluster;
    private readonly AwsBootstrapParameters _bootstrap;
    private FipsClusterProvider? _provider;

    public NewFipsClusterCommand()
        : base(SwarmSet)
    {
        // The engine parameters (the base's) are declared for the Swarm set; below, each block is offered for its provider.
        _swarm = Blocks.Add<SwarmMemberParameters>(() => _provider is null or FipsClusterProvider.Swarm, SwarmSet);
        _ssh = Blocks.Add<SshParameters>(SwarmSet, AwsSet, SpecSet);
        _aws = Blocks.Add<AwsParameters>(() => _provider is null or FipsClusterProvider.AWS, AwsSet, SpecSet);
        _cluster = Blocks.Add<AwsClusterParameters>(() => _provider is null or FipsClusterProvider.AWS, AwsSet);
        _bootstrap = Blocks.Add<AwsBootstrapParameters>(() => _provider is null or FipsClusterProvider.AWS, AwsSet, SpecSet);
    }

    private protected override bool EngineParametersOffered => _provider is null or FipsClusterProvider.Swarm;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SwarmSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = AwsSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>An enum: any casing binds (aws, AWS), and PowerShell completes the names. Its value decides which parameters are offered.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SwarmSet)]
    [Parameter(Mandatory = true, ParameterSetName = AwsSet)]
    public FipsClusterProvider Provider
    {
        get => _provider ?? FipsClusterProvider.Swarm;
        set => _provider = value;
    }

    /// <summary>A cluster spec (from Export-FipsClusterManifest's input, or built as [FipsCluster.AwsClusterSpec]@{...}): an AWS cluster.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SpecSet)]
    [Alias("Spec")]
    public AwsClusterSpec? InputObject { get; set; }

    /// <summary>Enabled (the default) or Disabled. Fixed at creation.</summary>
    [Parameter(ParameterSetName = SwarmSet)]
    [Parameter(ParameterSetName = AwsSet)]
    public FipsMode FipsMode { get; set; } = FipsMode.Enabled;

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }

    [Parameter]
    public string Description { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var options = Options();
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
            // One cluster from parameters: its failure ends the command. A piped spec's fails that spec alone.
            if (ParameterSetName == SpecSet)
            {
                WriteFailure(ex);
                return;
            }
            ThrowFailure(ex);
        }
    }

    private NewClusterOptions Options() => ParameterSetName switch
    {
        SpecSet => AwsOptions(InputObject!),
        _ when Provider is FipsClusterProvider.AWS =>
            AwsOptions(_cluster.ToSpec(Name, FipsMode is FipsMode.Enabled, (ComplianceProfile ?? Core.Compliance.ComplianceProfiles.Default).Name, _ssh.SshPort)),
        _ => new NewSwarmClusterOptions
        {
            Name = Name,
            Engine = ResolveEndpoint(),
            Fips = FipsMode is FipsMode.Enabled,
            Profile = ComplianceProfile,
            ListenAddress = _swarm.ListenAddress,
            AdvertiseAddress = _swarm.AdvertiseAddress,
            Description = Description,
            Force = Force,
            EvidenceHost = _swarm.ComputerName,
            Ssh = _swarm.ComputerName is null ? null : _ssh.ToOptions(this),
            SshPort = _ssh.GivenSshPort,
        },
    };

    private NewAwsClusterOptions AwsOptions(AwsClusterSpec spec) => new()
    {
        Spec = spec,
        Profile = ComplianceProfile,
        Description = Description,
        Force = Force,
        Connection = _aws.ToConnection(),
        KeepOnFailure = _bootstrap.KeepOnFailure,
        VerifyNode = _bootstrap.VerifyNode,
        SkipJoin = _bootstrap.SkipJoin,
        Ssh = _ssh.ToOptions(this),
        SshLoginGiven = _ssh.IsBound(nameof(SshParameters.UserName)) || _ssh.IsBound(nameof(SshParameters.KeyFilePath)) || _ssh.IsBound(nameof(SshParameters.SshCredential)),
        BootstrapTimeout = TimeSpan.FromSeconds(_bootstrap.BootstrapTimeoutSeconds),
    };
}
