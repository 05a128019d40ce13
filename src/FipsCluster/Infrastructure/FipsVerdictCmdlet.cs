using System.Management.Automation;

namespace FipsCluster.Infrastructure;

/// <summary>
/// The Test-* cmdlets' shared contract: a report per item, or with -Quiet one [bool] at the end that is true only
/// when at least one item was judged and every one passed (an item that could not be judged counts as not passing,
/// and so does a command that could not run at all). The tally itself lives in <see cref="FipsCmdlet"/>, so a Test-*
/// cmdlet with another base (Test-SwarmJoinToken) keeps the same contract.
/// </summary>
public abstract class FipsVerdictCmdlet : FipsCmdlet
{
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private protected override VerdictMode Verdicts => Quiet ? VerdictMode.Quiet : VerdictMode.Reports;
}
