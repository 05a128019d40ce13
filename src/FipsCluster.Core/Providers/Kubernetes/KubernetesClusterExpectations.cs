namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// What a cluster record pins (an AWS cluster created by New-FipsCluster): the exact Kubernetes version and the exact
/// control-plane and etcd images, so drift from the record is a finding even when the drifted build is also "+fips".
/// </summary>
public sealed record KubernetesClusterExpectations(string ClusterName, FipsClusterProvider Provider, bool Fips, string KubernetesVersion)
{
    /// <summary>The repository of the control-plane images (kubeadm imageRepository); null when the record does not pin it.</summary>
    public string? KubernetesImageRepository { get; init; }

    /// <summary>The repository of the etcd image; null when the record does not pin it.</summary>
    public string? EtcdImageRepository { get; init; }

    /// <summary>The etcd version (its image tag); null when the record does not pin it.</summary>
    public string? EtcdVersion { get; init; }

    public static KubernetesClusterExpectations FromRecord(FipsClusterRecord record)
    {
        var spec = record.AwsSpec ?? throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument,
            $"Cluster {record.Name} ({record.Provider}) has no Kubernetes spec to test against.", record.Name);
        return new(record.Name, record.Provider, record.Fips, Aws.KubernetesVersions.WithV(spec.KubernetesVersion))
        {
            KubernetesImageRepository = spec.KubernetesImageRepository, EtcdImageRepository = spec.EtcdImageRepository, EtcdVersion = spec.EtcdVersion,
        };
    }

    /// <summary>The pinned image of a control-plane component, as kubeadm derives it; null when the record does not pin it.</summary>
    public string? ImageFor(string component) => component switch
    {
        "etcd" => EtcdImageRepository is { } etcdRepository && EtcdVersion is { } etcdVersion ? $"{etcdRepository}/etcd:{Aws.KubernetesVersions.EtcdImageTag(etcdVersion)}" : null,
        "kube-apiserver" or "kube-controller-manager" or "kube-scheduler" or "kube-proxy" when KubernetesImageRepository is { } repository
            => $"{repository}/{component}:{Aws.KubernetesVersions.ImageTag(KubernetesVersion)}",
        _ => null,
    };
}
