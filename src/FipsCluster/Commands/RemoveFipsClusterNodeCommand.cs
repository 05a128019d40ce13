using System.Management.Automation;
using FipsCluster.Core.Clusters;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Removes a member from a cluster: its engine leaves (when -DockerHost names it), the managers forget it, the record drops it.</summary>
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

    protected override void ProcessRecord()
    {
        try
        {
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
