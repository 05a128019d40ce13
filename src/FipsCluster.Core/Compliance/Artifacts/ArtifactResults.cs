namespace FipsCluster.Core.Compliance.Artifacts;

/// <summary>The artifact checks' standards (certificates, keys, binaries, TLS), and how their results fold into one verdict; the results themselves are made by <see cref="CheckResults"/>.</summary>
public static class ArtifactResults
{
    public const string Fips1403 = "FIPS 140-3";
    public const string Fips1402 = "FIPS 140-2";

    /// <summary>"FIPS 140-2" when the text names 140-2, otherwise "FIPS 140-3" (the default profile's standard).</summary>
    public static string NormalizeStandard(string? standard) =>
        standard is not null && standard.Contains("140-2", StringComparison.Ordinal) ? Fips1402 : Fips1403;

    public static bool Is1402(string standard) => standard == Fips1402;

    /// <summary>The worst status of the required checks: Fail &gt; Error &gt; Unknown &gt; Warning &gt; Pass; NotApplicable and Informational are neutral.</summary>
    public static CheckStatus Worst(IEnumerable<CheckResult> checks) => Worst(checks.Where(c => c.Required).Select(c => c.Status));

    /// <summary>The worst of <paramref name="statuses"/>, ranked as <see cref="Worst(IEnumerable{CheckResult})"/> ranks required checks.</summary>
    public static CheckStatus Worst(IEnumerable<CheckStatus> statuses)
    {
        var worst = CheckStatus.Pass;
        foreach (var status in statuses)
        {
            if (Rank(status) > Rank(worst))
            {
                worst = status;
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
