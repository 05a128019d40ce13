namespace FipsCluster;

/// <summary>
/// The FIPS compliance of one node: the verdict, the mode signal, and every check with its evidence.
/// A node that could not be examined still gets a report, with Status Error and the reason.
/// </summary>
public sealed class NodeComplianceReport
{
    public string ComputerName { get; init; } = "";

    public NodeTransport Transport { get; init; }

    /// <summary>The name of the compliance profile the node was judged against.</summary>
    public string Profile { get; init; } = "";

    /// <summary>The SHA-256 of the profile's definition ("sha256:…"), so two reports judged by different definitions of one name can be told apart.</summary>
    public string ProfileHash { get; init; } = "";

    public ComplianceStatus Status { get; init; }

    /// <summary>True only when every required check passed or does not apply; Error and Unknown never count as passing.</summary>
    public bool Compliant { get; init; }

    /// <summary>The kernel's (or Windows policy's) FIPS mode flag; null when it could not be read (offline image, unreachable).</summary>
    public bool? FipsModeEnabled { get; init; }

    public NodeOs? Os { get; init; }

    public IReadOnlyList<CheckResult> Checks { get; init; } = Array.Empty<CheckResult>();

    public TimeSpan Duration { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Who judged it: the account and machine that ran the check (user@host).</summary>
    public string JudgedBy { get; init; } = "";

    /// <summary>Why the node could not be examined, or which facts could not be read.</summary>
    public IReadOnlyList<string> Errors { get; init; } = Array.Empty<string>();

    /// <summary>The stable error id when Status is Error (e.g. SshHostKeyMismatch).</summary>
    public string? ErrorId { get; init; }

    public int PassedCount => Checks.Count(c => c.Status is CheckStatus.Pass);

    public int FailedCount => Checks.Count(c => c.Status is CheckStatus.Fail);

    public int ErrorCount => Checks.Count(c => c.Status is CheckStatus.Error or CheckStatus.Unknown) + (Status is ComplianceStatus.Error ? 1 : 0);

    public int WarningCount => Checks.Count(c => c.Status is CheckStatus.Warning);

    /// <summary>The required checks that keep the node from being compliant.</summary>
    public IEnumerable<CheckResult> Findings => Checks.Where(c => c.Required && !c.IsSatisfied);

    public override string ToString() => $"{ComputerName}: {Status}";
}
