namespace FipsCluster.Core.Remediation;

/// <summary>
/// What Enable-FipsMode would do to one target, decided from the target's own facts (the same facts and verdict
/// Test-FipsNode produces): the steps still missing (none when the target is already configured), what only the image's
/// tools can do at first boot, and whether the running kernel still needs a reboot. Making a plan changes nothing; DSC's
/// Get and Test can use it, Set applies it (<see cref="FipsModeService.ApplyAsync"/>).
/// </summary>
public sealed class FipsModePlan
{
    private readonly IReadOnlyList<PlannedStep> _steps;

    internal FipsModePlan(FipsModeTarget target, NodeOs os, string method, IReadOnlyList<PlannedStep> steps, IReadOnlyList<FipsModeStep> firstBoot,
        bool running, NodeComplianceReport verdict, NodeProbe? probe)
    {
        Target = target;
        Os = os;
        Method = method;
        _steps = steps;
        FirstBootSteps = firstBoot;
        Running = running;
        Verdict = verdict;
        Probe = probe;
    }

    public FipsModeTarget Target { get; }

    public NodeOs Os { get; }

    /// <summary>How FIPS mode is enabled on this target ("fips-mode-setup", "update-crypto-policies, grubby", "image files", …).</summary>
    public string Method { get; }

    /// <summary>The changes still to make, in order (State Planned); empty when the target is configured for FIPS mode.</summary>
    public IReadOnlyList<FipsModeStep> Steps => _steps.Select(s => s.Step).ToList();

    internal IReadOnlyList<PlannedStep> PlannedSteps => _steps;

    /// <summary>Offline images: what needs the image's own tools at first boot (or in its build).</summary>
    public IReadOnlyList<FipsModeStep> FirstBootSteps { get; }

    /// <summary>A running node (not an offline image): its kernel flag decides whether a reboot is needed.</summary>
    public bool Running { get; }

    /// <summary>True when nothing is left to change.</summary>
    public bool IsConfigured => _steps.Count == 0;

    /// <summary>A running node whose kernel does not run in FIPS mode yet (a reboot is needed once it is configured).</summary>
    public bool RebootPending => Running && Verdict.FipsModeEnabled != true;

    /// <summary>The Test-FipsNode report the plan was made from.</summary>
    public NodeComplianceReport Verdict { get; }

    internal NodeProbe? Probe { get; }
}

/// <summary>A step of a plan and how to carry it out (returns the backup's path, or null).</summary>
internal sealed record PlannedStep(FipsModeStep Step, Func<CancellationToken, Task<string?>> Apply, string? Verb = null);
