using FipsCluster.Core.Compliance.Artifacts.Keys;

namespace FipsCluster.Core.Compliance.Artifacts;

/// <summary>
/// The checks of Test-FipsCertificate, Test-FipsPrivateKey and Test-FipsTlsEndpoint (also run by the node checks
/// NODE-CRT-01/NODE-KEY-01 and the endpoint probes K8S-TLS-06/07): their one description, which the analyzers use.
/// </summary>
public static class ArtifactCheckCatalog
{
    private const string KeyRule = "RSA of at least 2048 bits (sizes other than 2048, 3072 and 4096 are noted), or ECDSA P-256, P-384 or P-521; P-224 is a Warning; "
        + "Ed25519 and Ed448 pass under FIPS 140-3 (FIPS 186-5) and fail under FIPS 140-2; DSA, X25519, X448 and other curves fail.";

    public static readonly CheckInfo CertificateKey = new("CRT-01", "Certificate key algorithm and size", CheckScope.Algorithm, "SP 800-131A Rev.2; FIPS 186-5; Go crypto/tls defaults_boring.go")
    {
        Severity = CheckSeverity.High,
        Judges = "The certificate's public key: " + KeyRule,
        Reads = "the certificate's subject public key (PEM, DER or an X509Certificate2)",
    };

    public static readonly CheckInfo CertificateSignature = new("CRT-02", "Certificate signature algorithm", CheckScope.Algorithm, "SP 800-131A Rev.2; crypto-policies sha1_in_certs = 0")
    {
        Severity = CheckSeverity.High,
        Judges = "The signature hash is SHA-256 or stronger (ECDSA, RSA PKCS#1 v1.5, or RSA-PSS whose MGF1 hash counts too); SHA-224 is a Warning; MD5 and SHA-1 fail, "
            + "except a self-signed trust anchor's own signature, which nobody relies on (Informational). EdDSA passes under FIPS 140-3 and fails under FIPS 140-2; "
            + "DSA fails under FIPS 140-3 and is a Warning under FIPS 140-2.",
        Reads = "the certificate's signatureAlgorithm, with the RSASSA-PSS parameters",
    };

    public static readonly CheckInfo CertificateValidity = new("CRT-03", "Certificate validity period", CheckScope.Configuration, "RFC 5280 §4.1.2.5")
    {
        Severity = CheckSeverity.Medium,
        Judges = $"The certificate is valid now and for more than {new CertificateCheckOptions().ExpiryWarning.TotalDays:0} days; expiring sooner is a Warning; expired or not yet valid fails.",
        Reads = "the certificate's notBefore and notAfter",
    };

    public static readonly CheckInfo LegacyPemEncryption = new("KEY-01", "No legacy PEM encryption (Proc-Type/DEK-Info)", CheckScope.Algorithm, "Go crypto/x509 pem_decrypt.go (MD5 key derivation); RFC 1423")
    {
        Severity = CheckSeverity.High,
        Judges = "The key has no Proc-Type: 4,ENCRYPTED or DEK-Info header: legacy PEM encryption derives its key with one round of MD5 (EVP_BytesToKey), whatever the cipher, and always fails.",
        Reads = "the key file's PEM headers (the key is never decrypted)",
    };

    public static readonly CheckInfo Pkcs8Encryption = new("KEY-02", "PKCS#8 encryption uses PBES2/PBKDF2 with approved parameters", CheckScope.Algorithm, "RFC 8018; SP 800-132; OpenSSL EVP_KDF-PBKDF2(7); swarmkit ca/pkcs8/pkcs8.go")
    {
        Severity = CheckSeverity.High,
        Judges = $"An encrypted PKCS#8 key uses PBES2 with PBKDF2 (HMAC-SHA-2 or SHA-3), at least {PrivateKeyAnalyzer.MinimumIterations} iterations, a salt of at least {PrivateKeyAnalyzer.MinimumSaltLength} bytes and AES. "
            + "PBES1, PKCS#12 PBE, scrypt, a non-AES cipher, an unapproved PRF and OpenSSH's bcrypt_pbkdf fail; HMAC-SHA1, parameters below those floors and swarmkit's "
            + "8-byte salt are a Warning. Not applicable to an unencrypted key or legacy PEM encryption (KEY-01).",
        Reads = "the EncryptedPrivateKeyInfo's algorithm parameters (scheme, KDF, PRF, iterations, salt length, cipher), never the key",
    };

    public static readonly CheckInfo KeyFileMode = new("KEY-03", "Private key file permissions", CheckScope.Configuration, "CIS Kubernetes 1.1.20/4.1.x (key files 0600)")
    {
        Severity = CheckSeverity.Medium,
        Judges = "The key file is 0600 or stricter: readable by its group is a Warning; readable by any user is a Warning for an encrypted key and fails for an unencrypted one. "
            + "Error when the mode cannot be read; not applicable on Windows (ACLs govern access there).",
        Reads = "the file's mode",
    };

    public static readonly CheckInfo Pkcs8Format = new("KEY-04", "Private key stored as PKCS#8", CheckScope.Configuration, "swarmkit ca/keyutils/keyutils.go")
    {
        Severity = CheckSeverity.Low,
        Judges = "The key is stored as PKCS#8 (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY). PKCS#1, SEC 1 and OpenSSH formats are a Warning; legacy PEM encryption fails.",
        Reads = "the key file's PEM label or DER structure",
    };

    public static readonly CheckInfo KeyAlgorithm = new("KEY-05", "Private key algorithm and size", CheckScope.Algorithm, "SP 800-131A Rev.2; FIPS 186-5")
    {
        Severity = CheckSeverity.High,
        Judges = "The key: " + KeyRule + " Informational when the algorithm or size is inside the encrypted data.",
        Reads = "the key's algorithm identifier and public parameters (unencrypted keys; encrypted keys only as far as their headers show)",
    };

    public static readonly CheckInfo TlsProtocols = new("TLS-01", "TLS 1.2 or 1.3 only", CheckScope.Algorithm, "NIST SP 800-52r2")
    {
        Severity = CheckSeverity.High,
        Judges = "The endpoint accepts TLS 1.2 and/or 1.3 and neither TLS 1.0 nor 1.1; Error when no version is accepted. Versions this machine's own TLS library refuses to offer are listed as not probed, not as refused.",
        Reads = "one TLS handshake per protocol version",
    };

    public static readonly CheckInfo TlsCipherSuites = new("TLS-02", "Only FIPS-approved cipher suites accepted", CheckScope.Algorithm, "Go crypto/tls defaults_boring.go; STIG CNTR-K8-001400")
    {
        Severity = CheckSeverity.High,
        Judges = "Every suite the endpoint accepts is approved: TLS 1.2 ECDHE with AES-GCM, TLS 1.3 AES-GCM. The ECDHE AES-CBC-SHA256 suites of Go's FIPS 140-3 mode are a Warning; "
            + "anything else accepted (RSA key transport, CBC-SHA1, 3DES, ChaCha20, including TLS 1.3 ChaCha20, which only a FIPS-mode binary refuses) fails; Error when no suite is accepted.",
        Reads = $"one handshake per suite: {FipsTlsPolicy.ProbedTls12.Length} TLS 1.2 and {FipsTlsPolicy.ProbedTls13.Length} TLS 1.3 suites",
    };

    public static readonly CheckInfo TlsCertificateChain = new("TLS-03", "Certificate chain uses FIPS algorithms", CheckScope.Algorithm, "NIST SP 800-131A r2")
    {
        Severity = CheckSeverity.High,
        Judges = "Every certificate the server presents passes CRT-01, CRT-02 and CRT-03; the worst decides. Reported when the server presented a chain.",
        Reads = "the certificate chain of the first accepted handshake",
    };

    public static readonly CheckInfo GoCryptoModule = new("BIN-01", "Go binary uses a FIPS crypto module", CheckScope.Provenance, "rsc/goversion version/read.go; golang/go debug/buildinfo; CMVP #5247 (Go Cryptographic Module v1.0.0)")
    {
        Severity = CheckSeverity.High,
        Judges = "Test-FipsBinary's verdict on one binary: Go+BoringCrypto confirmed by cgo and its symbols or marker, or Go's FIPS 140-3 module v1.0.0 selected by GOFIPS140, passes; "
            + "OpenSSL-backed builds (FIPS only when the host's OpenSSL is) and unvalidated GOFIPS140 modules are a Warning; standard Go crypto fails; not applicable to a file that is not Go "
            + "or links no crypto. A Go binary shipped without its .go.buildinfo section is judged from its runtime.modinfo blob, runtime.buildVersion string and sig markers "
            + "(Unknown when the modinfo blob is gone too, unless BoringCrypto is linked); Error when the file cannot be read or its build info section is damaged, "
            + "Unknown when the build information contradicts itself. Exports show it as the binary's one check.",
        Reads = "the binary's build information (.go.buildinfo, else runtime.modinfo and runtime.buildVersion), crypto sig markers and BoringCrypto symbols",
    };

    public static IReadOnlyList<CheckInfo> All { get; } = new[]
    {
        GoCryptoModule,
        CertificateKey, CertificateSignature, CertificateValidity,
        LegacyPemEncryption, Pkcs8Encryption, KeyFileMode, Pkcs8Format, KeyAlgorithm,
        TlsProtocols, TlsCipherSuites, TlsCertificateChain,
    };
}
