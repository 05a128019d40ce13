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

    /// <summary>Kubernetes versions carry a leading v.</summary>
    public static string WithV(string version) => version.StartsWith('v') ? version : "v" + version;
}
