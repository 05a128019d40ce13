namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// All control planes of a cluster are launched by one RunInstances call with the same user data, but only one may
/// run kubeadm init: the instance EC2 launched first (ami-launch-index 0, read through IMDSv2). The others are left
/// for New-FipsCluster to join over SSH. IMDS_URL lets the same script be exercised against a local server.
/// </summary>
public static class ControlPlaneInit
{
    public const string ScriptPath = "/usr/local/sbin/fipscluster-init-control-plane";

    public const string Script = """
        #!/bin/sh
        # FipsCluster: kubeadm init on the control plane EC2 launched first (ami-launch-index 0) only.
        imds=${IMDS_URL:-http://169.254.169.254}
        token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$imds/latest/api/token") &&
          index=$(curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/ami-launch-index") || {
            echo 'FipsCluster: cannot read ami-launch-index from the instance metadata service (IMDSv2)' >&2; exit 1; }
        if [ "$index" != 0 ]; then
          echo "FipsCluster: control plane $index of the launch is joined over SSH, not initialized"
          exit 0
        fi
        exec kubeadm init --config /etc/kubernetes/kubeadm-config.yaml

        """;
}
