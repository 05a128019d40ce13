using System.Management.Automation;
using FipsCluster.Core.Clusters;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Lists a cluster's members as the engine sees them, merged with the FIPS evidence the module recorded.</summary>
[Cmdlet(VerbsCommon.Get, "FipsClusterNode")]
[OutputType(typeof(FipsClusterNode))]
public sealed class GetFipsClusterNodeCommand : FipsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName", "Name")]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = "";

    protected override void ProcessRecord()
    {
        try
        {
            foreach (var node in RunCore(context => new SwarmClusterService(ClusterStoreAccess.Store).GetNodesAsync(Cluster, context)))
            {
                WriteObject(node);
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
