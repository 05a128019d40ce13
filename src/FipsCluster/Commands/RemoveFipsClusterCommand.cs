using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>Removes a cluster record; -Deprovision also makes its engines leave (and so end) the swarm.</summary>
[Cmdlet(VerbsCommon.Remove, "FipsCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFipsClusterCommand : FipsCmdlet, IInsecureTransportOptIn
{
    private readonly AwsParameters _aws;

    public RemoveFipsClusterCommand() => _aws = Blocks.Add<AwsParameters>();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Deprovision { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Accept plaintext or unverified transport (see <see cref="IInsecureTransportOptIn"/>), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureTransport { get; set; }

    protected override void ProcessRecordCore()
    {
        foreach (var name in Name)
        {
            try
            {
                var options = new RemoveClusterOptions { Deprovision = Deprovision, Aws = _aws.AnyBound ? _aws.ToConnection() : null };
                RunCore(context => new ClusterService(ClusterStoreAccess.Store).RemoveAsync(name, options with { ShouldProcess = Confirmation(context, Force) }, context));
            }
            catch (FipsClusterException ex)
            {
                WriteFailure(ex);
            }
        }
    }
}
