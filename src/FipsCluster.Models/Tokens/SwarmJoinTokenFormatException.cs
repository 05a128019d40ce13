namespace FipsCluster;

/// <summary>Which part of a join token is malformed.</summary>
public enum SwarmJoinTokenPart
{
    Empty,
    Prefix,
    Version,
    PartCount,
    FipsFlag,
    RootCaDigest,
    Secret,
}

/// <summary>
/// A join token does not follow swarmkit's format. The message names the part that is wrong and never
/// repeats the token's secret.
/// </summary>
public sealed class SwarmJoinTokenFormatException : FipsClusterException
{
    public SwarmJoinTokenFormatException(SwarmJoinTokenPart part, string message)
        : base(ErrorIds.InvalidSwarmJoinToken, FipsErrorCategory.InvalidArgument, message, target: part)
    {
        Part = part;
    }

    public SwarmJoinTokenPart Part { get; }
}
