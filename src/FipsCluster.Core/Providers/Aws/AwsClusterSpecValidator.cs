using System.Text.RegularExpressions;
using FipsCluster.Core.Clusters;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>What can be said about a spec before any AWS call: every problem at once, in one error.</summary>
public static partial class AwsClusterSpecValidator
{
    [GeneratedRegex(@"^ami-[0-9a-f]{8,17}\z")]
    private static partial Regex AmiId();

    [GeneratedRegex(@"^[a-z]{2}(-gov)?-[a-z]+-\d\z")]
    private static partial Regex Region();

    /// <summary>
    /// The name first (<see cref="ClusterNames.Rule"/>, its own error), then every other problem at once. Image
    /// repositories left empty are not a problem: <see cref="AwsClusterSpecDefaults"/> fills them the DKP way.
    /// </summary>
    public static void Validate(AwsClusterSpec spec)
    {
        ClusterNames.Validate(spec.Name);
        var problems = new List<string>();
        if (!AmiId().IsMatch(spec.Ami))
        {
            problems.Add($"-Ami '{spec.Ami}' is not an AMI ID (ami-…)");
        }
        if (!Region().IsMatch(spec.Region))
        {
            problems.Add($"-Region '{spec.Region}' is not an AWS region (e.g. us-east-1)");
        }
        if (spec.Architecture is not ("x86_64" or "arm64"))
        {
            problems.Add($"architecture '{spec.Architecture}' must be x86_64 or arm64");
        }
        if (spec.ControlPlaneCount is not (1 or 3 or 5))
        {
            problems.Add($"{spec.ControlPlaneCount} control-plane nodes: use 1, 3 or 5 (etcd needs an odd quorum)");
        }
        if (spec.WorkerCount is < 0 or > 1000)
        {
            problems.Add($"{spec.WorkerCount} workers is out of range (0-1000)");
        }
        if (!Regex.IsMatch(spec.KubernetesVersion, @"^v?\d+\.\d+\.\d+(\+[0-9A-Za-z.-]+)?\z"))
        {
            problems.Add($"-KubernetesVersion '{spec.KubernetesVersion}' is not a Kubernetes version (e.g. v1.29.6+fips.0)");
        }
        if (spec.Fips)
        {
            if (!KubernetesVersions.IsFipsBuild(spec.KubernetesVersion))
            {
                problems.Add($"a FIPS cluster needs a FIPS build of Kubernetes: -KubernetesVersion X.Y.Z+fips.N, not '{spec.KubernetesVersion}'");
            }
            if (spec.EtcdVersion is null || !KubernetesVersions.IsFipsBuild(spec.EtcdVersion))
            {
                problems.Add($"a FIPS cluster needs a FIPS build of etcd: -EtcdVersion X.Y.Z+fips.N, not '{spec.EtcdVersion}'");
            }
        }
        if (problems.Count > 0)
        {
            throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument,
                $"The cluster spec for '{spec.Name}' is not valid: " + string.Join("; ", problems) + ".", spec.Name);
        }
    }
}
