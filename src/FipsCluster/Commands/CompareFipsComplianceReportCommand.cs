using System.Management.Automation;
using FipsCluster.Core.Compliance.Reports;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>
/// What changed between two runs of compliance reports (live, or re-imported from Export-Clixml or JSON): the targets and
/// checks whose status differs, newly failing first.
/// </summary>
[Cmdlet(VerbsData.Compare, "FipsComplianceReport")]
[OutputType(typeof(ComplianceChange))]
public sealed class CompareFipsComplianceReportCommand : FipsCmdlet
{
    private readonly List<object> _difference = new();
    private int _inputs;

    /// <summary>The older run.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyCollection]
    public PSObject[] ReferenceReport { get; set; } = Array.Empty<PSObject>();

    /// <summary>The newer run.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [AllowEmptyCollection]
    public PSObject[] DifferenceReport { get; set; } = Array.Empty<PSObject>();

    protected override void ProcessRecordCore()
    {
        foreach (var item in DifferenceReport)
        {
            try
            {
                _difference.AddRange(ReportInputs.Reports(item, $"DifferenceReport #{++_inputs}"));
            }
            catch (FipsClusterException ex)
            {
                WriteFailure(ex);
            }
        }
    }

    protected override void EndProcessingCore()
    {
        var reference = new List<object>();
        var index = 0;
        foreach (var item in ReferenceReport)
        {
            try
            {
                reference.AddRange(ReportInputs.Reports(item, $"ReferenceReport #{++index}"));
            }
            catch (FipsClusterException ex)
            {
                WriteFailure(ex);
            }
        }
        if (reference.Count == 0 && _difference.Count == 0)
        {
            throw new FipsClusterException(ErrorIds.ComplianceReportRequired, FipsErrorCategory.InvalidArgument,
                "Neither -ReferenceReport nor -DifferenceReport holds a compliance report to compare.");
        }
        WriteObject(ComplianceDrift.Compare(reference, _difference, StopToken), enumerateCollection: true);
    }
}
