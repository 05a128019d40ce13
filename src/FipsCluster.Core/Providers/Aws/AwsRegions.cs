using Amazon;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>The regions the AWS SDK knows, for -Region completion (the module's load context never names SDK types).</summary>
public static class AwsRegions
{
    public static IReadOnlyList<(string Name, string DisplayName)> All() =>
        RegionEndpoint.EnumerableAllRegions.Select(r => (r.SystemName, r.DisplayName)).OrderBy(r => r.SystemName, StringComparer.Ordinal).ToList();
}
