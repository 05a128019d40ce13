namespace FipsCluster;

/// <summary>How a private key is stored on disk.</summary>
public enum PrivateKeyFormat
{
    /// <summary>PKCS#8 EncryptedPrivateKeyInfo (BEGIN ENCRYPTED PRIVATE KEY).</summary>
    Pkcs8Encrypted,

    /// <summary>PKCS#8 PrivateKeyInfo (BEGIN PRIVATE KEY), unencrypted.</summary>
    Pkcs8,

    /// <summary>PKCS#1 RSAPrivateKey (BEGIN RSA PRIVATE KEY), unencrypted.</summary>
    Pkcs1,

    /// <summary>SEC 1 ECPrivateKey (BEGIN EC PRIVATE KEY), unencrypted.</summary>
    Sec1,

    /// <summary>RFC 1421 legacy encryption (Proc-Type: 4,ENCRYPTED + DEK-Info): an MD5 key derivation, never FIPS.</summary>
    LegacyPemEncrypted,

    /// <summary>OpenSSH's own format (BEGIN OPENSSH PRIVATE KEY).</summary>
    OpenSsh,

    Unknown,
}

/// <summary>The FIPS verdict on one private key file; never contains key material.</summary>
public sealed class PrivateKeyReport
{
    public string Path { get; init; } = "";

    public PrivateKeyFormat Format { get; init; }

    public bool Encrypted { get; init; }

    /// <summary>RSA, ECDSA, Ed25519…, when the key could be read without a passphrase (or its type is in the PEM label).</summary>
    public string? KeyAlgorithm { get; init; }

    /// <summary>Encryption scheme: PBES2, PBES1, PKCS12-PBE, or legacy PEM.</summary>
    public string? EncryptionScheme { get; init; }

    /// <summary>PBKDF2, scrypt, or EVP_BytesToKey-MD5 for legacy PEM.</summary>
    public string? Kdf { get; init; }

    /// <summary>The PBKDF2 PRF, e.g. HMAC-SHA256 (absent in the file means HMAC-SHA1).</summary>
    public string? Prf { get; init; }

    public int? Iterations { get; init; }

    /// <summary>Salt length in bytes.</summary>
    public int? SaltLength { get; init; }

    /// <summary>e.g. AES-256-CBC.</summary>
    public string? Cipher { get; init; }

    /// <summary>For legacy PEM: the DEK-Info cipher (the IV is not repeated here).</summary>
    public string? DekInfo { get; init; }

    /// <summary>Unix permission bits as octal text (e.g. 0600); null on Windows.</summary>
    public string? FileMode { get; init; }

    public IReadOnlyList<CheckResult> Checks { get; init; } = Array.Empty<CheckResult>();

    /// <summary>The worst status of the required checks.</summary>
    public CheckStatus Status { get; init; }

    /// <summary>When the verdict was reached.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Who judged it: the account and machine that ran the check (user@host).</summary>
    public string JudgedBy { get; init; } = "";

    public override string ToString() => $"{Path}: {Format} ({Status})";
}
