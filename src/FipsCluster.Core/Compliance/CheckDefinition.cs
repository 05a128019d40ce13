namespace FipsCluster.Core.Compliance;

/// <summary>What a check function returns; the evaluator adds identity, severity and the profile's decision.</summary>
public sealed record CheckOutcome(CheckStatus Status, string Expected, string Actual, IReadOnlyList<CheckEvidence> Evidence, string Remediation = "")
{
    public static CheckOutcome NotApplicable(string why, params CheckEvidence[] evidence) => new(CheckStatus.NotApplicable, "", why, evidence);
}

/// <summary>A check in the catalogue: identity, what it is about, and the pure function that judges the evidence.</summary>
public sealed record CheckDefinition<TInput>(
    string Id,
    string Title,
    CheckScope Scope,
    string Reference,
    Func<TInput, CheckOutcome> Evaluate);
