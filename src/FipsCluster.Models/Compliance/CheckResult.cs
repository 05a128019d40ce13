namespace FipsCluster;

/// <summary>
/// The result of one compliance check on one target, with the evidence it rests on. Property names are
/// stable so Pester suites can write <c>It '&lt;CheckId&gt;' -ForEach $report.Checks { $_.Status | Should -Be Pass }</c>.
/// </summary>
public sealed class CheckResult
{
    public string CheckId { get; init; } = "";

    public string Title { get; init; } = "";

    public CheckStatus Status { get; init; }

    public CheckSeverity Severity { get; init; }

    /// <summary>Whether the profile requires this check to pass for the target to be compliant.</summary>
    public bool Required { get; init; }

    public CheckScope Scope { get; init; }

    /// <summary>What a compliant target shows.</summary>
    public string Expected { get; init; } = "";

    /// <summary>What this target showed.</summary>
    public string Actual { get; init; } = "";

    public IReadOnlyList<CheckEvidence> Evidence { get; init; } = Array.Empty<CheckEvidence>();

    /// <summary>How to fix a failure; empty when nothing is to be done.</summary>
    public string Remediation { get; init; } = "";

    /// <summary>The standard the verdict is against, e.g. "FIPS 140-3".</summary>
    public string Standard { get; init; } = "";

    /// <summary>Where the rule comes from (ComplianceAsCode rule, dracut, NIST publication…).</summary>
    public string Reference { get; init; } = "";

    /// <summary>The node or file the check examined.</summary>
    public string Target { get; init; } = "";

    /// <summary>True when this result lets a compliant verdict stand: Pass, Warning or NotApplicable.</summary>
    public bool IsSatisfied => Status is CheckStatus.Pass or CheckStatus.Warning or CheckStatus.NotApplicable or CheckStatus.Informational;

    public override string ToString() => $"{CheckId} {Status}: {Actual}";
}
