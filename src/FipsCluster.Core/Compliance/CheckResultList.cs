namespace FipsCluster.Core.Compliance;

/// <summary>
/// The results of one target's checks as they are judged, each made by <see cref="CheckResults.Create"/> for the same
/// subject (a cluster test adds its checks from several places: the API reads, the flag checks, the probes).
/// </summary>
internal sealed class CheckResultList(CheckSubject subject)
{
    private readonly List<CheckResult> _results = new();

    public IReadOnlyList<CheckResult> Results => _results;

    public void Add(CheckInfo check, CheckStatus status, string expected, string actual, string remediation, params CheckEvidence[] evidence) =>
        _results.Add(CheckResults.Create(check, new CheckOutcome(status, expected, actual, evidence, remediation), subject));

    /// <summary>The result of <paramref name="check"/> added so far; null when it has none.</summary>
    public CheckResult? Find(CheckInfo check) => _results.Find(c => c.CheckId == check.Id);

    /// <summary>Judges <paramref name="check"/> again, in its place, when later evidence decides it better.</summary>
    public void Replace(CheckInfo check, CheckOutcome outcome)
    {
        var index = _results.FindIndex(c => c.CheckId == check.Id);
        if (index < 0)
        {
            throw new InvalidOperationException($"{check.Id} has no result to replace.");
        }
        _results[index] = CheckResults.Create(check, outcome, subject);
    }
}
