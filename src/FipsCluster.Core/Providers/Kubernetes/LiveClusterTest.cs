using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// Test-FipsCluster through a Kubernetes API, for whoever has one (an AWS cluster's provider, a kubeconfig without a
/// record): the rules that are not parameter binding — a kubeconfig is required, -NodeCheck Ssh needs a login — and the
/// one call into <see cref="KubernetesClusterCompliance"/>.
/// </summary>
public static class LiveClusterTest
{
    /// <param name="expected">What a record pins (null: a cluster without a record).</param>
    /// <param name="sshPort">The port -NodeCheck Ssh reaches nodes at (the caller decides between the given and the recorded one).</param>
    public static Task<ClusterComplianceReport> TestAsync(TestClusterOptions options, ComplianceProfile profile, KubernetesClusterExpectations? expected, int sshPort, OperationContext context)
    {
        if (options.Kubeconfig is null)
        {
            throw new FipsClusterException(ErrorIds.KubeconfigRequired, FipsErrorCategory.InvalidArgument,
                $"Cluster {expected?.ClusterName} runs Kubernetes: pass -Kubeconfig with its admin kubeconfig to test it through its API.", expected?.ClusterName);
        }
        // -NodeCheck Ssh without a login must say so, not quietly judge the cluster without its nodes.
        var nodeSsh = options.NodeCheck != "Ssh" ? null : options.Ssh
            ?? throw new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
                "-NodeCheck Ssh needs an SSH login: -KeyFilePath, -SshCredential, or a key in ~/.ssh (id_ecdsa, id_rsa, id_ed25519).", "KeyFilePath");
        var daemonSet = options.NodeCheck == "DaemonSet" ? options.DaemonSet : null;
        return KubernetesClusterCompliance.TestAsync(options.Kubeconfig, options.KubeContext, new KubernetesClusterTestOptions(profile)
        {
            NodeSsh = nodeSsh, SshPort = sshPort, ThrottleLimit = options.ThrottleLimit, DaemonSet = daemonSet, Expected = expected, NodeAddressType = options.NodeAddressType,
        }, context);
    }
}
