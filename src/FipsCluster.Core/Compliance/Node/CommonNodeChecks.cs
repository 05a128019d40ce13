namespace FipsCluster.Core.Compliance.Node;

/// <summary>Checks about the judgement itself rather than the node, on every platform.</summary>
public static class CommonNodeChecks
{
    /// <summary>The day all FIPS 140-2 certificates moved to the CMVP Historical list.</summary>
    public static readonly DateOnly Fips1402Sunset = new(2026, 9, 21);

    public static IReadOnlyList<CheckDefinition<NodeCheckInput>> All { get; } = new CheckDefinition<NodeCheckInput>[]
    {
        new("PROFILE-140-2-SUNSET", "FIPS 140-2 evidence after the CMVP sunset", CheckScope.Provenance, "CMVP: FIPS 140-2 certificates Historical from 2026-09-21", Sunset)
        {
            Judges = $"Informational, about the judgement itself: FIPS 140-2 certificates are on the CMVP Historical list from {Fips1402Sunset:yyyy-MM-dd} and no longer support new deployments.",
            Reads = "the profile's standard and today's date",
        },
    };

    private static CheckOutcome Sunset(NodeCheckInput input) =>
        new(CheckStatus.Informational, "FIPS 140-3 validated modules for new deployments",
            DateOnly.FromDateTime(DateTime.UtcNow) >= Fips1402Sunset
                ? $"judged against {input.Profile.Standard}: since {Fips1402Sunset:yyyy-MM-dd} FIPS 140-2 certificates are on the CMVP Historical list and no longer support new deployments"
                : $"judged against {input.Profile.Standard}: FIPS 140-2 certificates move to the CMVP Historical list on {Fips1402Sunset:yyyy-MM-dd}",
            Array.Empty<CheckEvidence>());
}
