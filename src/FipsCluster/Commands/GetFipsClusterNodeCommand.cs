using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>Lists a cluster's members as the engine sees them, merged with the FIPS evidence the module recorded.</summary>
[Cmdlet(VerbsCommon.Get, "FipsClusterNode")]
[OutputType(typeof(FipsClusterNode))]
public sealed class GetFipsClusterNodeCommand : FipsCmdlet, IInsecureTransportOptIn
{
    private readonly AwsParameters _aws;

    public GetFipsClusterNodeCommand() => _aws = Blocks.Add<AwsParameters>();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Cluster")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = "";

    /// <summary>Accept plaintext or unverified transport (see <see cref="IInsecureTransportOptIn"/>), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureTransport { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var options = new GetNodesOptions { Aws = _aws.AnyBound ? _aws.ToConnection() : null };
            foreach (var node in RunCore(context => new ClusterService(ClusterStoreAccess.Store).GetNodesAsync(ClusterName, options, context)))
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
