using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Tokens;

/// <summary>A token to compare a secret with: where it came from, which role it admits, the token itself.</summary>
public sealed record ReferenceToken(string Source, SwarmNodeRole Role, SecureString Token);

/// <summary>What to check a token against. Unset checks are reported as null, never as passed.</summary>
public sealed record JoinTokenTestRequest(SecureString Token)
{
    /// <summary>A root CA the user gave.</summary>
    public RootCaBundle? RootCa { get; init; }

    /// <summary>The current root CA of the engine the token is checked against; the token must match it too.</summary>
    public RootCaBundle? EngineRootCa { get; init; }
    public bool RequireFips { get; init; }
    public IReadOnlyList<ReferenceToken> References { get; init; } = Array.Empty<ReferenceToken>();
    public SwarmNodeRole Role { get; init; }
}

/// <summary>Parses, generates and verifies swarm join tokens. Pure computation: no I/O.</summary>
public static class JoinTokenService
{
    public static SwarmJoinToken Parse(ReadOnlySpan<char> token, SwarmNodeRole role = SwarmNodeRole.Unknown)
    {
        var parts = JoinTokenFormat.Parse(token);
        return Create(parts, token, role);
    }

    public static SwarmJoinToken Parse(SecureString token, SwarmNodeRole role = SwarmNodeRole.Unknown)
        => SecretText.Use(token, span => Parse(span, role));

    /// <summary>
    /// A new token for the root CA, with 16 bytes from the system CSPRNG as its secret, formatted exactly as
    /// swarmkit's GenerateJoinToken does: <c>SWMTKN-2-1-…</c> for FIPS clusters, <c>SWMTKN-1-…</c> otherwise.
    /// </summary>
    public static SwarmJoinToken Generate(RootCaBundle rootCa, bool fips, SwarmNodeRole role = SwarmNodeRole.Unknown)
    {
        Span<byte> secretBytes = stackalloc byte[JoinTokenFormat.SecretBytes];
        RandomNumberGenerator.Fill(secretBytes);
        var secret = Base36.Encode(secretBytes, JoinTokenFormat.SecretLength).ToCharArray();
        CryptographicOperations.ZeroMemory(secretBytes);
        var chars = new char[JoinTokenFormat.MaxLength];
        try
        {
            var length = JoinTokenFormat.Write(chars, rootCa.DigestText, secret, fips);
            var token = chars.AsSpan(0, length);
            return Create(JoinTokenFormat.Parse(token), token, role, rootCa.PemText);
        }
        finally
        {
            Array.Clear(secret);
            Array.Clear(chars);
        }
    }

    /// <summary>Checks a token's format, its digest against a root CA, the FIPS expectation and its secret.</summary>
    public static SwarmJoinTokenTestResult Test(JoinTokenTestRequest request)
        => SecretText.Use(request.Token, token => Test(token, request));

    /// <summary>
    /// The verdict on a token that does not parse, else null: a malformed token is reported as such before anything
    /// is asked about what to check it against (a root CA, an engine or a reference token).
    /// </summary>
    public static SwarmJoinTokenTestResult? MalformedVerdict(JoinTokenTestRequest request)
        => SecretText.Use(request.Token, token => IsWellFormed(token) ? null : Test(token, request));

    private static bool IsWellFormed(ReadOnlySpan<char> token)
    {
        try
        {
            JoinTokenFormat.Parse(token);
            return true;
        }
        catch (SwarmJoinTokenFormatException)
        {
            return false;
        }
    }

    private static SwarmJoinTokenTestResult Test(ReadOnlySpan<char> input, JoinTokenTestRequest request)
    {
        var reasons = new List<string>();
        JoinTokenParts parts;
        try
        {
            parts = JoinTokenFormat.Parse(input);
        }
        catch (SwarmJoinTokenFormatException ex)
        {
            reasons.Add(ex.Message);
            return new SwarmJoinTokenTestResult
            {
                Valid = false,
                Token = "(malformed)",
                Role = request.Role,
                FipsRequired = request.RequireFips,
                ExpectedRootCaDigest = (request.EngineRootCa ?? request.RootCa)?.Digest,
                Reasons = reasons,
            };
        }

        bool? digestMatches = null;
        var normalizedMatch = false;
        foreach (var ca in new[] { request.RootCa, request.EngineRootCa }.OfType<RootCaBundle>())
        {
            var matches = ca.Digest == parts.RootCaDigest;
            if (!matches && ca.Normalized() is { } normalized && normalized.Digest == parts.RootCaDigest)
            {
                matches = true;
                normalizedMatch = true;
            }
            if (!matches)
            {
                reasons.Add($"The token's root CA digest {parts.RootCaDigest} does not match the root CA from {ca.Source} ({ca.Digest}).");
            }
            digestMatches = (digestMatches ?? true) && matches;
        }

        bool? fipsSatisfied = null;
        if (request.RequireFips)
        {
            fipsSatisfied = parts.Fips;
            if (!parts.Fips)
            {
                reasons.Add(parts.Version == 1
                    ? "FIPS is required but the token is a version 1 token, which never marks a FIPS cluster."
                    : "FIPS is required but the token's FIPS flag is 0.");
            }
        }

        bool? secretMatches = null;
        string? comparedWith = null;
        var role = request.Role;
        if (request.References.Count > 0)
        {
            secretMatches = false;
            var secret = new byte[JoinTokenFormat.SecretLength];
            Encoding.ASCII.GetBytes(parts.SecretOf(input), secret);
            foreach (var reference in request.References)
            {
                // Every reference is compared, in constant time, whatever the earlier ones gave.
                var same = SecretText.Use(reference.Token, other => SecretEquals(secret, other));
                if (same && secretMatches == false)
                {
                    secretMatches = true;
                    if (reference.Role != SwarmNodeRole.Unknown)
                    {
                        role = reference.Role;
                    }
                }
            }
            CryptographicOperations.ZeroMemory(secret);
            comparedWith = string.Join(", ", request.References.Select(r => r.Source).Distinct());
            if (secretMatches == false)
            {
                reasons.Add($"The token's secret matches no current token of {comparedWith}.");
            }
        }

        return new SwarmJoinTokenTestResult
        {
            Valid = reasons.Count == 0,
            Token = MaskedToken(parts),
            Version = parts.Version,
            Fips = parts.Fips,
            Role = role,
            RootCaDigest = parts.RootCaDigest,
            ExpectedRootCaDigest = (request.EngineRootCa ?? request.RootCa)?.Digest,
            DigestMatches = digestMatches,
            DigestMatchedNormalizedPem = normalizedMatch,
            FipsRequired = request.RequireFips,
            FipsSatisfied = fipsSatisfied,
            SecretMatches = secretMatches,
            ComparedWith = comparedWith,
            Reasons = reasons,
        };
    }

    /// <summary>Constant-time comparison of a secret with the secret part of another token.</summary>
    private static bool SecretEquals(ReadOnlySpan<byte> secret, ReadOnlySpan<char> otherToken)
    {
        Span<byte> b = stackalloc byte[JoinTokenFormat.SecretLength];
        var otherSecret = otherToken.Trim();
        otherSecret = otherSecret.Length >= JoinTokenFormat.SecretLength ? otherSecret[^JoinTokenFormat.SecretLength..] : ReadOnlySpan<char>.Empty;
        if (!otherSecret.IsEmpty)
        {
            Encoding.ASCII.GetBytes(otherSecret, b);
        }
        var equal = CryptographicOperations.FixedTimeEquals(secret, b) && !otherSecret.IsEmpty;
        CryptographicOperations.ZeroMemory(b);
        return equal;
    }

    /// <summary>
    /// The same token (digest and secret) in swarmkit's FIPS form SWMTKN-2-1: what a FIPS cluster hands out, so
    /// that engines implementing swarmkit's check refuse a non-FIPS node on their own too.
    /// </summary>
    public static SwarmJoinToken AsFips(SwarmJoinToken token)
    {
        if (token.Fips)
        {
            return token;
        }
        return SecretText.Use(token.Token, text =>
        {
            var parts = JoinTokenFormat.Parse(text);
            Span<char> buffer = stackalloc char[JoinTokenFormat.MaxLength];
            try
            {
                var written = JoinTokenFormat.Write(buffer, parts.DigestText, parts.SecretOf(text), fips: true);
                var fips = buffer[..written];
                return Create(JoinTokenFormat.Parse(fips), fips, token.Role, token.RootCaPem, token.ClusterId, token.DockerHost);
            }
            finally
            {
                buffer.Clear();
            }
        });
    }

    internal static SwarmJoinToken Create(JoinTokenParts parts, ReadOnlySpan<char> input, SwarmNodeRole role,
        string? rootCaPem = null, string? clusterId = null, string? dockerHost = null)
        => new(parts.Version, parts.Fips, parts.RootCaDigest, parts.DigestText, SecretText.ToSecureString(parts.TokenOf(input)),
            Fingerprint(parts.SecretOf(input)), role)
        {
            RootCaPem = rootCaPem,
            ClusterId = clusterId,
            DockerHost = dockerHost,
        };

    private static string MaskedToken(JoinTokenParts parts) => SwarmJoinToken.Mask(parts.Version, parts.Fips, parts.DigestText);

    private static string Fingerprint(ReadOnlySpan<char> secret)
    {
        Span<byte> bytes = stackalloc byte[JoinTokenFormat.SecretLength];
        Span<byte> hash = stackalloc byte[32];
        Encoding.ASCII.GetBytes(secret, bytes);
        SHA256.HashData(bytes, hash);
        CryptographicOperations.ZeroMemory(bytes);
        return "sha256:" + Convert.ToHexString(hash[..6]).ToLowerInvariant();
    }
}
