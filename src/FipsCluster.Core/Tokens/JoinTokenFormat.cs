using System.Numerics;

namespace FipsCluster.Core.Tokens;

/// <summary>
/// swarmkit's join-token format (ca/config.go), read and written byte for byte:
/// <c>SWMTKN-1-&lt;digest&gt;-&lt;secret&gt;</c> and <c>SWMTKN-2-&lt;0|1&gt;-&lt;digest&gt;-&lt;secret&gt;</c>, where digest is the
/// SHA-256 of the root CA PEM bundle in base 36 padded to 50 characters and secret is 16 random bytes in
/// base 36 padded to 25.
/// </summary>
public static class JoinTokenFormat
{
    public const string Prefix = "SWMTKN";
    public const int DigestLength = 50;   // ceil(log36(2^256 - 1))
    public const int SecretLength = 25;   // ceil(log36(2^128 - 1))
    public const int SecretBytes = 16;

    private static readonly BigInteger DigestLimit = BigInteger.One << 256;

    /// <summary>
    /// Writes a token exactly as swarmkit's GenerateJoinToken formats it — FIPS clusters get v2-1, the rest v1 —
    /// into a caller-owned buffer (so the caller can wipe it). Returns the length written.
    /// </summary>
    public static int Write(Span<char> destination, string digestText, ReadOnlySpan<char> secretText, bool fips)
    {
        var head = fips ? $"{Prefix}-2-1-" : $"{Prefix}-1-";
        var length = head.Length + digestText.Length + 1 + secretText.Length;
        head.CopyTo(destination);
        digestText.CopyTo(destination[head.Length..]);
        destination[head.Length + digestText.Length] = '-';
        secretText.CopyTo(destination[(length - secretText.Length)..]);
        return length;
    }

    /// <summary>The longest token this module writes.</summary>
    public const int MaxLength = 11 + DigestLength + 1 + SecretLength;

    /// <summary>
    /// Parses a token without copying its secret. Throws <see cref="SwarmJoinTokenFormatException"/> naming the
    /// part that is wrong; the message never contains the secret.
    /// Stricter than swarmkit only where swarmkit would accept a token no manager can ever match:
    /// a digest must be lowercase and below 2^256, a secret lowercase base 36.
    /// </summary>
    internal static JoinTokenParts Parse(ReadOnlySpan<char> token)
    {
        var start = token.Length - token.TrimStart().Length;
        token = token.Trim();
        if (token.IsEmpty)
        {
            throw Error(SwarmJoinTokenPart.Empty, "The join token is empty.");
        }

        // Split on '-' by hand: no substring of the secret is ever allocated.
        Span<Range> parts = stackalloc Range[6];
        var count = token.Split(parts, '-'); // 6 means "6 or more": more than any version allows

        if (!token[parts[0]].SequenceEqual(Prefix))
        {
            throw Error(SwarmJoinTokenPart.Prefix, $"A swarm join token starts with '{Prefix}-'.");
        }
        if (count < 4)
        {
            throw Error(SwarmJoinTokenPart.PartCount, $"A swarm join token has 4 or 5 parts separated by '-'; this one has {count}.");
        }

        var version = token[parts[1]];
        int parsedVersion;
        bool fips;
        if (version.SequenceEqual("1"))
        {
            parsedVersion = 1;
            fips = false;
            if (count != 4)
            {
                throw Error(SwarmJoinTokenPart.PartCount, $"A version 1 join token has 4 parts (SWMTKN-1-<digest>-<secret>); this one has {Describe(count)}.");
            }
        }
        else if (version.SequenceEqual("2"))
        {
            parsedVersion = 2;
            if (count != 5)
            {
                throw Error(SwarmJoinTokenPart.PartCount, $"A version 2 join token has 5 parts (SWMTKN-2-<0|1>-<digest>-<secret>); this one has {Describe(count)}.");
            }
            var flag = token[parts[2]];
            if (flag.SequenceEqual("1"))
            {
                fips = true;
            }
            else if (flag.SequenceEqual("0"))
            {
                fips = false;
            }
            else
            {
                throw Error(SwarmJoinTokenPart.FipsFlag, "The FIPS flag of a version 2 join token must be 0 or 1.");
            }
        }
        else
        {
            // The version field is short and not secret; echo it only when it plausibly is a version.
            var shown = version.Length is > 0 and <= 4 ? $" '{new string(version)}'" : "";
            throw Error(SwarmJoinTokenPart.Version, $"The join token version{shown} is not supported; versions are 1 and 2.");
        }

        var digestRange = parts[count - 2];
        var secretRange = parts[count - 1];
        var digest = token[digestRange];
        if (digest.Length != DigestLength)
        {
            throw Error(SwarmJoinTokenPart.RootCaDigest, $"The root CA digest of a join token is {DigestLength} base-36 characters; it has {digest.Length}.");
        }
        if (!Base36.IsLowercaseDigits(digest))
        {
            throw Error(SwarmJoinTokenPart.RootCaDigest, "The root CA digest of a join token contains characters other than 0-9 and a-z.");
        }
        var digestValue = Base36.Decode(digest);
        if (digestValue >= DigestLimit)
        {
            throw Error(SwarmJoinTokenPart.RootCaDigest, "The root CA digest of a join token is larger than a SHA-256 value.");
        }

        var secret = token[secretRange];
        if (secret.Length != SecretLength)
        {
            throw Error(SwarmJoinTokenPart.Secret, $"The secret of a join token is {SecretLength} base-36 characters; it has {secret.Length}.");
        }
        if (!Base36.IsLowercaseDigits(secret))
        {
            throw Error(SwarmJoinTokenPart.Secret, "The secret of a join token contains characters other than 0-9 and a-z.");
        }

        Span<byte> digestBytes = stackalloc byte[32];
        var raw = digestValue.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(digestBytes[(32 - raw.Length)..]);
        var hex = Convert.ToHexString(digestBytes).ToLowerInvariant();

        return new JoinTokenParts(parsedVersion, fips, new string(digest), "sha256:" + hex,
            TokenStart: start, TokenLength: token.Length, SecretOffset: start + secretRange.Start.GetOffset(token.Length));
    }

    private static string Describe(int count) => count > 5 ? "more" : count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static SwarmJoinTokenFormatException Error(SwarmJoinTokenPart part, string message) => new(part, message);
}

/// <summary>
/// The non-secret parts of a parsed token, and where the token (surrounding white space excluded) and its
/// secret sit in the input, so callers take them straight into a SecureString or a constant-time comparison.
/// </summary>
internal readonly record struct JoinTokenParts(int Version, bool Fips, string DigestText, string RootCaDigest, int TokenStart, int TokenLength, int SecretOffset)
{
    public ReadOnlySpan<char> TokenOf(ReadOnlySpan<char> input) => input.Slice(TokenStart, TokenLength);

    public ReadOnlySpan<char> SecretOf(ReadOnlySpan<char> input) => input.Slice(SecretOffset, JoinTokenFormat.SecretLength);
}
