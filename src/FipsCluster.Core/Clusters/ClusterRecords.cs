using FipsCluster.Core.Compliance;

namespace FipsCluster.Core.Clusters;

/// <summary>What every provider does with a cluster record the same way: the name check, the profile it judges with, the settings users may change.</summary>
public static class ClusterRecords
{
    /// <summary>A valid name that no record in <paramref name="store"/> has yet; refused before anything is contacted.</summary>
    public static void RequireNewName(IClusterStore store, string name)
    {
        ClusterNames.Validate(name);
        if (store.Names().Contains(name.ToLowerInvariant(), StringComparer.Ordinal))
        {
            throw new FipsClusterException(ErrorIds.FipsClusterExists, FipsErrorCategory.InvalidOperation, $"A cluster named '{name}' already exists.", name);
        }
    }

    /// <summary>The profile a record's nodes are judged with: the one recorded at creation (a tailored profile exactly), else the built-in of its name.</summary>
    public static ComplianceProfile ProfileOf(FipsClusterRecord record) => record.ProfileDefinition ?? ComplianceProfiles.Get(record.ComplianceProfile);

    /// <summary>A copy of <paramref name="record"/> with the settings users may change (description, tags); everything else, FIPS mode first, is carried over.</summary>
    public static FipsClusterRecord WithSettings(FipsClusterRecord record, string description, IReadOnlyList<string> tags) => new()
    {
        Name = record.Name, Provider = record.Provider, Fips = record.Fips, ComplianceProfile = record.ComplianceProfile, ComplianceProfileHash = record.ComplianceProfileHash,
        ProfileDefinition = record.ProfileDefinition, AwsSpec = record.AwsSpec, Resources = record.Resources, Endpoints = record.Endpoints, EngineClusterId = record.EngineClusterId,
        RootCaDigest = record.RootCaDigest, CreationEvidence = record.CreationEvidence, Nodes = record.Nodes, Waivers = record.Waivers,
        CreatedAt = record.CreatedAt, UpdatedAt = record.UpdatedAt, Version = record.Version,
        Description = description,
        Tags = tags,
    };
}
