using System.Formats.Asn1;
using static FipsCluster.Core.Compliance.Artifacts.ArtifactResults;
using static FipsCluster.Core.Compliance.CheckResults;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// FIPS verdicts on a private key file without its passphrase (RFC 8018, SP 800-132, SP 800-131A): KEY-01 legacy PEM
/// encryption, KEY-02 PKCS#8 PBES2 parameters, KEY-03 file mode, KEY-04 storage format (PKCS#8, as swarmkit's FIPS mode
/// requires) and KEY-05 key algorithm and size. Reads only structure: no key material reaches the report.
/// </summary>
public static class PrivateKeyAnalyzer
{
    /// <summary>The SP 800-132 floors OpenSSL's FIPS provider enforces for PBKDF2 (EVP_KDF-PBKDF2(7)).</summary>
    public const int MinimumIterations = 1000;

    public const int MinimumSaltLength = 16;

    private const string OpenSslFloors = "the OpenSSL FIPS provider's SP 800-132 minimums (1000 iterations, 16-byte salt)";

    private const string ConvertAdvice =
        "Re-encrypt as PKCS#8 PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (ConvertTo-FipsPrivateKey, or 'openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000').";

    /// <summary>Judges a key file against a standard ("FIPS 140-3" when null).</summary>
    public static PrivateKeyReport Analyze(string path, string? standard = null) => Analyze(path, NormalizeStandard(standard), null);

    /// <summary>Judges a key file against a profile's standard and check settings.</summary>
    public static PrivateKeyReport Analyze(string path, ComplianceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Analyze(path, NormalizeStandard(profile.Standard), profile);
    }

    private static PrivateKeyReport Analyze(string path, string standard, ComplianceProfile? profile)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = KeyFile.Load(path);
        return Analyze(file, standard, profile);
    }

    /// <summary>Judges key content read elsewhere (a remote node's PEM skeleton) with the file mode the node reported.</summary>
    public static PrivateKeyReport AnalyzeContent(string path, byte[] content, UnixFileMode? mode, ComplianceProfile profile)
    {
        using var file = KeyFile.FromContent(path, content);
        return Analyze(file, NormalizeStandard(profile.Standard), profile, mode);
    }

    internal static PrivateKeyReport Analyze(KeyFile file, string standard, ComplianceProfile? profile) =>
        Analyze(file, standard, profile, FileMode(file.Path));

    private static PrivateKeyReport Analyze(KeyFile file, string standard, ComplianceProfile? profile, UnixFileMode? mode)
    {
        var path = file.Path;
        var pem = file.Pem;
        var source = pem is null ? $"{path} (DER)" : $"{path} (-----BEGIN {pem.Label}-----)";

        Pkcs8Encryption? pkcs8 = null;
        if (file.Format == PrivateKeyFormat.Pkcs8Encrypted)
        {
            try
            {
                pkcs8 = Pkcs8Encryption.Read(file.Der);
            }
            catch (AsnContentException)
            {
                pkcs8 = null;
            }
        }
        var openSsh = file.Format == PrivateKeyFormat.OpenSsh ? OpenSshInfo.TryRead(file.Der) : null;
        var encrypted = file.IsEncrypted;
        var key = encrypted && openSsh is null ? (file.Format == PrivateKeyFormat.LegacyPemEncrypted ? file.Describe() : null) : file.Describe();
        var subject = new CheckSubject(path, standard, profile);
        var checks = new List<CheckResult>
        {
            Create(ArtifactCheckCatalog.LegacyPemEncryption, LegacyCheck(file, source), subject),
            Create(ArtifactCheckCatalog.Pkcs8Encryption, EncryptionCheck(file, pkcs8, openSsh, source), subject),
            Create(ArtifactCheckCatalog.KeyFileMode, ModeCheck(mode, encrypted, path), subject),
            Create(ArtifactCheckCatalog.Pkcs8Format, FormatCheck(file, source), subject),
            Create(ArtifactCheckCatalog.KeyAlgorithm, AlgorithmCheck(key, encrypted, standard, source), subject),
        };

        string? scheme = null, kdf = null, prf = null, cipher = null, dekInfo = null;
        int? iterations = null, saltLength = null;
        if (file.Format == PrivateKeyFormat.LegacyPemEncrypted)
        {
            (scheme, kdf, iterations, saltLength, cipher, dekInfo) = ("legacy PEM", "EVP_BytesToKey-MD5", 1, 8, pem!.DekCipher, pem.DekCipher);
        }
        else if (pkcs8 is not null)
        {
            (scheme, kdf, prf, iterations, saltLength, cipher) = (pkcs8.Scheme, pkcs8.Kdf, pkcs8.Prf, pkcs8.Iterations, pkcs8.SaltLength, pkcs8.Cipher);
        }
        else if (openSsh is { Encrypted: true })
        {
            (scheme, kdf, iterations, saltLength, cipher) = ("OpenSSH", openSsh.Kdf, openSsh.Rounds, openSsh.SaltLength, openSsh.Cipher);
        }
        return new PrivateKeyReport
        {
            Path = path,
            Format = file.Format,
            Encrypted = encrypted,
            KeyAlgorithm = key?.Algorithm,
            EncryptionScheme = scheme,
            Kdf = kdf,
            Prf = prf,
            Iterations = iterations,
            SaltLength = saltLength,
            Cipher = cipher,
            DekInfo = dekInfo,
            FileMode = mode is null ? null : ModeText(mode.Value),
            Checks = checks,
            Status = Worst(checks),
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    private static string ModeText(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8).PadLeft(3, '0');

    private static UnixFileMode? FileMode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        try
        {
            return File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static CheckOutcome LegacyCheck(KeyFile file, string source)
    {
        const string expected = "no Proc-Type: 4,ENCRYPTED / DEK-Info headers";
        if (file.Format != PrivateKeyFormat.LegacyPemEncrypted)
        {
            return Outcome(CheckStatus.Pass, expected, file.Pem is null ? "DER key: no PEM headers" : "no legacy encryption headers", "",
                new CheckEvidence(source, file.Pem is null ? null : HeaderSummary(file.Pem)));
        }
        var cipher = file.Pem!.DekCipher ?? "(no DEK-Info)";
        return Outcome(CheckStatus.Fail, expected,
            $"legacy PEM encryption with DEK-Info {cipher}: the key is derived with OpenSSL EVP_BytesToKey (MD5, 1 iteration), not an approved KDF, whatever the cipher",
            ConvertAdvice, new CheckEvidence(source, HeaderSummary(file.Pem)));
    }

    /// <summary>Header names and the non-secret values that matter (Proc-Type, the DEK-Info cipher without its IV).</summary>
    private static string HeaderSummary(PemBlock pem)
    {
        if (pem.Headers.Count == 0)
        {
            return "no headers";
        }
        return string.Join(", ", pem.Headers.Select(h =>
            h.Key.Equals("Proc-Type", StringComparison.OrdinalIgnoreCase) ? $"Proc-Type: {h.Value}"
            : h.Key.Equals("DEK-Info", StringComparison.OrdinalIgnoreCase) ? $"DEK-Info: {pem.DekCipher},<IV>"
            : h.Key + ": <value>"));
    }

    private static CheckOutcome EncryptionCheck(KeyFile file, Pkcs8Encryption? pkcs8, OpenSshInfo? openSsh, string source)
    {
        const string expected = "PBES2 with PBKDF2-HMAC-SHA256/384/512, >= 1000 iterations, >= 16-byte salt, AES-CBC";
        switch (file.Format)
        {
            case PrivateKeyFormat.LegacyPemEncrypted:
                return CheckOutcome.NotApplicable("legacy PEM encryption, not PKCS#8 (see KEY-01)", new CheckEvidence(source, HeaderSummary(file.Pem!)));
            case PrivateKeyFormat.OpenSsh when openSsh is { Encrypted: true }:
                return Outcome(CheckStatus.Fail, expected,
                    $"OpenSSH key encrypted with {openSsh.Cipher}, KDF {openSsh.Kdf}{(openSsh.Rounds is { } r ? $" ({r} rounds)" : "")}: bcrypt_pbkdf is not an approved KDF",
                    "Store the key as PKCS#8 (ssh-keygen -p -m PKCS8, or ConvertTo-FipsPrivateKey).",
                    new CheckEvidence(source, $"cipher {openSsh.Cipher}, kdf {openSsh.Kdf}"));
            case PrivateKeyFormat.Pkcs8Encrypted:
                break;
            default:
                return CheckOutcome.NotApplicable("the key is not encrypted", new CheckEvidence(source, "unencrypted " + file.Format));
        }
        if (pkcs8 is null)
        {
            return Outcome(CheckStatus.Unknown, expected, "the EncryptedPrivateKeyInfo could not be parsed", "", new CheckEvidence(source, null));
        }
        var evidence = new CheckEvidence(source, pkcs8.ToString());
        if (pkcs8.Scheme is "PBES1" or "PKCS12-PBE")
        {
            return Outcome(CheckStatus.Fail, expected,
                $"{pkcs8}: {(pkcs8.Scheme == "PBES1" ? "PBES1 (PBKDF1 with MD2/MD5/SHA-1, DES/RC2)" : "PKCS#12 PBE (SHA-1 KDF with 3DES/RC2/RC4)")} is not approved",
                ConvertAdvice, evidence);
        }
        if (pkcs8.Scheme != "PBES2")
        {
            return Outcome(CheckStatus.Unknown, expected, $"unrecognised encryption scheme {pkcs8.SchemeOid}", ConvertAdvice, evidence);
        }
        if (pkcs8.Kdf == "scrypt")
        {
            return Outcome(CheckStatus.Fail, expected, $"{pkcs8}: scrypt is not an approved KDF (SP 800-132 specifies PBKDF2)", ConvertAdvice, evidence);
        }
        if (pkcs8.Kdf != "PBKDF2")
        {
            return Outcome(CheckStatus.Unknown, expected, $"PBES2 with unrecognised KDF {pkcs8.Kdf}", ConvertAdvice, evidence);
        }
        if (pkcs8.Cipher is null || !pkcs8.Cipher.StartsWith("AES-", StringComparison.Ordinal))
        {
            return Outcome(CheckStatus.Fail, expected, $"{pkcs8}: {pkcs8.Cipher} is not an approved cipher for key encryption (use AES)", ConvertAdvice, evidence);
        }
        var approvedPrf = pkcs8.Prf is "HMAC-SHA224" or "HMAC-SHA256" or "HMAC-SHA384" or "HMAC-SHA512" or "HMAC-SHA512-224" or "HMAC-SHA512-256"
            or "HMAC-SHA3-224" or "HMAC-SHA3-256" or "HMAC-SHA3-384" or "HMAC-SHA3-512";
        if (!approvedPrf && pkcs8.Prf != "HMAC-SHA1")
        {
            return Outcome(CheckStatus.Fail, expected, $"{pkcs8}: PRF {pkcs8.Prf} is not an approved HMAC", ConvertAdvice, evidence);
        }
        var findings = new List<string>();
        if (pkcs8.IsSwarmkitDefault)
        {
            // swarmkit's ca/pkcs8 writes exactly these parameters (so does 'openssl pkcs8 -v2prf hmacWithSHA1' before OpenSSL 3.2).
            findings.Add("swarmkit's PKCS#8 uses an 8-byte salt (with 2048 iterations of PBKDF2-HMAC-SHA1), below " + OpenSslFloors);
        }
        else
        {
            if (pkcs8.Prf == "HMAC-SHA1")
            {
                findings.Add(pkcs8.PrfDefaulted ? "PRF HMAC-SHA1 (the PBKDF2 default when none is given)" : "PRF HMAC-SHA1");
            }
            var belowFloors = new List<string>();
            if (pkcs8.Iterations is { } iterations && iterations < MinimumIterations)
            {
                belowFloors.Add($"{iterations} iterations");
            }
            if (pkcs8.SaltLength is { } salt && salt < MinimumSaltLength)
            {
                belowFloors.Add($"{salt}-byte salt");
            }
            if (belowFloors.Count > 0)
            {
                findings.Add($"{string.Join(" and ", belowFloors)}: below {OpenSslFloors}");
            }
        }
        if (pkcs8.KeyLength is { } keyLength && keyLength < 14)
        {
            findings.Add($"{keyLength * 8}-bit derived key: below 112 bits");
        }
        if (pkcs8.Iterations is null || pkcs8.SaltLength is null)
        {
            findings.Add("salt or iteration count not readable");
        }
        return findings.Count == 0
            ? Outcome(CheckStatus.Pass, expected, pkcs8.ToString(), "", evidence)
            : Outcome(CheckStatus.Warning, expected, $"{pkcs8}: {string.Join("; ", findings)}", ConvertAdvice, evidence);
    }

    private static CheckOutcome ModeCheck(UnixFileMode? mode, bool encrypted, string path)
    {
        const string expected = "0600 or stricter (no group or other access), owned by the service user";
        if (mode is null)
        {
            return OperatingSystem.IsWindows()
                ? CheckOutcome.NotApplicable("Windows: access is governed by the file's ACL, not a Unix mode")
                : Outcome(CheckStatus.Error, expected, "the file mode could not be read", "", new CheckEvidence(path, null));
        }
        var m = mode.Value;
        var text = ModeText(m);
        var evidence = new CheckEvidence($"stat -c %a {path}", text);
        var remediation = $"chmod 600 '{path}'";
        var other = (m & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0;
        var group = (m & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite)) != 0;
        if (other)
        {
            return encrypted
                ? Outcome(CheckStatus.Warning, expected, $"{text}: any user can read the (encrypted) key", remediation, evidence)
                : Outcome(CheckStatus.Fail, expected, $"{text}: any user can read the unencrypted key", remediation, evidence);
        }
        if (group)
        {
            return Outcome(CheckStatus.Warning, expected, $"{text}: the file's group can read the key", remediation, evidence);
        }
        return Outcome(CheckStatus.Pass, expected, text, "", evidence);
    }

    private static CheckOutcome FormatCheck(KeyFile file, string source)
    {
        const string expected = "PKCS#8 (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY)";
        var evidence = new CheckEvidence(source, file.Pem is null ? "DER " + file.Format : "PEM label " + file.Pem.Label);
        const string remediation = "Convert the key to PKCS#8 (ConvertTo-FipsPrivateKey, or 'openssl pkcs8 -topk8').";
        return file.Format switch
        {
            PrivateKeyFormat.Pkcs8 or PrivateKeyFormat.Pkcs8Encrypted => Outcome(CheckStatus.Pass, expected, "PKCS#8", "", evidence),
            PrivateKeyFormat.Pkcs1 or PrivateKeyFormat.Sec1 => Outcome(CheckStatus.Warning, expected,
                $"{(file.Format == PrivateKeyFormat.Pkcs1 ? "PKCS#1 RSAPrivateKey" : "SEC 1 ECPrivateKey")}: FIPS parsers prefer PKCS#8 (swarmkit in FIPS mode refuses it: 'unsupported key format due to FIPS compliance')",
                remediation, evidence),
            PrivateKeyFormat.LegacyPemEncrypted => Outcome(CheckStatus.Fail, expected,
                "legacy encrypted PEM (Proc-Type/DEK-Info): FIPS parsers refuse it (swarmkit: 'unsupported key format due to FIPS compliance')", remediation, evidence),
            PrivateKeyFormat.OpenSsh => Outcome(CheckStatus.Warning, expected, "OpenSSH private key format: FIPS parsers prefer PKCS#8", remediation, evidence),
            _ => Outcome(CheckStatus.Unknown, expected, file.Pem is null ? "unrecognised key structure" : $"unrecognised PEM label '{file.Pem.Label}'", "", evidence),
        };
    }

    private static CheckOutcome AlgorithmCheck(KeyDescription? key, bool encrypted, string standard, string source)
    {
        if (key is null || (encrypted && key.Size <= 0))
        {
            return Outcome(CheckStatus.Informational, "RSA >= 2048 bits or ECDSA P-256/P-384/P-521",
                encrypted ? (key is null ? "encrypted: the key algorithm is inside the encrypted data" : $"encrypted {key.Algorithm} key: its size is inside the encrypted data")
                    : "the key algorithm could not be read",
                "", new CheckEvidence(source, key is null ? (encrypted ? "encrypted" : "unreadable") : key.Algorithm + (encrypted ? " (encrypted)" : "")));
        }
        var (status, expected, actual, remediation) = KeyAlgorithms.Judge(key, standard);
        return Outcome(status, expected, actual, remediation, new CheckEvidence(source, key.ToString() + (key.Curve is not null ? $" ({key.Size} bit)" : "")));
    }
}
