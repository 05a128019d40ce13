namespace FipsCluster;

/// <summary>The FIPS verdict on one certificate: key, signature, validity and the swarm FIPS marker.</summary>
public sealed class CertificateReport
{
    /// <summary>The file it came from (with its index in a PEM bundle as "#n"), or empty for a pipeline object.</summary>
    public string Path { get; init; } = "";

    public string Subject { get; init; } = "";

    public string Issuer { get; init; } = "";

    /// <summary>SHA-256 of the DER certificate, hex.</summary>
    public string Thumbprint { get; init; } = "";

    public DateTimeOffset NotBefore { get; init; }

    public DateTimeOffset NotAfter { get; init; }

    /// <summary>RSA, ECDSA, Ed25519, Ed448, DSA, or the OID when unknown.</summary>
    public string KeyAlgorithm { get; init; } = "";

    public int KeySize { get; init; }

    /// <summary>For ECDSA: P-256, P-384, P-521 or the curve OID.</summary>
    public string? Curve { get; init; }

    /// <summary>e.g. sha256RSA, sha384ECDSA, RSASSA-PSS, sha1RSA, md5RSA, Ed25519.</summary>
    public string SignatureAlgorithm { get; init; } = "";

    public bool IsSelfSigned { get; init; }

    public bool IsCertificateAuthority { get; init; }

    /// <summary>For swarm node certificates: the cluster ID from the Subject O (FIPS clusters: "FIPS.&lt;id&gt;").</summary>
    public string? SwarmClusterId { get; init; }

    /// <summary>For swarm node certificates: swarm-manager or swarm-worker (Subject OU).</summary>
    public string? SwarmRole { get; init; }

    /// <summary>Whether the swarm cluster ID carries the FIPS. prefix; null when not a swarm certificate.</summary>
    public bool? SwarmFips { get; init; }

    public IReadOnlyList<CheckResult> Checks { get; init; } = Array.Empty<CheckResult>();

    /// <summary>The worst status of the required checks.</summary>
    public CheckStatus Status { get; init; }

    /// <summary>When the verdict was reached.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Who judged it: the account and machine that ran the check (user@host).</summary>
    public string JudgedBy { get; init; } = "";

    public override string ToString() => $"{Subject}: {Status}";
}
