namespace FipsCluster;

/// <summary>The FIPS compliance of a whole cluster: cluster-level checks, and every node's own report.</summary>
public sealed class ClusterComplianceReport
{
    public string Name { get; init; } = "";

    /// <summary>The record's provider (Swarm, AWS), or Kubernetes for a cluster tested through a kubeconfig alone.</summary>
    public string Provider { get; init; } = "";

    /// <summary>The cluster's recorded FIPS mode.</summary>
    public bool Fips { get; init; }

    public string Profile { get; init; } = "";

    /// <summary>The SHA-256 of the profile's definition ("sha256:…").</summary>
    public string ProfileHash { get; init; } = "";

    /// <summary>True only when every required cluster check and every node is satisfied.</summary>
    public bool Compliant { get; init; }

    public ComplianceStatus Status { get; init; }

    public IReadOnlyList<CheckResult> Checks { get; init; } = Array.Empty<CheckResult>();

    public IReadOnlyList<NodeComplianceReport> Nodes { get; init; } = Array.Empty<NodeComplianceReport>();

    public TimeSpan Duration { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Who judged it: the account and machine that ran the check (user@host).</summary>
    public string JudgedBy { get; init; } = "";

    public IEnumerable<CheckResult> Findings => Checks.Where(c => c.Required && !c.IsSatisfied);

    public override string ToString() => $"{Name}: {Status}";
}
