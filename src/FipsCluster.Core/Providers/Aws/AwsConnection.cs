using System.Security;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// How to reach EC2, in types the cmdlet layer may name (no AWS SDK type crosses into the module's default load
/// context): explicit keys (with a session token for temporary ones), a named profile, or the default credential chain;
/// -EndpointUrl for other endpoints; FIPS endpoints on request.
/// </summary>
public sealed record AwsConnection
{
    /// <summary>Empty: the cluster's (record or spec), else AWS_REGION (<see cref="WithRegion"/>).</summary>
    public string Region { get; init; } = "";

    public string? AccessKeyId { get; init; }

    public SecureString? SecretAccessKey { get; init; }

    /// <summary>The session token of temporary credentials (STS), with <see cref="AccessKeyId"/> and <see cref="SecretAccessKey"/>.</summary>
    public SecureString? SessionToken { get; init; }

    public string? ProfileName { get; init; }

    public string? EndpointUrl { get; init; }

    /// <summary>Use the region's FIPS endpoint (the SDK's UseFIPSEndpoint); ignored with <see cref="EndpointUrl"/>.</summary>
    public bool UseFipsEndpoint { get; init; }

    /// <summary>The secrets this connection carries, for masking what EC2 or the SDK quotes back.</summary>
    public IReadOnlyList<SecureString> Secrets => new[] { SecretAccessKey, SessionToken }.OfType<SecureString>().ToList();

    /// <summary>
    /// The region EC2 is asked in: the cluster's own (<paramref name="clusterRegion"/>, from its record or spec) when it has
    /// one; else the one given; else AWS_REGION, as the AWS CLI and AWS.Tools do. A region given that is not the cluster's
    /// is refused: the cluster's resources live in its own.
    /// </summary>
    public AwsConnection WithRegion(string? clusterRegion, string clusterName)
    {
        if (clusterRegion is { Length: > 0 } recorded)
        {
            if (Region.Length > 0 && !string.Equals(Region, recorded, StringComparison.OrdinalIgnoreCase))
            {
                throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument,
                    $"'{clusterName}' is in {recorded}, and -Region says {Region}: a cluster's resources live in its own region.", "Region");
            }
            return this with { Region = recorded };
        }
        return Region.Length > 0 ? this : this with { Region = Environment.GetEnvironmentVariable("AWS_REGION") ?? "" };
    }

    /// <summary>
    /// For a FIPS cluster, the region's FIPS endpoint where EC2 has one (<see cref="AwsFipsEndpoints"/>), as if
    /// -UseFipsEndpoint had been given; a non-FIPS cluster, or an -EndpointUrl, keeps what was asked.
    /// </summary>
    public AwsConnection ForCluster(bool fips) =>
        fips && !UseFipsEndpoint && EndpointUrl is not { Length: > 0 } && AwsFipsEndpoints.Available(Region) ? this with { UseFipsEndpoint = true } : this;

    /// <summary>Names where EC2 is reached; never a secret.</summary>
    public override string ToString() => EndpointUrl is { Length: > 0 } url ? url : $"ec2{(UseFipsEndpoint ? "-fips" : "")}.{Region}";
}

/// <summary>
/// Where EC2 has FIPS endpoints. The SDK's endpoint rules build a FIPS host name for any region of a partition that
/// supports FIPS (ec2-fips.eu-west-1.amazonaws.com, which does not exist), so the regions are listed here as the EC2
/// endpoint reference lists them: the US and Canada commercial regions (ec2-fips.REGION.amazonaws.com) and GovCloud
/// (whose standard EC2 endpoints are FIPS endpoints).
/// </summary>
public static class AwsFipsEndpoints
{
    private static readonly HashSet<string> Regions = new(StringComparer.OrdinalIgnoreCase)
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "us-gov-east-1", "us-gov-west-1",
    };

    public static bool Available(string region) => Regions.Contains(region);
}
