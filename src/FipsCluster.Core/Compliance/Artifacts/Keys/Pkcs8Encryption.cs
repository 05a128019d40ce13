using System.Formats.Asn1;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// The encryption parameters of a PKCS#8 EncryptedPrivateKeyInfo (RFC 5208, RFC 8018): scheme, KDF, PRF, iterations,
/// salt length and cipher. Never the salt, IV or ciphertext themselves.
/// </summary>
internal sealed record Pkcs8Encryption(
    string Scheme,
    string SchemeOid,
    string? Kdf,
    string? Prf,
    bool PrfDefaulted,
    int? Iterations,
    int? SaltLength,
    int? KeyLength,
    string? Cipher,
    string? ScryptDetail)
{
    public const string Pbes2Oid = "1.2.840.113549.1.5.13";
    public const string Pbkdf2Oid = "1.2.840.113549.1.5.12";
    public const string ScryptOid = "1.3.6.1.4.1.11591.4.11";

    private static readonly Dictionary<string, (string Kdf, string Cipher)> Pbes1 = new()
    {
        ["1.2.840.113549.1.5.1"] = ("PBKDF1-MD2", "DES-CBC"),
        ["1.2.840.113549.1.5.4"] = ("PBKDF1-MD2", "RC2-CBC-64"),
        ["1.2.840.113549.1.5.3"] = ("PBKDF1-MD5", "DES-CBC"),
        ["1.2.840.113549.1.5.6"] = ("PBKDF1-MD5", "RC2-CBC-64"),
        ["1.2.840.113549.1.5.10"] = ("PBKDF1-SHA1", "DES-CBC"),
        ["1.2.840.113549.1.5.11"] = ("PBKDF1-SHA1", "RC2-CBC-64"),
    };

    private static readonly Dictionary<string, string> Pkcs12 = new()
    {
        ["1.2.840.113549.1.12.1.1"] = "RC4-128",
        ["1.2.840.113549.1.12.1.2"] = "RC4-40",
        ["1.2.840.113549.1.12.1.3"] = "DES-EDE3-CBC",
        ["1.2.840.113549.1.12.1.4"] = "DES-EDE-CBC",
        ["1.2.840.113549.1.12.1.5"] = "RC2-CBC-128",
        ["1.2.840.113549.1.12.1.6"] = "RC2-CBC-40",
    };

    private static readonly Dictionary<string, string> Prfs = new()
    {
        ["1.2.840.113549.2.7"] = "HMAC-SHA1",
        ["1.2.840.113549.2.8"] = "HMAC-SHA224",
        ["1.2.840.113549.2.9"] = "HMAC-SHA256",
        ["1.2.840.113549.2.10"] = "HMAC-SHA384",
        ["1.2.840.113549.2.11"] = "HMAC-SHA512",
        ["1.2.840.113549.2.12"] = "HMAC-SHA512-224",
        ["1.2.840.113549.2.13"] = "HMAC-SHA512-256",
        ["2.16.840.1.101.3.4.2.13"] = "HMAC-SHA3-224",
        ["2.16.840.1.101.3.4.2.14"] = "HMAC-SHA3-256",
        ["2.16.840.1.101.3.4.2.15"] = "HMAC-SHA3-384",
        ["2.16.840.1.101.3.4.2.16"] = "HMAC-SHA3-512",
        ["1.2.643.7.1.1.4.2"] = "HMAC-GOST-R-34.11-2012-512",
        ["1.2.156.10197.1.401.2"] = "HMAC-SM3",
    };

    private static readonly Dictionary<string, string> Ciphers = new()
    {
        ["2.16.840.1.101.3.4.1.2"] = "AES-128-CBC",
        ["2.16.840.1.101.3.4.1.22"] = "AES-192-CBC",
        ["2.16.840.1.101.3.4.1.42"] = "AES-256-CBC",
        ["2.16.840.1.101.3.4.1.6"] = "AES-128-GCM",
        ["2.16.840.1.101.3.4.1.26"] = "AES-192-GCM",
        ["2.16.840.1.101.3.4.1.46"] = "AES-256-GCM",
        ["1.2.840.113549.3.7"] = "DES-EDE3-CBC",
        ["1.3.14.3.2.7"] = "DES-CBC",
        ["1.2.840.113549.3.2"] = "RC2-CBC",
        ["1.2.840.113549.3.9"] = "RC5-CBC",
        ["1.2.392.200011.61.1.1.1.2"] = "CAMELLIA-128-CBC",
        ["1.2.392.200011.61.1.1.1.3"] = "CAMELLIA-192-CBC",
        ["1.2.392.200011.61.1.1.1.4"] = "CAMELLIA-256-CBC",
        ["1.2.410.200046.1.1.2"] = "ARIA-128-CBC",
        ["1.2.410.200046.1.1.7"] = "ARIA-192-CBC",
        ["1.2.410.200046.1.1.12"] = "ARIA-256-CBC",
        ["1.2.156.10197.1.104.2"] = "SM4-CBC",
    };

    public bool IsSwarmkitDefault => Scheme == "PBES2" && Kdf == "PBKDF2" && Prf == "HMAC-SHA1" && SaltLength == 8 && Iterations == 2048;

    public override string ToString()
    {
        var kdf = Kdf switch
        {
            "PBKDF2" => $"PBKDF2-{Prf}{(PrfDefaulted ? " (default PRF)" : "")}, {Iterations} iterations, {SaltLength}-byte salt",
            "scrypt" => $"scrypt ({ScryptDetail}), {SaltLength}-byte salt",
            null => "unknown KDF",
            _ => Iterations is null ? Kdf : $"{Kdf}, {Iterations} iterations",
        };
        return $"{Scheme}: {kdf}, {Cipher ?? "unknown cipher"}";
    }

    /// <summary>Parses the AlgorithmIdentifier of an EncryptedPrivateKeyInfo.</summary>
    /// <exception cref="AsnContentException">The structure is not an EncryptedPrivateKeyInfo.</exception>
    public static Pkcs8Encryption Read(byte[] encryptedPrivateKeyInfo)
    {
        var info = new AsnReader(encryptedPrivateKeyInfo, AsnEncodingRules.BER).ReadSequence();
        var algorithm = info.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (oid == Pbes2Oid)
        {
            return ReadPbes2(algorithm.ReadSequence());
        }
        if (Pbes1.TryGetValue(oid, out var pbes1))
        {
            var (salt, iterations) = ReadSaltAndIterations(algorithm);
            return new Pkcs8Encryption("PBES1", oid, pbes1.Kdf, null, false, iterations, salt, null, pbes1.Cipher, null);
        }
        if (Pkcs12.TryGetValue(oid, out var cipher))
        {
            var (salt, iterations) = ReadSaltAndIterations(algorithm);
            return new Pkcs8Encryption("PKCS12-PBE", oid, "PKCS12-KDF-SHA1", null, false, iterations, salt, null, cipher, null);
        }
        return new Pkcs8Encryption(oid, oid, null, null, false, null, null, null, null, null);
    }

    private static (int? Salt, int? Iterations) ReadSaltAndIterations(AsnReader algorithm)
    {
        var parameters = algorithm.ReadSequence();
        var salt = parameters.ReadOctetString().Length;
        return (salt, parameters.TryReadInt32(out var iterations) ? iterations : null);
    }

    private static Pkcs8Encryption ReadPbes2(AsnReader parameters)
    {
        // PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
        var kdf = parameters.ReadSequence();
        var scheme = parameters.ReadSequence();
        var cipherOid = scheme.ReadObjectIdentifier();
        var cipher = Ciphers.TryGetValue(cipherOid, out var c) ? c : cipherOid;

        var kdfOid = kdf.ReadObjectIdentifier();
        if (kdfOid == Pbkdf2Oid)
        {
            // PBKDF2-params ::= SEQUENCE { salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
            //   iterationCount INTEGER, keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
            var p = kdf.ReadSequence();
            int? salt = p.PeekTag().HasSameClassAndValue(Asn1Tag.PrimitiveOctetString) ? p.ReadOctetString().Length : SkipNull(p);
            int? iterations = p.TryReadInt32(out var i) ? i : null;
            int? keyLength = null;
            if (p.HasData && p.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                keyLength = p.TryReadInt32(out var k) ? k : null;
            }
            var prf = "HMAC-SHA1";
            var defaulted = true;
            if (p.HasData)
            {
                var prfOid = p.ReadSequence().ReadObjectIdentifier();
                prf = Prfs.TryGetValue(prfOid, out var name) ? name : prfOid;
                defaulted = false;
            }
            return new Pkcs8Encryption("PBES2", Pbes2Oid, "PBKDF2", prf, defaulted, iterations, salt, keyLength, cipher, null);
        }
        if (kdfOid == ScryptOid)
        {
            // scrypt-params ::= SEQUENCE { salt OCTET STRING, costParameter, blockSize, parallelizationParameter, keyLength OPTIONAL }
            var p = kdf.ReadSequence();
            var salt = p.ReadOctetString().Length;
            p.TryReadInt64(out var n);
            p.TryReadInt32(out var r);
            p.TryReadInt32(out var parallel);
            return new Pkcs8Encryption("PBES2", Pbes2Oid, "scrypt", null, false, null, salt, null, cipher, $"N={n}, r={r}, p={parallel}");
        }
        return new Pkcs8Encryption("PBES2", Pbes2Oid, kdfOid, null, false, null, null, null, cipher, null);
    }

    private static int? SkipNull(AsnReader reader)
    {
        reader.ReadEncodedValue();
        return null;
    }
}
