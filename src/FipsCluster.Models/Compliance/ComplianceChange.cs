namespace FipsCluster;

/// <summary>How a verdict moved between two runs; the order is the order of urgency.</summary>
public enum ComplianceChangeKind
{
    /// <summary>Satisfied (or not judged) before, failing now: Fail, Error or Unknown, or a target now NonCompliant or Error.</summary>
    NewlyFailing,

    /// <summary>Another status on the same side of the line: Fail to Error, Pass to Warning, …</summary>
    Changed,

    /// <summary>Failing before, satisfied now.</summary>
    Resolved,

    /// <summary>Judged only in the newer run, and satisfied.</summary>
    Added,

    /// <summary>Judged only in the older run.</summary>
    Removed,
}

/// <summary>
/// One target or check whose status differs between two runs (Compare-FipsComplianceReport). A change of a target's own
/// verdict is listed (with an empty CheckId) only when no check of it explains the change: unreachable now, added or removed.
/// </summary>
public sealed class ComplianceChange
{
    public ComplianceChangeKind Kind { get; init; }

    /// <summary>The node, cluster, file or endpoint, as its report names it.</summary>
    public string Target { get; init; } = "";

    public ComplianceTargetKind TargetKind { get; init; }

    /// <summary>The cluster a node was judged in, or empty.</summary>
    public string Cluster { get; init; } = "";

    /// <summary>The check that changed; empty when the change is the target's own verdict.</summary>
    public string CheckId { get; init; } = "";

    public string Title { get; init; } = "";

    /// <summary>The status in the reference (older) run: a CheckStatus or, for a target, a ComplianceStatus; empty when absent.</summary>
    public string ReferenceStatus { get; init; } = "";

    /// <summary>The status in the difference (newer) run; empty when absent.</summary>
    public string DifferenceStatus { get; init; } = "";

    public CheckSeverity Severity { get; init; }

    public bool Required { get; init; }

    /// <summary>What the newer run showed (the older one's, for a removed check).</summary>
    public string Actual { get; init; } = "";

    public string Remediation { get; init; } = "";

    public DateTimeOffset? ReferenceTimestamp { get; init; }

    public DateTimeOffset? DifferenceTimestamp { get; init; }

    public override string ToString() =>
        $"{Target}{(CheckId.Length > 0 ? " " + CheckId : "")}: {(ReferenceStatus.Length > 0 ? ReferenceStatus : "-")} -> {(DifferenceStatus.Length > 0 ? DifferenceStatus : "-")} ({Kind})";
}
