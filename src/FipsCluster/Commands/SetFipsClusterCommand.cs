using System.Management.Automation;
using FipsCluster.Core.Clusters;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Changes a cluster's description and tags. FIPS mode and compliance profile are fixed at creation: changing them is refused.</summary>
[Cmdlet(VerbsCommon.Set, "FipsCluster", SupportsShouldProcess = true)]
[OutputType(typeof(FipsClusterRecord))]
public sealed class SetFipsClusterCommand : FipsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string Name { get; set; } = "";

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    public string[]? Tags { get; set; }

    /// <summary>Tags to add, atomically under the store's lock (concurrent callers never lose each other's tags).</summary>
    [Parameter]
    public string[]? AddTag { get; set; }

    /// <summary>Accepted only to refuse a different mode with FipsModeImmutable: the FIPS mode of a cluster never changes.</summary>
    [Parameter]
    public FipsMode FipsMode { get; set; }

    /// <summary>Accepted only to refuse a different profile with FipsModeImmutable.</summary>
    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var record = new ClusterSettings(ClusterStoreAccess.Store).Set(new SetClusterOptions
            {
                Name = Name,
                Description = Description,
                Tags = Tags,
                AddTags = AddTag,
                Fips = MyInvocation.BoundParameters.ContainsKey(nameof(FipsMode)) ? FipsMode is FipsMode.Enabled : null,
                ComplianceProfile = ComplianceProfile?.Name,
            }, (target, action) => ShouldProcess(target, action));
            if (PassThru)
            {
                WriteObject(record);
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
