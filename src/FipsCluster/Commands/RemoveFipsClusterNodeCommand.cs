using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>
/// Removes a member from a cluster. Swarm: its engine leaves (when -DockerHost names it), the managers forget it, the
/// record drops it. AWS: the instance is terminated and the record drops it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FipsClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFipsClusterNodeCommand : DockerEngineCmdlet
{
    private readonly AwsParameters _aws;

    public RemoveFipsClusterNodeCommand() => _aws = Blocks.Add<AwsParameters>();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Cluster")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeId", "Hostname")]
    [ValidateNotNullOrEmpty]
    public string Node { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>AWS: the cluster's kubeconfig, to delete the removed machine's Node object too.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KubeContextCompleter))]
    public string? Context { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var options = new RemoveNodeOptions
            {
                Node = Node,
                NodeEngine = DockerHost is null ? null : ResolveEndpoint(),
                Aws = _aws.AnyBound ? _aws.ToConnection() : null,
                Kubeconfig = Kubeconfig is null ? null : GetUnresolvedProviderPathFromPSPath(Kubeconfig),
                KubeContext = Context,
            };
            RunCore(context => new ClusterService(ClusterStoreAccess.Store).RemoveNodeAsync(ClusterName, options with { ShouldProcess = Confirmation(context, Force) }, context));
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
