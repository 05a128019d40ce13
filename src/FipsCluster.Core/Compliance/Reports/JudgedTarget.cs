namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// One judged target as every export sees it, whichever report it came from: its name, kind, profile, verdict, when and by
/// whom, and its checks. Text in it has been through <see cref="ReportText.Clean"/>.
/// </summary>
public sealed record JudgedTarget
{
    public required string Name { get; init; }

    public required ComplianceTargetKind Kind { get; init; }

    /// <summary>The cluster a node was judged in, or empty.</summary>
    public string Cluster { get; init; } = "";

    /// <summary>The profile's name; empty for artifact reports, which no profile selects.</summary>
    public string Profile { get; init; } = "";

    public string ProfileHash { get; init; } = "";

    public string Standard { get; init; } = "";

    public ComplianceStatus Status { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public string JudgedBy { get; init; } = "";

    public TimeSpan Duration { get; init; }

    public IReadOnlyList<CheckResult> Checks { get; init; } = Array.Empty<CheckResult>();

    /// <summary>Why the target could not be examined (or which facts could not be read).</summary>
    public IReadOnlyList<string> Errors { get; init; } = Array.Empty<string>();

    public string ErrorId { get; init; } = "";

    /// <summary>Identity across runs: kind, cluster and name.</summary>
    public string Key => $"{Kind}|{Cluster}|{Name}";

    /// <summary>The name shown: a cluster's nodes carry their cluster.</summary>
    public string DisplayName => Cluster.Length > 0 && Kind is ComplianceTargetKind.Node ? $"{Cluster}/{Name}" : Name;

    /// <summary>The label the summary groups by: the profile, or the kind of artifact checks.</summary>
    public string ProfileLabel => Profile.Length > 0 ? Profile : Kind switch
    {
        ComplianceTargetKind.GoBinary => "Go binary checks",
        ComplianceTargetKind.Certificate => "Certificate checks",
        ComplianceTargetKind.PrivateKey => "Private key checks",
        ComplianceTargetKind.TlsEndpoint => "TLS endpoint checks",
        _ => "(no profile)",
    };

    /// <summary>How bad it is, worst first: Error, NonCompliant, Compliant.</summary>
    public int Rank => Status switch { ComplianceStatus.Error => 0, ComplianceStatus.NonCompliant => 1, _ => 2 };

    public int FailingChecks => Checks.Count(c => ReportText.IsFailing(c.Status));
}
