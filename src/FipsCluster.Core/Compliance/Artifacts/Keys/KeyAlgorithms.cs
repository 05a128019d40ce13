using System.Formats.Asn1;
using System.Numerics;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>What a key is: algorithm name, size in bits, and the curve for ECDSA. Never holds key material.</summary>
internal sealed record KeyDescription(string Algorithm, int Size, string? Curve)
{
    public override string ToString() => Curve is not null ? $"{Algorithm} {Curve}" : Size > 0 ? $"{Algorithm} {Size}" : Algorithm;
}

/// <summary>
/// Object identifiers of keys, curves, hashes and signatures, and the SP 800-131A Rev.2 / FIPS 186-5 verdict on a
/// key: the same rule serves certificates (CRT-01) and private keys (KEY-05).
/// </summary>
internal static class KeyAlgorithms
{
    public const string RsaOid = "1.2.840.113549.1.1.1";
    public const string RsaPssOid = "1.2.840.113549.1.1.10";
    public const string EcOid = "1.2.840.10045.2.1";
    public const string DsaOid = "1.2.840.10040.4.1";
    public const string Ed25519Oid = "1.3.101.112";
    public const string Ed448Oid = "1.3.101.113";
    public const string X25519Oid = "1.3.101.110";
    public const string X448Oid = "1.3.101.111";

    private static readonly Dictionary<string, (string Name, int Bits)> Curves = new()
    {
        ["1.2.840.10045.3.1.7"] = ("P-256", 256),
        ["1.3.132.0.34"] = ("P-384", 384),
        ["1.3.132.0.35"] = ("P-521", 521),
        ["1.3.132.0.33"] = ("P-224", 224),
        ["1.2.840.10045.3.1.1"] = ("P-192", 192),
        ["1.3.132.0.10"] = ("secp256k1", 256),
        ["1.3.36.3.3.2.8.1.1.7"] = ("brainpoolP256r1", 256),
        ["1.3.36.3.3.2.8.1.1.11"] = ("brainpoolP384r1", 384),
        ["1.3.36.3.3.2.8.1.1.13"] = ("brainpoolP512r1", 512),
        ["1.2.156.10197.1.301"] = ("SM2", 256),
    };

    /// <summary>Hash algorithm identifiers (digest OIDs) by name.</summary>
    public static readonly Dictionary<string, string> Hashes = new()
    {
        ["1.2.840.113549.2.2"] = "MD2",
        ["1.2.840.113549.2.5"] = "MD5",
        ["1.3.14.3.2.26"] = "SHA-1",
        ["2.16.840.1.101.3.4.2.4"] = "SHA-224",
        ["2.16.840.1.101.3.4.2.1"] = "SHA-256",
        ["2.16.840.1.101.3.4.2.2"] = "SHA-384",
        ["2.16.840.1.101.3.4.2.3"] = "SHA-512",
        ["2.16.840.1.101.3.4.2.5"] = "SHA-512/224",
        ["2.16.840.1.101.3.4.2.6"] = "SHA-512/256",
        ["2.16.840.1.101.3.4.2.7"] = "SHA3-224",
        ["2.16.840.1.101.3.4.2.8"] = "SHA3-256",
        ["2.16.840.1.101.3.4.2.9"] = "SHA3-384",
        ["2.16.840.1.101.3.4.2.10"] = "SHA3-512",
    };

    /// <summary>Certificate signature algorithms: (display name, family, hash).</summary>
    public static readonly Dictionary<string, (string Name, string Family, string Hash)> Signatures = new()
    {
        ["1.2.840.113549.1.1.2"] = ("md2RSA", "RSA", "MD2"),
        ["1.2.840.113549.1.1.4"] = ("md5RSA", "RSA", "MD5"),
        ["1.2.840.113549.1.1.5"] = ("sha1RSA", "RSA", "SHA-1"),
        ["1.3.14.3.2.29"] = ("sha1RSA", "RSA", "SHA-1"),
        ["1.2.840.113549.1.1.14"] = ("sha224RSA", "RSA", "SHA-224"),
        ["1.2.840.113549.1.1.11"] = ("sha256RSA", "RSA", "SHA-256"),
        ["1.2.840.113549.1.1.12"] = ("sha384RSA", "RSA", "SHA-384"),
        ["1.2.840.113549.1.1.13"] = ("sha512RSA", "RSA", "SHA-512"),
        ["2.16.840.1.101.3.4.3.13"] = ("sha3-224RSA", "RSA", "SHA3-224"),
        ["2.16.840.1.101.3.4.3.14"] = ("sha3-256RSA", "RSA", "SHA3-256"),
        ["2.16.840.1.101.3.4.3.15"] = ("sha3-384RSA", "RSA", "SHA3-384"),
        ["2.16.840.1.101.3.4.3.16"] = ("sha3-512RSA", "RSA", "SHA3-512"),
        ["1.2.840.10045.4.1"] = ("sha1ECDSA", "ECDSA", "SHA-1"),
        ["1.2.840.10045.4.3.1"] = ("sha224ECDSA", "ECDSA", "SHA-224"),
        ["1.2.840.10045.4.3.2"] = ("sha256ECDSA", "ECDSA", "SHA-256"),
        ["1.2.840.10045.4.3.3"] = ("sha384ECDSA", "ECDSA", "SHA-384"),
        ["1.2.840.10045.4.3.4"] = ("sha512ECDSA", "ECDSA", "SHA-512"),
        ["2.16.840.1.101.3.4.3.9"] = ("sha3-224ECDSA", "ECDSA", "SHA3-224"),
        ["2.16.840.1.101.3.4.3.10"] = ("sha3-256ECDSA", "ECDSA", "SHA3-256"),
        ["2.16.840.1.101.3.4.3.11"] = ("sha3-384ECDSA", "ECDSA", "SHA3-384"),
        ["2.16.840.1.101.3.4.3.12"] = ("sha3-512ECDSA", "ECDSA", "SHA3-512"),
        ["1.2.840.10040.4.3"] = ("sha1DSA", "DSA", "SHA-1"),
        ["2.16.840.1.101.3.4.3.1"] = ("sha224DSA", "DSA", "SHA-224"),
        ["2.16.840.1.101.3.4.3.2"] = ("sha256DSA", "DSA", "SHA-256"),
        ["2.16.840.1.101.3.4.3.3"] = ("sha384DSA", "DSA", "SHA-384"),
        ["2.16.840.1.101.3.4.3.4"] = ("sha512DSA", "DSA", "SHA-512"),
        [Ed25519Oid] = ("Ed25519", "EdDSA", "SHA-512"),
        [Ed448Oid] = ("Ed448", "EdDSA", "SHAKE256"),
    };

    public static string CurveName(string oid) => Curves.TryGetValue(oid, out var c) ? c.Name : oid;

    /// <summary>Describes a SubjectPublicKeyInfo's key from its algorithm OID, parameters and key bits.</summary>
    public static KeyDescription DescribePublicKey(string oid, ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> keyValue)
    {
        try
        {
            switch (oid)
            {
                case RsaOid:
                case RsaPssOid:
                {
                    var seq = new AsnReader(keyValue.ToArray(), AsnEncodingRules.DER).ReadSequence();
                    return new KeyDescription("RSA", BitLength(seq.ReadIntegerBytes().Span), null);
                }
                case EcOid:
                    return DescribeCurve(parameters, keyValue.Length > 1 ? (keyValue.Length - 1) / 2 * 8 : 0);
                case DsaOid:
                    return new KeyDescription("DSA", parameters.IsEmpty ? 0 : DsaPBits(parameters), null);
                default:
                    return DescribeOther(oid);
            }
        }
        catch (AsnContentException)
        {
            return new KeyDescription(Name(oid), 0, null);
        }
    }

    /// <summary>Ed25519, Ed448, X25519, X448 (fixed sizes), or the OID when unknown.</summary>
    public static KeyDescription DescribeOther(string oid) => oid switch
    {
        Ed25519Oid => new KeyDescription("Ed25519", 256, null),
        Ed448Oid => new KeyDescription("Ed448", 456, null),
        X25519Oid => new KeyDescription("X25519", 256, null),
        X448Oid => new KeyDescription("X448", 448, null),
        _ => new KeyDescription(Name(oid), 0, null),
    };

    public static string Name(string oid) => oid switch
    {
        RsaOid or RsaPssOid => "RSA",
        EcOid => "ECDSA",
        DsaOid => "DSA",
        Ed25519Oid => "Ed25519",
        Ed448Oid => "Ed448",
        X25519Oid => "X25519",
        X448Oid => "X448",
        _ => oid,
    };

    /// <summary>ECParameters: a named curve OID (the norm), implicitCurve NULL, or explicit parameters.</summary>
    public static KeyDescription DescribeCurve(ReadOnlySpan<byte> parameters, int bitsFromPoint)
    {
        if (parameters.IsEmpty)
        {
            return new KeyDescription("ECDSA", bitsFromPoint, null);
        }
        var reader = new AsnReader(parameters.ToArray(), AsnEncodingRules.DER);
        var tag = reader.PeekTag();
        if (tag.HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            var curveOid = reader.ReadObjectIdentifier();
            return Curves.TryGetValue(curveOid, out var c) ? new KeyDescription("ECDSA", c.Bits, c.Name) : new KeyDescription("ECDSA", bitsFromPoint, curveOid);
        }
        return new KeyDescription("ECDSA", bitsFromPoint, tag.HasSameClassAndValue(Asn1Tag.Null) ? "implicitCurve" : "explicit parameters");
    }

    private static int DsaPBits(ReadOnlySpan<byte> parameters)
    {
        var seq = new AsnReader(parameters.ToArray(), AsnEncodingRules.DER).ReadSequence();
        return BitLength(seq.ReadIntegerBytes().Span);
    }

    /// <summary>Bit length of a positive DER INTEGER's content octets.</summary>
    public static int BitLength(ReadOnlySpan<byte> integer)
    {
        var i = 0;
        while (i < integer.Length - 1 && integer[i] == 0)
        {
            i++;
        }
        if (i >= integer.Length)
        {
            return 0;
        }
        return (integer.Length - i - 1) * 8 + (8 - BitOperations.LeadingZeroCount((uint)integer[i]) + 24);
    }

    /// <summary>The CRT-01 / KEY-05 verdict on a key under a standard ("FIPS 140-2" or "FIPS 140-3").</summary>
    public static (CheckStatus Status, string Expected, string Actual, string Remediation) Judge(KeyDescription key, string standard)
    {
        const string expected = "RSA >= 2048 bits, ECDSA P-256/P-384/P-521 (Ed25519/Ed448 under FIPS 140-3 only); no DSA";
        var is1402 = ArtifactResults.Is1402(standard);
        switch (key.Algorithm)
        {
            case "RSA" when key.Size <= 0:
                return (CheckStatus.Unknown, expected, "RSA key of unreadable size", "");
            case "RSA" when key.Size < 2048:
                return (CheckStatus.Fail, expected, $"RSA {key.Size} bits: below the 2048-bit minimum of SP 800-131A Rev.2 (112-bit security)",
                    "Reissue the certificate/key with RSA 2048 or larger, or ECDSA P-256/P-384.");
            case "RSA":
                return (CheckStatus.Pass, expected, key.Size is 2048 or 3072 or 4096
                    ? $"RSA {key.Size} bits"
                    : $"RSA {key.Size} bits (BoringCrypto FIPS TLS policy accepts only 2048/3072/4096)", "");
            case "ECDSA":
                return key.Curve switch
                {
                    "P-256" or "P-384" or "P-521" => (CheckStatus.Pass, expected, $"ECDSA {key.Curve}", ""),
                    "P-224" => (CheckStatus.Warning, expected,
                        "ECDSA P-224: 112-bit, allowed by SP 800-131A/FIPS 186-5, but excluded by Go/BoringSSL FIPS TLS policies and the FIPS crypto policy",
                        "Reissue with ECDSA P-256 or P-384."),
                    null => (CheckStatus.Unknown, expected, "ECDSA key with no curve named", ""),
                    _ => (CheckStatus.Fail, expected, $"ECDSA on {key.Curve}: not a NIST P-256/P-384/P-521 curve",
                        "Reissue with ECDSA P-256 or P-384."),
                };
            case "Ed25519":
            case "Ed448":
                return is1402
                    ? (CheckStatus.Fail, expected, $"{key.Algorithm}: not approved by FIPS 186-4, so not acceptable under FIPS 140-2",
                        "Reissue with ECDSA P-256/P-384 or RSA >= 2048, or assess against FIPS 140-3 (FIPS 186-5 approves EdDSA).")
                    : (CheckStatus.Pass, expected, $"{key.Algorithm}: approved by FIPS 186-5 (FIPS 140-3); acceptable only where the validated module implements EdDSA (BoringCrypto does not)", "");
            case "DSA":
                return (CheckStatus.Fail, expected, $"DSA{(key.Size > 0 ? " " + key.Size + " bits" : "")}: FIPS 186-5 no longer approves DSA signature generation",
                    "Reissue with ECDSA P-256/P-384 or RSA >= 2048.");
            case "X25519":
            case "X448":
                return (CheckStatus.Fail, expected, $"{key.Algorithm}: a key-agreement key, not an approved signature key", "Reissue with ECDSA P-256/P-384 or RSA >= 2048.");
            default:
                return (CheckStatus.Unknown, expected, $"unrecognised key algorithm {key.Algorithm}", "");
        }
    }
}
