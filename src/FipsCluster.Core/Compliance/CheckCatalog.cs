using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Compliance.Artifacts;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Providers.Kubernetes;

namespace FipsCluster.Core.Compliance;

/// <summary>One group of checks: who runs them, and their catalogue entries.</summary>
public sealed record CheckCatalogSection(string Name, string RunBy, IReadOnlyList<CheckInfo> Checks);

/// <summary>Every check the module can report, grouped by the code that runs it: the source of about_FipsCluster_Checks.</summary>
public static class CheckCatalog
{
    public static IReadOnlyList<CheckCatalogSection> Sections { get; } = new CheckCatalogSection[]
    {
        new("Linux node checks",
            "Test-FipsNode on the local machine, a mounted image (-Root) or over SSH; also New-FipsCluster's preflight, Add-FipsClusterNode's admission "
            + "and Test-FipsCluster's node checks.",
            LinuxNodeChecks.All),
        new("Node artifact checks",
            "Test-FipsNode on Linux when the profile selects them (both built-in profiles do): the node's component binaries, cluster PKI and "
            + "Kubernetes encryption configuration, judged by the same code as the artifact cmdlets.",
            NodeArtifactChecks.All),
        new("Windows node checks", "Test-FipsNode on the local Windows machine.", WindowsNodeChecks.All),
        new("Profile checks", "Test-FipsNode on every platform, when the profile selects them.", CommonNodeChecks.All),
        new("Certificate, private key and TLS endpoint checks",
            "Test-FipsCertificate (CRT), Test-FipsPrivateKey (KEY) and Test-FipsTlsEndpoint (TLS); the node checks NODE-CRT-01 and NODE-KEY-01 and "
            + "the endpoint checks K8S-TLS-06 and K8S-TLS-07 apply the same rules.",
            ArtifactCheckCatalog.All),
        new("Swarm cluster checks", "Test-FipsCluster on a cluster recorded by New-FipsCluster -Provider Swarm.", SwarmClusterChecks.All),
        new("Kubernetes cluster checks",
            "Test-FipsCluster -Kubeconfig, on any Kubernetes cluster whose API it can reach. The checks read from the control plane's static pods ("
            + string.Join(", ", KubernetesClusterChecks.ControlPlaneFlags.Select(c => c.Id))
            + ") are Unknown when kube-system has none: a managed (EKS, GKE, AKS) or embedded (k3s) control plane, whose images and flags the API does not show.",
            KubernetesClusterChecks.All),
    };

    /// <summary>Every check, once.</summary>
    public static IEnumerable<CheckInfo> All => Sections.SelectMany(s => s.Checks);
}
