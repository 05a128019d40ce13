namespace FipsCluster.Core.Compliance;

/// <summary>What a check function returns; the evaluator adds identity, severity and the profile's decision.</summary>
public sealed record CheckOutcome(CheckStatus Status, string Expected, string Actual, IReadOnlyList<CheckEvidence> Evidence, string Remediation = "")
{
    public static CheckOutcome NotApplicable(string why, params CheckEvidence[] evidence) => new(CheckStatus.NotApplicable, "", why, evidence);
}

/// <summary>
/// A check as the catalogue describes it: its identity, what it judges, the evidence it reads and its upstream
/// reference. Every check the module can report has exactly one of these; the code that judges the check takes its
/// id, title, scope and reference from it, and about_FipsCluster_Checks is generated from all of them.
/// </summary>
public record CheckInfo(string Id, string Title, CheckScope Scope, string Reference)
{
    /// <summary>What the check judges: its pass condition and when it does not apply.</summary>
    public string Judges { get; init; } = "";

    /// <summary>The evidence it reads (files, commands, API calls).</summary>
    public string Reads { get; init; } = "";

    /// <summary>The severity of a check no profile selects (cluster and artifact checks); null when the profile decides.</summary>
    public CheckSeverity? Severity { get; init; }
}

/// <summary>A node check in the catalogue: its description and the pure function that judges the evidence.</summary>
public sealed record CheckDefinition<TInput>(
    string Id,
    string Title,
    CheckScope Scope,
    string Reference,
    Func<TInput, CheckOutcome> Evaluate) : CheckInfo(Id, Title, Scope, Reference);
