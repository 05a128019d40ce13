using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>
/// Admits nodes to a cluster on evidence: a FIPS cluster refuses a node whose host fails the cluster's profile. Swarm:
/// an admitted node's engine joins the swarm. AWS: more workers are launched (-Count), or recorded instances that did
/// not join are taken again (-InstanceId), judged over SSH and joined with kubeadm.
/// </summary>
/// <remarks>
/// One parameter set per way of adding (Swarm, AwsLaunch, AwsInstance): a swarm's parameters with an AWS one are a
/// parameter-binding error. Which provider a cluster has is in its record, so an AWS set given for a swarm (or the
/// Swarm set for an AWS cluster) is refused by the provider with ClusterProviderMismatch.
/// </remarks>
[Cmdlet(VerbsCommon.Add, "FipsClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SwarmSet)]
[OutputType(typeof(FipsClusterNode))]
public sealed class AddFipsClusterNodeCommand : DockerEngineCmdlet
{
    private const string SwarmSet = "Swarm";
    private const string AwsLaunchSet = "AwsLaunch";
    private const string AwsInstanceSet = "AwsInstance";

    private readonly SwarmMemberParameters _swarm;
    private readonly SshParameters _ssh;
    private readonly AwsParameters _aws;

    public AddFipsClusterNodeCommand()
        : base(SwarmSet)
    {
        _swarm = Blocks.Add<SwarmMemberParameters>(SwarmSet);
        _ssh = Blocks.Add<SshParameters>();
        _aws = Blocks.Add<AwsParameters>(AwsLaunchSet, AwsInstanceSet);
    }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Cluster")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = "";

    /// <summary>The swarm role the node joins as: the same type as the token cmdlets' -Role.</summary>
    [Parameter(ParameterSetName = SwarmSet)]
    [ValidateSet("Worker", "Manager")]
    public SwarmNodeRole Role { get; set; } = SwarmNodeRole.Worker;

    /// <summary>AWS: how many worker instances to launch and join.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AwsLaunchSet)]
    [ValidateRange(1, 100)]
    public int Count { get; set; }

    /// <summary>AWS: recorded instances to judge and join again (e.g. those whose JoinState is Failed).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AwsInstanceSet, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeId")]
    [ValidateNotNullOrEmpty]
    public string[] InstanceId { get; set; } = Array.Empty<string>();

    /// <summary>AWS: how long each node's cloud-init, and its host keys on the console, may take.</summary>
    [Parameter(ParameterSetName = AwsLaunchSet)]
    [Parameter(ParameterSetName = AwsInstanceSet)]
    [ValidateRange(1, 86400)]
    public int BootstrapTimeoutSeconds { get; set; } = 1200;

    /// <summary>AWS: instances piped in, per cluster, joined together in EndProcessing (one bootstrap token for all).</summary>
    private readonly Dictionary<string, List<string>> _instances = new(StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecordCore()
    {
        switch (ParameterSetName)
        {
            case AwsInstanceSet:
                if (!_instances.TryGetValue(ClusterName, out var ids))
                {
                    _instances[ClusterName] = ids = new List<string>();
                }
                ids.AddRange(InstanceId);
                return;
            case AwsLaunchSet:
                AddOnAws(ClusterName, Array.Empty<string>());
                return;
        }
        Add(ClusterName, () => new AddSwarmNodeOptions
        {
            Engine = ResolveEndpoint(),
            Role = Role,
            EvidenceHost = _swarm.ComputerName,
            Ssh = _swarm.ComputerName is null ? null : _ssh.ToOptions(this),
            SshPort = _ssh.GivenSshPort,
            ListenAddress = _swarm.ListenAddress,
            AdvertiseAddress = _swarm.AdvertiseAddress,
        });
    }

    protected override void EndProcessingCore()
    {
        foreach (var (cluster, ids) in _instances)
        {
            AddOnAws(cluster, ids);
        }
    }

    private void AddOnAws(string cluster, IReadOnlyList<string> instanceIds) => Add(cluster, () => new AddAwsNodesOptions
    {
        Connection = _aws.ToConnection(),
        Count = Count,
        InstanceIds = instanceIds,
        Ssh = _ssh.ToOptions(this),
        BootstrapTimeout = TimeSpan.FromSeconds(BootstrapTimeoutSeconds),
    });

    private void Add(string cluster, Func<AddNodesOptions> options)
    {
        try
        {
            var given = options();
            var added = RunCore(context => new ClusterService(ClusterStoreAccess.Store).AddNodesAsync(cluster, given, context));
            foreach (var node in added.Nodes)
            {
                WriteObject(node);
            }
            foreach (var failure in added.NodeFailures)
            {
                WriteFailure(failure);
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
