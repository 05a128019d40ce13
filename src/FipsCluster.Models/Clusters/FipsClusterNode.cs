using System.Text.Json.Serialization;

namespace FipsCluster;

/// <summary>
/// A cluster member: what the module recorded when it admitted (or last checked) the node — its evidence, how its join
/// went — and, from Get-FipsClusterNode, how the engine or EC2 sees it now. The one node type: the cluster record keeps
/// it, Add-FipsClusterNode and Get-FipsClusterNode write it.
/// </summary>
/// <remarks>
/// Stored in the record with the property names the earlier ClusterNodeRecord had (its Name is stored as "name"), so
/// records written before read unchanged and keep their MAC. What only the live view knows is not stored.
/// </remarks>
public sealed class FipsClusterNode
{
    /// <summary>The cluster's name (stored from this version on; empty in nodes of older records read from the record itself).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string Cluster { get; init; } = "";

    /// <summary>The engine's node ID (Swarm) or the instance ID (AWS).</summary>
    public string? NodeId { get; init; }

    /// <summary>The node's name: the engine's hostname (Swarm); the instance ID in the record and its private DNS name as EC2 reports it now (AWS).</summary>
    [JsonPropertyName("name")]
    public string Hostname { get; init; } = "";

    /// <summary>Manager or Worker (Swarm); ControlPlane or Worker (AWS).</summary>
    public string Role { get; init; } = "";

    /// <summary>Where the module reached the node: its engine (Swarm) or its SSH address (AWS).</summary>
    public string? Endpoint { get; init; }

    /// <summary>Where the node's evidence was read: an SSH host (host or host:port), or "local".</summary>
    public string? EvidenceHost { get; init; }

    /// <summary>Swarm: the engine ID that the engine reported and the evidence host's own files confirmed at admission.</summary>
    public string? EngineId { get; init; }

    /// <summary>Whether the module admitted this node and holds evidence for it (false: a member the engine knows and the module never admitted).</summary>
    [JsonIgnore]
    public bool Recorded { get; init; } = true;

    /// <summary>Whether the node's evidence passed the cluster's profile; null when no evidence was taken.</summary>
    public bool? Compliant { get; init; }

    public bool? FipsModeEnabled { get; init; }

    /// <summary>The required checks that did not pass when the evidence was taken.</summary>
    public IReadOnlyList<string> FailedChecks { get; init; } = Array.Empty<string>();

    public DateTimeOffset? CheckedAt { get; init; }

    /// <summary>
    /// Kubernetes on AWS: Initialized (the first control plane ran kubeadm init), Joined, Failed, or null when no join
    /// was attempted (no SSH credentials, or -SkipJoin).
    /// </summary>
    public string? JoinState { get; init; }

    /// <summary>Why the join failed: "ErrorId: message" (never the join command, token or certificate key).</summary>
    public string? JoinError { get; init; }

    /// <summary>
    /// AWS: the known_hosts file the module wrote this instance's console-proven host keys to, and the lines it wrote —
    /// taken out again when the instance is removed (its address may serve another machine next).
    /// </summary>
    public string? KnownHostsFile { get; init; }

    public IReadOnlyList<string> KnownHostsLines { get; init; } = Array.Empty<string>();

    /// <summary>Live: ready, down, unknown, disconnected (Swarm); the instance state (AWS). Not stored.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string State { get; init; } = "";

    /// <summary>Live (Swarm): active, pause, drain. Not stored.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string Availability { get; init; } = "";

    /// <summary>Live: the address the engine or EC2 reports now. Not stored.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? Address { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsLeader { get; init; }

    /// <summary>Live (Swarm): the node certificate's Subject as swarmkit issues it: CN=node ID, OU=swarm-manager|swarm-worker, O=cluster ID.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string CertificateSubject { get; init; } = "";

    /// <summary>Live (Swarm): whether the cluster ID in the certificate carries swarmkit's FIPS. marker.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CertificateFipsMarker { get; init; }

    public override string ToString() => State.Length > 0 ? $"{Hostname} ({Role}, {State})" : $"{Hostname} ({Role})";
}
