namespace FipsCluster.Core.Compliance.Artifacts;

/// <summary>Builds the <see cref="CheckResult"/>s of the artifact checks (certificates, keys, binaries, TLS) and folds them into one verdict: one place for all of them.</summary>
public static class ArtifactResults
{
    public const string Fips1403 = "FIPS 140-3";
    public const string Fips1402 = "FIPS 140-2";

    /// <summary>"FIPS 140-2" when the text names 140-2, otherwise "FIPS 140-3" (the default profile's standard).</summary>
    public static string NormalizeStandard(string? standard) =>
        standard is not null && standard.Contains("140-2", StringComparison.Ordinal) ? Fips1402 : Fips1403;

    public static bool Is1402(string standard) => standard == Fips1402;

    /// <summary>
    /// A check's result: identity, title, scope, reference and default severity from its catalogue entry; a profile that
    /// names the check overrides severity and whether it is required.
    /// </summary>
    public static CheckResult Result(CheckInfo check, CheckOutcome outcome, bool defaultRequired, string standard, ComplianceProfile? profile, string target)
    {
        var selected = profile?.Checks.FirstOrDefault(c => string.Equals(c.CheckId, check.Id, StringComparison.OrdinalIgnoreCase));
        return new CheckResult
        {
            CheckId = check.Id,
            Title = check.Title,
            Status = outcome.Status,
            Severity = selected?.Severity ?? check.Severity ?? CheckSeverity.Medium,
            Required = (selected?.Required ?? defaultRequired) && outcome.Status is not CheckStatus.Informational,
            Scope = check.Scope,
            Expected = outcome.Expected,
            Actual = outcome.Actual,
            Evidence = outcome.Evidence,
            Remediation = outcome.Remediation,
            Standard = standard,
            Reference = check.Reference,
            Target = target,
        };
    }

    public static CheckOutcome Outcome(CheckStatus status, string expected, string actual, string remediation, params CheckEvidence[] evidence) =>
        new(status, expected, actual, evidence, status is CheckStatus.Pass or CheckStatus.NotApplicable or CheckStatus.Informational ? "" : remediation);

    /// <summary>The worst status of the required checks: Fail &gt; Error &gt; Unknown &gt; Warning &gt; Pass; NotApplicable and Informational are neutral.</summary>
    public static CheckStatus Worst(IEnumerable<CheckResult> checks)
    {
        var worst = CheckStatus.Pass;
        foreach (var check in checks.Where(c => c.Required))
        {
            if (Rank(check.Status) > Rank(worst))
            {
                worst = check.Status;
            }
        }
        return worst;
    }

    private static int Rank(CheckStatus status) => status switch
    {
        CheckStatus.Fail => 4,
        CheckStatus.Error => 3,
        CheckStatus.Unknown => 2,
        CheckStatus.Warning => 1,
        CheckStatus.Pass => 0,
        _ => -1,
    };
}
