using System.Text.RegularExpressions;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// Kubernetes and etcd version strings as DKP pins FIPS builds: SemVer build metadata "+fips.N" on the version, and
/// image tags with "_" for "+" because "+" is not allowed in a tag — the transform kubeadm applies
/// (KubernetesVersionToImageTag: every character outside [-a-zA-Z0-9_.] becomes "_").
/// </summary>
public static partial class KubernetesVersions
{
    [GeneratedRegex(@"^v?\d+\.\d+\.\d+\+fips\.\d+$")]
    private static partial Regex FipsVersion();

    [GeneratedRegex(@"[^-a-zA-Z0-9_.]")]
    private static partial Regex NotTagCharacter();

    /// <summary>Whether the version names a FIPS build (X.Y.Z+fips.N, with or without the leading v).</summary>
    public static bool IsFipsBuild(string version) => FipsVersion().IsMatch(version);

    /// <summary>v1.22.8+fips.0 → v1.22.8_fips.0, as kubeadm derives the control-plane image tags.</summary>
    public static string ImageTag(string version) => NotTagCharacter().Replace(WithV(version), "_");

    /// <summary>The etcd image tag: a FIPS build gets DKP's form v3.5.5_fips.0 ("add a v, append _fips.N"); other versions are used as given (3.5.5-0).</summary>
    public static string EtcdImageTag(string version) => IsFipsBuild(version) ? ImageTag(version) : version;

    /// <summary>Major and minor of a version (v1.31.2+fips.0 → (1, 31)).</summary>
    public static (int Major, int Minor) MajorMinor(string version)
    {
        var match = MajorMinorPattern().Match(version);
        if (!match.Success)
        {
            throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument, $"'{version}' is not a Kubernetes version (e.g. v1.29.6+fips.0).", version);
        }
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)\.")]
    private static partial Regex MajorMinorPattern();

    public const string KubeadmV1Beta3 = "kubeadm.k8s.io/v1beta3";

    public const string KubeadmV1Beta4 = "kubeadm.k8s.io/v1beta4";

    /// <summary>
    /// The kubeadm configuration API a cluster's kubeadm reads best: v1beta4 from Kubernetes 1.31 (where v1beta3 is
    /// deprecated), v1beta3 below (kubeadm 1.22-1.30 know no v1beta4).
    /// </summary>
    public static string KubeadmApiVersion(string kubernetesVersion) =>
        MajorMinor(kubernetesVersion) is var (major, minor) && (major > 1 || minor >= 31) ? KubeadmV1Beta4 : KubeadmV1Beta3;

    /// <summary>Kubernetes versions carry a leading v.</summary>
    public static string WithV(string version) => version.StartsWith('v') ? version : "v" + version;
}
