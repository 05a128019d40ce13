namespace FipsCluster;

/// <summary>
/// The verdict of Test-SwarmJoinToken: one flag per check, the evidence behind it and, when invalid, why.
/// Checks that were not asked for are null, never a silent pass.
/// </summary>
public sealed class SwarmJoinTokenTestResult
{
    /// <summary>True only when the token is well formed and every check that was asked for passed.</summary>
    public bool Valid { get; init; }

    /// <summary>The tested token with its secret masked.</summary>
    public string Token { get; init; } = "";

    public int? Version { get; init; }

    public bool? Fips { get; init; }

    public SwarmNodeRole Role { get; init; }

    /// <summary>The digest the token carries.</summary>
    public string? RootCaDigest { get; init; }

    /// <summary>The SHA-256 digest of the root CA PEM the token was checked against.</summary>
    public string? ExpectedRootCaDigest { get; init; }

    /// <summary>Whether the token's digest matches the root CA; null when no root CA was given.</summary>
    public bool? DigestMatches { get; init; }

    /// <summary>
    /// True when the digest matched only after the PEM was re-encoded the way the engine encodes it
    /// (64-column base64, LF line ends, trailing newline) — e.g. a CA file saved with CRLF line ends.
    /// </summary>
    public bool DigestMatchedNormalizedPem { get; init; }

    /// <summary>Whether FIPS mode was required (<c>-RequireFips</c>).</summary>
    public bool FipsRequired { get; init; }

    /// <summary>Whether the token satisfies the FIPS expectation; null when none was set.</summary>
    public bool? FipsSatisfied { get; init; }

    /// <summary>Whether the secret equals the reference token's (compared in constant time); null when not compared.</summary>
    public bool? SecretMatches { get; init; }

    /// <summary>Where the reference secret came from (an engine endpoint or "ReferenceToken"), when compared.</summary>
    public string? ComparedWith { get; init; }

    /// <summary>Why the token is not valid; empty when it is.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = Array.Empty<string>();

    public override string ToString() => Valid ? $"Valid {Token}" : $"Invalid {Token}: {string.Join("; ", Reasons)}";
}
