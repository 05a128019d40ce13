namespace FipsCluster;

/// <summary>One offered protocol/suite and what the server did with it.</summary>
public sealed class TlsSuiteResult
{
    /// <summary>Tls12 or Tls13 (older protocols are probed by version only).</summary>
    public string Protocol { get; init; } = "";

    /// <summary>IANA name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.</summary>
    public string CipherSuite { get; init; } = "";

    public bool Accepted { get; init; }

    /// <summary>Whether the suite is on the profile's approved list.</summary>
    public bool Approved { get; init; }

    public override string ToString() => $"{Protocol} {CipherSuite}: {(Accepted ? "accepted" : "refused")}";
}

/// <summary>The FIPS verdict on a TLS endpoint: accepted protocol versions and suites, and its certificate chain.</summary>
public sealed class TlsEndpointReport
{
    public string ComputerName { get; init; } = "";

    public int Port { get; init; }

    /// <summary>Protocol versions the server accepted (e.g. Tls12, Tls13).</summary>
    public IReadOnlyList<string> Protocols { get; init; } = Array.Empty<string>();

    public IReadOnlyList<TlsSuiteResult> CipherSuites { get; init; } = Array.Empty<TlsSuiteResult>();

    /// <summary>The accepted suites that are not approved: the findings.</summary>
    public IReadOnlyList<string> UnapprovedAccepted { get; init; } = Array.Empty<string>();

    public IReadOnlyList<CertificateReport> Certificates { get; init; } = Array.Empty<CertificateReport>();

    public IReadOnlyList<CheckResult> Checks { get; init; } = Array.Empty<CheckResult>();

    public CheckStatus Status { get; init; }

    /// <summary>When the verdict was reached.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Who judged it: the account and machine that ran the check (user@host).</summary>
    public string JudgedBy { get; init; } = "";

    public override string ToString() => $"{ComputerName}:{Port}: {Status}";
}
