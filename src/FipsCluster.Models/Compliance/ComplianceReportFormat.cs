namespace FipsCluster;

/// <summary>What Export-FipsComplianceReport writes.</summary>
public enum ComplianceReportFormat
{
    /// <summary>One self-contained page for people: summary chart, a targets × checks matrix, every check's detail.</summary>
    Html,

    /// <summary>JUnit XML for CI systems: one testsuite per target, one testcase per check.</summary>
    JUnit,

    /// <summary>An XCCDF 1.2 Benchmark with one TestResult per target, for SCAP tools.</summary>
    Xccdf,

    /// <summary>One row per target and check.</summary>
    Csv,

    /// <summary>A summary table and the failing checks, for a wiki or a pull request comment.</summary>
    Markdown,
}

/// <summary>What was judged: a node, a cluster as a whole, or one artifact.</summary>
public enum ComplianceTargetKind
{
    Node,
    Cluster,
    GoBinary,
    Certificate,
    PrivateKey,
    TlsEndpoint,
}
