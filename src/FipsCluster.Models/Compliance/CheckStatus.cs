namespace FipsCluster;

/// <summary>
/// The outcome of one check, after XCCDF 1.2's rule-result vocabulary (what OpenSCAP reports), plus Warning
/// for a pass with a finding worth acting on. Error and Unknown are never a pass.
/// </summary>
public enum CheckStatus
{
    /// <summary>The evidence shows the requirement is met.</summary>
    Pass,

    /// <summary>Met, but with a finding worth acting on (e.g. a setting below a recommended floor).</summary>
    Warning,

    /// <summary>The evidence shows the requirement is not met.</summary>
    Fail,

    /// <summary>The check could not run (unreadable file, command failed, node unreachable).</summary>
    Error,

    /// <summary>The check ran but its evidence could not be interpreted.</summary>
    Unknown,

    /// <summary>The requirement does not apply to this node (e.g. /etc/system-fips on RHEL 9).</summary>
    NotApplicable,

    /// <summary>Reported for the record; never affects compliance.</summary>
    Informational,
}

/// <summary>How much a failing check matters (InSpec's impact bands: none &lt; 0.01 ≤ low &lt; 0.4 ≤ medium &lt; 0.7 ≤ high &lt; 0.9 ≤ critical).</summary>
public enum CheckSeverity
{
    None,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>What a check speaks about: FIPS mode being on, which validated module provides it, or an algorithm/key choice.</summary>
public enum CheckScope
{
    Mode,
    Configuration,
    Provenance,
    Algorithm,
}

/// <summary>The overall verdict on a node.</summary>
public enum ComplianceStatus
{
    /// <summary>Every required check passed (or does not apply).</summary>
    Compliant,

    /// <summary>At least one required check failed, erred or could not be interpreted.</summary>
    NonCompliant,

    /// <summary>The node could not be examined at all (unreachable, authentication, host key, timeout).</summary>
    Error,
}

/// <summary>How the facts of a node were read.</summary>
public enum NodeTransport
{
    Local,
    Root,
    Ssh,

    /// <summary>A pod of Test-FipsCluster's node-check DaemonSet, chrooted into the node's root.</summary>
    KubernetesPod,
}
