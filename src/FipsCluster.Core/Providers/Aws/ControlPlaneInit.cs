namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// All control planes of a cluster are launched by one RunInstances call with the same user data, but only one may
/// run kubeadm init: the instance EC2 launched first (ami-launch-index 0, read through IMDSv2). The others are left
/// for New-FipsCluster to join over SSH. kubeadm only lets control planes join a cluster that has a
/// controlPlaneEndpoint; with no load balancer provisioned, the first control plane's private address is written into
/// its configuration just before init (not HA: that address stays the endpoint). IMDS_URL and KUBEADM_CONFIG let the
/// same script be exercised against a local server and file.
/// </summary>
public static class ControlPlaneInit
{
    public const string ScriptPath = "/usr/local/sbin/fipscluster-init-control-plane";

    public const string Script = """
        #!/bin/sh
        # FipsCluster: kubeadm init on the control plane EC2 launched first (ami-launch-index 0) only.
        imds=${IMDS_URL:-http://169.254.169.254}
        config=${KUBEADM_CONFIG:-/etc/kubernetes/kubeadm-config.yaml}
        token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$imds/latest/api/token") &&
          index=$(curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/ami-launch-index") &&
          address=$(curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/local-ipv4") || {
            echo 'FipsCluster: cannot read ami-launch-index and local-ipv4 from the instance metadata service (IMDSv2)' >&2; exit 1; }
        if [ "$index" != 0 ]; then
          echo "FipsCluster: control plane $index of the launch is joined over SSH, not initialized"
          exit 0
        fi
        grep -q '^controlPlaneEndpoint:' "$config" || sed -i "/^kind: ClusterConfiguration\$/a controlPlaneEndpoint: \"$address:6443\"" "$config"
        exec kubeadm init --config "$config"

        """;
}
