using System.Security;

namespace FipsCluster;

/// <summary>
/// A parsed swarm join token. The token itself is held only as a <see cref="SecureString"/>; every string
/// this object shows (properties, ToString, format views) has the secret masked.
/// </summary>
public sealed class SwarmJoinToken
{
    /// <summary>What the format views and ToString show in place of the secret.</summary>
    public const string SecretMask = "*************************";

    public SwarmJoinToken(int version, bool fips, string rootCaDigest, string digestText, SecureString token, string secretFingerprint, SwarmNodeRole role)
    {
        Version = version;
        Fips = fips;
        RootCaDigest = rootCaDigest;
        Token = token;
        SecretFingerprint = secretFingerprint;
        Role = role;
        MaskedToken = Mask(version, fips, digestText);
    }

    /// <summary>A token's text with its secret replaced by <see cref="SecretMask"/>.</summary>
    public static string Mask(int version, bool fips, string digestText) => version == 1
        ? $"SWMTKN-1-{digestText}-{SecretMask}"
        : $"SWMTKN-2-{(fips ? 1 : 0)}-{digestText}-{SecretMask}";

    /// <summary>1 (<c>SWMTKN-1</c>) or 2 (<c>SWMTKN-2-&lt;fips&gt;</c>).</summary>
    public int Version { get; }

    /// <summary>True when the token says the cluster requires FIPS mode (<c>SWMTKN-2-1</c>).</summary>
    public bool Fips { get; }

    /// <summary>The SHA-256 digest of the cluster's root CA PEM bundle, as <c>sha256:&lt;64 hex&gt;</c>.</summary>
    public string RootCaDigest { get; }

    /// <summary>The secret, masked. The real value is only in <see cref="Token"/>.</summary>
    public string Secret => SecretMask;

    /// <summary>
    /// A short fingerprint of the secret (first 12 hex digits of its SHA-256) so two tokens can be told apart
    /// without showing either; it reveals nothing usable about a 128-bit secret.
    /// </summary>
    public string SecretFingerprint { get; }

    /// <summary>The role the token admits, when known (tokens from an engine); a bare token string does not say.</summary>
    public SwarmNodeRole Role { get; }

    /// <summary>The whole token as a SecureString. Use <c>-AsPlainText</c> on the cmdlets to get a string.</summary>
    public SecureString Token { get; }

    /// <summary>The token with its secret masked; safe to log.</summary>
    public string MaskedToken { get; }

    /// <summary>The root CA PEM bundle exactly as the engine returned it, when the token came from an engine.</summary>
    public string? RootCaPem { get; init; }

    /// <summary>The swarm's cluster ID, when the token came from an engine.</summary>
    public string? ClusterId { get; init; }

    /// <summary>The Docker engine the token came from, when it came from one.</summary>
    public string? DockerHost { get; init; }

    public override string ToString() => MaskedToken;
}
