namespace FipsCluster.Core.Compliance.Node;

/// <summary>Which facts a profile's checks need.</summary>
public static class NodeCheckCatalog
{
    /// <summary>Checks that judge the node's binaries, certificates and keys (they need the artifact facts).</summary>
    public static readonly string[] ArtifactCheckIds = NodeArtifactChecks.All.Select(c => c.Id).ToArray();

    /// <summary>The facts each artifact check reads; OS checks read the OS facts only.</summary>
    internal static readonly IReadOnlyDictionary<string, FactScope> ArtifactScopes = new Dictionary<string, FactScope>(StringComparer.Ordinal)
    {
        ["NODE-GO-01"] = FactScope.Binaries,
        ["NODE-CRT-01"] = FactScope.Pki,
        ["NODE-KEY-01"] = FactScope.Pki,
        ["NODE-KENC-01"] = FactScope.KubeEncryption,
    };

    public static FactScope ScopeOf(ComplianceProfile profile) =>
        profile.Checks.Aggregate(FactScope.Os, (scope, check) => scope | ArtifactScopes.GetValueOrDefault(check.CheckId, FactScope.Os));
}
