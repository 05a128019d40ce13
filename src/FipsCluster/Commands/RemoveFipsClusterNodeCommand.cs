using System.Management.Automation;
using FipsCluster.Core.Clusters;
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
            if (ClusterStoreAccess.Store.Get(Cluster).Provider is FipsClusterProvider.AWS)
            {
                var aws = AwsLogin.Build(Credential, ProfileName, EndpointUrl);
                var whatIfAws = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var wa) && ((SwitchParameter)wa).IsPresent;
                var kubeconfig = Kubeconfig is null ? null : GetUnresolvedProviderPathFromPSPath(Kubeconfig);
                RunCore(context => Core.Providers.Aws.AwsProvisioner.RemoveNodeAsync(aws, ClusterStoreAccess.Store, Cluster, Node,
                    (target, action) => (Force && !whatIfAws) || context.ShouldProcess(target, action), context, kubeconfig, Context));
                return;
            }
            var engine = DockerHost is null ? null : ResolveEndpoint();
            var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && ((SwitchParameter)w).IsPresent;
            RunCore(context => new SwarmClusterService(ClusterStoreAccess.Store).RemoveNodeAsync(Cluster, Node, engine,
                (target, action) => (Force && !whatIf) || context.ShouldProcess(target, action), context));
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
