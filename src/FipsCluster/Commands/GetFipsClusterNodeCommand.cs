using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Lists a cluster's members as the engine sees them, merged with the FIPS evidence the module recorded.</summary>
[Cmdlet(VerbsCommon.Get, "FipsClusterNode")]
[OutputType(typeof(FipsClusterNode))]
public sealed class GetFipsClusterNodeCommand : FipsCmdlet, IInsecureTransportOptIn
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName", "Name")]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = "";

    /// <summary>AWS clusters: the access key ID (user name) and secret access key (password).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public string? ProfileName { get; set; }

    [Parameter]
    public string? EndpointUrl { get; set; }

    /// <summary>Accept plaintext or unverified transport (see <see cref="IInsecureTransportOptIn"/>), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureTransport { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var options = new GetNodesOptions { Aws = AwsLogin.Build(Credential, ProfileName, EndpointUrl) };
            foreach (var node in RunCore(context => new ClusterService(ClusterStoreAccess.Store).GetNodesAsync(Cluster, options, context)))
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
