namespace FipsCluster.Core.Compliance.Node;

/// <summary>Which facts a profile's checks need.</summary>
public static class NodeCheckCatalog
{
    /// <summary>Checks that judge the node's binaries, certificates and keys (they need the artifact facts).</summary>
    public static readonly string[] ArtifactCheckIds = NodeArtifactChecks.All.Select(c => c.Id).ToArray();

    public static FactScope ScopeOf(ComplianceProfile profile) =>
        profile.Checks.Any(c => ArtifactCheckIds.Contains(c.CheckId, StringComparer.Ordinal)) ? FactScope.All : FactScope.Os;
}
