using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>
/// Removes a member from a cluster. Swarm: its engine leaves (when -DockerHost names it), the managers forget it, the
/// record drops it. AWS: the instance is terminated and the record drops it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FipsClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFipsClusterNodeCommand : DockerEngineCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeId", "Hostname")]
    [ValidateNotNullOrEmpty]
    public string Node { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>AWS clusters: the access key ID (user name) and secret access key (password).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public string? ProfileName { get; set; }

    [Parameter]
    public string? EndpointUrl { get; set; }

    /// <summary>AWS: the cluster's kubeconfig, to delete the removed machine's Node object too.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var options = new RemoveNodeOptions
            {
                Node = Node,
                NodeEngine = DockerHost is null ? null : ResolveEndpoint(),
                Aws = AwsLogin.Build(Credential, ProfileName, EndpointUrl),
                Kubeconfig = Kubeconfig is null ? null : GetUnresolvedProviderPathFromPSPath(Kubeconfig),
                KubeContext = Context,
            };
            RunCore(context => new ClusterService(ClusterStoreAccess.Store).RemoveNodeAsync(Cluster, options with { ShouldProcess = Confirmation(context, Force) }, context));
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
