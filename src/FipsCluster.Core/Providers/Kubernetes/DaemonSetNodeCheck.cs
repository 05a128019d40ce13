namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// -NodeCheck DaemonSet's settings: the image whose chroot starts the facts script — by digest, never a tag that can be
/// moved under the check — and how long pods may take (also the pods' own deadline, so they end without the client).
/// </summary>
public sealed record DaemonSetNodeCheck
{
    public DaemonSetNodeCheck(string image, TimeSpan timeout)
    {
        Image = DaemonSetNodeProbe.RequirePinnedImage(image);
        Timeout = timeout;
    }

    public string Image { get; }

    public TimeSpan Timeout { get; }

    /// <summary>See <see cref="DaemonSetNodeProbe.ContentAddressed"/> (on unless a comparison turns it off).</summary>
    public bool ContentAddressed { get; init; } = true;
}
