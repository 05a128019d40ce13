namespace FipsCluster.Core.Clusters;

/// <summary>What Set-FipsCluster asks: new settings, and the fixed properties it may only repeat.</summary>
public sealed record SetClusterOptions
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>Replaces the tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Added to the tags, atomically under the store's lock (concurrent callers never lose each other's tags).</summary>
    public IReadOnlyList<string>? AddTags { get; init; }

    /// <summary>Accepted only when it is the cluster's own: FIPS mode is fixed at creation.</summary>
    public bool? Fips { get; init; }

    /// <summary>Accepted only when it names the cluster's own profile: the profile is fixed at creation.</summary>
    public string? ComplianceProfile { get; init; }
}

/// <summary>Set-FipsCluster, the same for every provider: description and tags change, FIPS mode and profile never do.</summary>
public sealed class ClusterSettings
{
    private readonly IClusterStore _store;

    public ClusterSettings(IClusterStore store) => _store = store;

    /// <summary>The record as written (or unchanged when <paramref name="shouldProcess"/> declined).</summary>
    public FipsClusterRecord Set(SetClusterOptions options, Func<string, string, bool> shouldProcess)
    {
        var current = _store.Get(options.Name);
        if (options.Fips is { } wantedFips && wantedFips != current.Fips
            || options.ComplianceProfile is not null && !string.Equals(options.ComplianceProfile, current.ComplianceProfile, StringComparison.OrdinalIgnoreCase))
        {
            throw new FipsClusterException(ErrorIds.FipsModeImmutable, FipsErrorCategory.InvalidOperation,
                $"Cluster '{current.Name}' was created {(current.Fips ? "FIPS" : "non-FIPS")} with profile {current.ComplianceProfile}; FIPS mode and profile are fixed at creation and cannot be changed.", options.Name)
            {
                RecommendedAction = "Create a new cluster with the wanted FIPS mode and profile, and move the workloads.",
            };
        }
        if (!shouldProcess(current.Name, "Update description/tags"))
        {
            return current;
        }
        return _store.Update(options.Name, r =>
        {
            var tags = options.Tags ?? r.Tags;
            return ClusterRecords.WithSettings(r, options.Description ?? r.Description,
                tags.Concat((options.AddTags ?? Array.Empty<string>()).Where(t => !tags.Contains(t))).ToArray());
        });
    }
}
