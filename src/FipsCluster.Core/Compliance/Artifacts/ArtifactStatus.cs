namespace FipsCluster.Core.Compliance.Artifacts;

/// <summary>How an artifact's checks combine into one status: the worst required result; neutral ones never decide.</summary>
public static class ArtifactStatus
{
    private static int Rank(CheckStatus status) => status switch
    {
        CheckStatus.Fail => 5,
        CheckStatus.Error => 4,
        CheckStatus.Unknown => 3,
        CheckStatus.Warning => 2,
        CheckStatus.Pass => 1,
        _ => 0,
    };

    public static CheckStatus Worst(IEnumerable<CheckResult> checks)
    {
        var required = checks.Where(c => c.Required).Select(c => c.Status).ToList();
        if (required.Count == 0)
        {
            return CheckStatus.NotApplicable;
        }
        var worst = required.MaxBy(Rank);
        return Rank(worst) == 0 ? CheckStatus.NotApplicable : worst;
    }
}
