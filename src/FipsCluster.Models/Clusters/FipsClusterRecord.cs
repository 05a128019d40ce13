namespace FipsCluster;

/// <summary>
/// A cluster the module manages: its identity, its FIPS mode (fixed at creation), the profile it is judged
/// against, and the evidence behind its nodes. Stored with a MAC; an edited FIPS flag or profile is detected.
/// </summary>
public sealed class FipsClusterRecord
{
    public string Name { get; init; } = "";

    /// <summary>Swarm or AWS (stored as that text).</summary>
    public FipsClusterProvider Provider { get; init; }

    /// <summary>Whether the cluster requires FIPS mode. Fixed at creation.</summary>
    public bool Fips { get; init; }

    /// <summary>The compliance profile's name. Fixed at creation.</summary>
    public string ComplianceProfile { get; init; } = "";

    /// <summary>SHA-256 of the profile's canonical content (a tailored profile is recorded exactly).</summary>
    public string ComplianceProfileHash { get; init; } = "";

    /// <summary>The profile itself (checks, severities, settings), so a tailored profile judges every later node exactly as at creation.</summary>
    public ComplianceProfile? ProfileDefinition { get; init; }

    /// <summary>For AWS clusters: the spec they were provisioned from.</summary>
    public AwsClusterSpec? AwsSpec { get; init; }

    /// <summary>Cloud resources the module created (security group and instance IDs), for deprovisioning.</summary>
    public IReadOnlyList<string> Resources { get; init; } = Array.Empty<string>();

    /// <summary>Manager engines or API endpoints.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = Array.Empty<string>();

    /// <summary>The engine's own cluster ID (swarm ID), when known.</summary>
    public string? EngineClusterId { get; init; }

    /// <summary>sha256:&lt;hex&gt; of the root CA PEM, when known.</summary>
    public string? RootCaDigest { get; init; }

    public string Description { get; init; } = "";

    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

    /// <summary>What the creation preflight found (per node: compliant or the failing checks).</summary>
    public IReadOnlyList<string> CreationEvidence { get; init; } = Array.Empty<string>();

    public IReadOnlyList<FipsClusterNode> Nodes { get; init; } = Array.Empty<FipsClusterNode>();

    /// <summary>Checks bypassed with -Force, recorded forever.</summary>
    public IReadOnlyList<ClusterWaiver> Waivers { get; init; } = Array.Empty<ClusterWaiver>();

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Incremented on every write: the store's optimistic concurrency token.</summary>
    public long Version { get; init; }

    /// <summary>This record with other members (and, when given, other cloud resources); the store stamps the version.</summary>
    public FipsClusterRecord WithNodes(IReadOnlyList<FipsClusterNode> nodes, IReadOnlyList<string>? resources = null) => new()
    {
        Name = Name, Provider = Provider, Fips = Fips, ComplianceProfile = ComplianceProfile, ComplianceProfileHash = ComplianceProfileHash,
        ProfileDefinition = ProfileDefinition, AwsSpec = AwsSpec, Resources = resources ?? Resources, Endpoints = Endpoints, EngineClusterId = EngineClusterId,
        RootCaDigest = RootCaDigest, Description = Description, Tags = Tags, CreationEvidence = CreationEvidence, Waivers = Waivers, Nodes = nodes,
        CreatedAt = CreatedAt, UpdatedAt = UpdatedAt, Version = Version,
    };

    public override string ToString() => $"{Name} ({Provider}, {(Fips ? "FIPS" : "non-FIPS")})";
}

/// <summary>A recorded exception: which checks were bypassed, by whom, when and why.</summary>
public sealed class ClusterWaiver
{
    public IReadOnlyList<string> Checks { get; init; } = Array.Empty<string>();

    public string Reason { get; init; } = "";

    public string GrantedBy { get; init; } = "";

    public DateTimeOffset GrantedAt { get; init; }

    public override string ToString() => $"{string.Join(", ", Checks)} waived by {GrantedBy} at {GrantedAt:u}";
}
