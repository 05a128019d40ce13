using System.Management.Automation;

namespace FipsCluster.Infrastructure;

/// <summary>
/// The Test-* cmdlets' shared contract: a report per item, or with -Quiet one [bool] at the end that is true only
/// when at least one item was judged and every one passed (an item that could not be judged counts as not passing).
/// </summary>
public abstract class FipsVerdictCmdlet : FipsCmdlet
{
    private bool _allPass = true;
    private int _judged;

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Writes a report (unless -Quiet) and counts its verdict.</summary>
    protected void WriteVerdict(object report, bool pass)
    {
        _judged++;
        _allPass &= pass;
        if (!Quiet)
        {
            WriteObject(report);
        }
    }

    /// <summary>An item that could not be judged: reported as an error, and -Quiet says false.</summary>
    protected void WriteItemFailure(FipsClusterException exception)
    {
        _allPass = false;
        WriteFailure(exception);
    }

    protected override void EndProcessing()
    {
        if (Quiet)
        {
            WriteObject(_allPass && _judged > 0);
        }
    }
}
