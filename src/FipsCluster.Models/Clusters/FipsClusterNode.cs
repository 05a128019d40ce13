namespace FipsCluster;

/// <summary>A cluster member as the engine sees it now, merged with the evidence the module recorded for it.</summary>
public sealed class FipsClusterNode
{
    public string Cluster { get; init; } = "";

    public string NodeId { get; init; } = "";

    public string Hostname { get; init; } = "";

    /// <summary>Manager or Worker.</summary>
    public string Role { get; init; } = "";

    /// <summary>ready, down, unknown, disconnected.</summary>
    public string State { get; init; } = "";

    public string Availability { get; init; } = "";

    public string? Address { get; init; }

    public bool IsLeader { get; init; }

    /// <summary>The node certificate's Subject as swarmkit issues it: CN=node ID, OU=swarm-manager|swarm-worker, O=cluster ID.</summary>
    public string CertificateSubject { get; init; } = "";

    /// <summary>Whether the cluster ID in the certificate carries swarmkit's FIPS. marker.</summary>
    public bool CertificateFipsMarker { get; init; }

    /// <summary>Whether the module admitted this node and holds evidence for it.</summary>
    public bool Recorded { get; init; }

    public bool? Compliant { get; init; }

    public bool? FipsModeEnabled { get; init; }

    public IReadOnlyList<string> FailedChecks { get; init; } = Array.Empty<string>();

    public DateTimeOffset? CheckedAt { get; init; }

    /// <summary>Kubernetes on AWS: Initialized, Joined or Failed as recorded at creation; null when no join was attempted.</summary>
    public string? JoinState { get; init; }

    public override string ToString() => $"{Hostname} ({Role}, {State})";
}
