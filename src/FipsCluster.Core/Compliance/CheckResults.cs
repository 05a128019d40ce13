namespace FipsCluster.Core.Compliance;

/// <summary>
/// What a check judged and against what: the target it examined, the standard of the verdict, and the profile whose
/// selection of the check (when it names it) decides the check's severity and whether it is required.
/// </summary>
public sealed record CheckSubject(string Target, string Standard, ComplianceProfile? Profile = null)
{
    /// <summary>Whether the check decides the verdict when the profile does not name it: true but for checks that only sometimes apply (a certificate's swarm marker when the cluster's mode is unknown).</summary>
    public bool RequiredByDefault { get; init; } = true;
}

/// <summary>
/// The one place a <see cref="CheckResult"/> is made (node, artifact, TLS endpoint, Swarm and Kubernetes checks alike),
/// so Remediation, Severity and Required mean the same in every report:
/// <list type="bullet">
/// <item>identity, title, scope and reference come from the check's catalogue entry;</item>
/// <item>Severity is the profile's when the profile selects the check, else the catalogue's, else Medium (a profile's default);</item>
/// <item>Required is the profile's choice when it selects the check, else <see cref="CheckSubject.RequiredByDefault"/>, and never for an Informational result, which cannot decide;</item>
/// <item>Remediation is kept only when something is to be done: empty for Pass, NotApplicable and Informational.</item>
/// </list>
/// </summary>
public static class CheckResults
{
    /// <summary>
    /// The result of <paramref name="check"/>; <paramref name="selection"/> is the profile's entry when the caller already
    /// holds it (the node evaluator walks the profile), otherwise it is looked up in <see cref="CheckSubject.Profile"/>.
    /// </summary>
    public static CheckResult Create(CheckInfo check, CheckOutcome outcome, CheckSubject subject, ProfileCheck? selection = null)
    {
        selection ??= subject.Profile is { } profile ? Selection(profile, check.Id) : null;
        return new CheckResult
        {
            CheckId = check.Id,
            Title = check.Title,
            Status = outcome.Status,
            Severity = selection?.Severity ?? check.Severity ?? CheckSeverity.Medium,
            Required = (selection?.Required ?? subject.RequiredByDefault) && outcome.Status is not CheckStatus.Informational,
            Scope = check.Scope,
            Expected = outcome.Expected,
            Actual = outcome.Actual,
            Evidence = outcome.Evidence,
            Remediation = NeedsRemediation(outcome.Status) ? outcome.Remediation : "",
            Standard = subject.Standard,
            Reference = check.Reference,
            Target = subject.Target,
        };
    }

    /// <summary>An outcome with its evidence listed last; the remediation is dropped by <see cref="Create"/> where nothing is to be done.</summary>
    public static CheckOutcome Outcome(CheckStatus status, string expected, string actual, string remediation, params CheckEvidence[] evidence) =>
        new(status, expected, actual, evidence, remediation);

    /// <summary>Whether a result with this status tells the reader what to fix.</summary>
    public static bool NeedsRemediation(CheckStatus status) => status is not (CheckStatus.Pass or CheckStatus.NotApplicable or CheckStatus.Informational);

    private static ProfileCheck? Selection(ComplianceProfile profile, string checkId)
    {
        foreach (var selected in profile.Checks)
        {
            if (string.Equals(selected.CheckId, checkId, StringComparison.OrdinalIgnoreCase))
            {
                return selected;
            }
        }
        return null;
    }
}
