using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// How <see cref="KubernetesClusterCompliance"/> tests a cluster: the profile it is judged against and, optionally,
/// how its nodes' hosts are judged too (over SSH, or by a pod on every node) and what a cluster record pins.
/// </summary>
public sealed record KubernetesClusterTestOptions(ComplianceProfile Profile)
{
    /// <summary>-NodeCheck Ssh: every node's host is also judged with Test-FipsNode over SSH with these options.</summary>
    public SshOptions? NodeSsh { get; init; }

    /// <summary>The port the nodes' sshd listens on (with <see cref="NodeSsh"/>).</summary>
    public int SshPort { get; init; } = 22;

    /// <summary>How many nodes are judged over SSH at once.</summary>
    public int ThrottleLimit { get; init; } = 32;

    /// <summary>The Node address the SSH check connects to: InternalIP, or ExternalIP from outside the cluster's network (any Node address type).</summary>
    public string NodeAddressType { get; init; } = "InternalIP";

    /// <summary>-NodeCheck DaemonSet: every node's host is judged by a pod of its own.</summary>
    public DaemonSetNodeCheck? DaemonSet { get; init; }

    /// <summary>What the cluster's record pins (exact versions and images): drift from it is a finding.</summary>
    public KubernetesClusterExpectations? Expected { get; init; }
}
