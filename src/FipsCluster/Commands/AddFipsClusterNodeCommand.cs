using System.Management.Automation;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Admits a node to a cluster on evidence: a FIPS cluster refuses a node whose host fails the cluster's profile; an admitted node's engine joins the swarm.</summary>
[Cmdlet(VerbsCommon.Add, "FipsClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClusterNodeRecord))]
public sealed class AddFipsClusterNodeCommand : DockerEngineCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName", "Name")]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = "";

    [Parameter]
    [ValidateSet("Worker", "Manager")]
    public string Role { get; set; } = "Worker";

    /// <summary>The node's host for the evidence (SSH); without it, the local machine is the evidence.</summary>
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

    [Parameter]
    public HostKeyPolicy HostKeyPolicy { get; set; } = HostKeyPolicy.Strict;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "0.0.0.0:2377";

    [Parameter]
    public string? AdvertiseAddress { get; set; }

    protected override void ProcessRecord()
    {
        var ssh = ComputerName is null ? null : SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy);
        try
        {
            var endpoint = ResolveEndpoint();
            var member = RunCore(context => new SwarmClusterService(ClusterStoreAccess.Store)
                .AddNodeAsync(Cluster, endpoint, Role, ComputerName, ssh, ListenAddress, AdvertiseAddress, context));
            if (member is not null)
            {
                WriteObject(member);
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
