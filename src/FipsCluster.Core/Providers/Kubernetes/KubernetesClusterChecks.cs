using FipsCluster.Core.Compliance;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// The checks Test-FipsCluster -Kubeconfig runs on a live Kubernetes cluster, described once; KubernetesClusterCompliance
/// reports them from here.
/// </summary>
public static class KubernetesClusterChecks
{
    private const string Approved = "approved suites only (TLS 1.2 ECDHE with AES-GCM, TLS 1.3 AES-GCM)";
    private const string OnTheWire = "Test-FipsTlsEndpoint's rules decide: only TLS 1.2/1.3 (TLS-01) and approved suites (TLS-02) accepted, and a certificate chain that passes CRT-01 to CRT-03 (TLS-03).";

    /// <summary>Which kube-system pods the control-plane checks read (anything else named like a component is ignored and listed).</summary>
    private const string StaticPods = "the static (mirror) pods of control-plane nodes only: annotation kubernetes.io/config.mirror, an ownerReference to that Node, "
        + "named <component>-<node>, on a node labelled node-role.kubernetes.io/control-plane; every instance is judged and must pass, a flag given twice counts by its last value";

    public static readonly CheckInfo ApiServerBuild = new("K8S-VER-01", "API server is a FIPS build", CheckScope.Provenance, "kube-apiserver /version; kubeadm/DKP build metadata")
    {
        Severity = CheckSeverity.High,
        Judges = "The API server's Go runtime is a BoringCrypto, Go FIPS 140-3 or OpenSSL-backed build (goVersion with X:boringcrypto or X:strictfipsruntime; a +fips gitVersion is noted); "
            + "for a recorded cluster its gitVersion is also exactly the recorded version.",
        Reads = "GET /version (gitVersion, goVersion)",
    };

    public static readonly CheckInfo KubeletBuilds = new("K8S-NODE-02", "Every kubelet is a FIPS build", CheckScope.Provenance, "DKP konvoy-image-builder; kubeadm KubernetesVersionToImageTag")
    {
        Severity = CheckSeverity.High,
        Judges = "Every node's kubelet version carries a +fips build tag (for a recorded cluster: is exactly the recorded version).",
        Reads = $"GET /api/v1/nodes in pages of {KubernetesClusterCompliance.PageSize} (status.nodeInfo.kubeletVersion)",
    };

    public static readonly CheckInfo KubeletTls = new("K8S-TLS-03", "Kubelet TLS settings are approved", CheckScope.Algorithm, "CaC kubelet_configure_tls_cipher_suites, kubelet_configure_tls_min_version")
    {
        Severity = CheckSeverity.High,
        Judges = $"Every kubelet's live configuration sets tlsCipherSuites to {Approved} and tlsMinVersion VersionTLS12 or VersionTLS13; unset suites (Go's defaults) fail; "
            + "a configuration that cannot be read is Error.",
        Reads = "GET /api/v1/nodes/<node>/proxy/configz, 16 nodes at a time",
    };

    public static readonly CheckInfo ControlPlaneImages = new("K8S-IMG-01", "Control-plane images are FIPS builds", CheckScope.Provenance, "DKP _fips.N image tags; kubeadm KubernetesVersionToImageTag")
    {
        Severity = CheckSeverity.High,
        Judges = "The kube-apiserver, kube-controller-manager, kube-scheduler and etcd containers run images tagged _fips.N (for a recorded cluster: exactly the recorded images).",
        Reads = "GET /api/v1/namespaces/kube-system/pods (paged): the images of " + StaticPods,
    };

    public static readonly CheckInfo ApiServerSuites = new("K8S-TLS-01", "API server cipher suites are approved", CheckScope.Algorithm, "STIG CNTR-K8-001400; Go crypto/tls defaults_boring.go")
    {
        Severity = CheckSeverity.High,
        Judges = $"Every kube-apiserver's --tls-cipher-suites lists {Approved}; unset fails (Go's defaults include ChaCha20 and CBC-SHA1 suites); an instance that differs fails the check by name.",
        Reads = "kube-apiserver's command and arguments in " + StaticPods,
    };

    public static readonly CheckInfo ApiServerMinTls = new("K8S-TLS-02", "API server minimum TLS version", CheckScope.Algorithm, "NIST SP 800-52r2")
    {
        Severity = CheckSeverity.High,
        Judges = "Every kube-apiserver's --tls-min-version is VersionTLS12 or VersionTLS13; unset fails; an instance that differs fails the check by name.",
        Reads = "kube-apiserver's command and arguments in " + StaticPods,
    };

    public static readonly CheckInfo EncryptionAtRest = new("K8S-ENC-01", "Secrets are encrypted at rest", CheckScope.Algorithm, "CaC api_server_encryption_provider_cipher")
    {
        Severity = CheckSeverity.High,
        Judges = "Every kube-apiserver has --encryption-provider-config; without it secrets are stored unencrypted (fail). Without a node check the flag alone is a Warning: the providers are in "
            + "a file on the control-plane hosts. With -NodeCheck Ssh or DaemonSet, the NODE-KENC-01 results of the nodes labelled control-plane decide (each from its own report): "
            + "aescbc, aesgcm or kms first for secrets.",
        Reads = "kube-apiserver's flags in " + StaticPods + "; with a node check, NODE-KENC-01 of every control-plane node",
    };

    public static readonly CheckInfo ControllerSchedulerTls = new("K8S-TLS-04", "Controller manager and scheduler TLS settings are approved", CheckScope.Algorithm, "STIG CNTR-K8-001400; kube-controller-manager and kube-scheduler flags")
    {
        Severity = CheckSeverity.High,
        Judges = $"Every kube-controller-manager and kube-scheduler sets --tls-cipher-suites to {Approved} and --tls-min-version VersionTLS12 or VersionTLS13; "
            + "Error when neither is found.",
        Reads = "their command and arguments in " + StaticPods,
    };

    public static readonly CheckInfo EtcdSuites = new("K8S-TLS-05", "etcd cipher suites are approved", CheckScope.Algorithm, "etcd --cipher-suites; CaC etcd_check_cipher_suite; Go crypto/tls defaults_boring.go")
    {
        Severity = CheckSeverity.High,
        Judges = $"Every etcd member's --cipher-suites lists {Approved}; unset fails; Error when no etcd static pod is found.",
        Reads = "etcd's command and arguments in " + StaticPods,
    };

    public static readonly CheckInfo ApiServerEndpoint = new("K8S-TLS-06", "API server endpoint accepts only approved TLS", CheckScope.Algorithm, "Test-FipsTlsEndpoint (TLS-01..03)")
    {
        Severity = CheckSeverity.High,
        Judges = "On the wire, when the API server is reached over https: " + OnTheWire,
        Reads = "TLS handshakes with the kubeconfig's server, one per protocol version and per cipher suite",
    };

    public static readonly CheckInfo EtcdEndpoint = new("K8S-TLS-07", "etcd client endpoint accepts only approved TLS", CheckScope.Algorithm, "Test-FipsTlsEndpoint (TLS-01..03)")
    {
        Severity = CheckSeverity.High,
        Judges = "On the wire, every etcd member that advertises a client URL, each at its own https URLs: " + OnTheWire + " A member advertising only http:// fails.",
        Reads = "each trusted etcd static pod's --advertise-client-urls (not its listen URLs, which name loopback), then TLS handshakes with each",
    };

    public static readonly CheckInfo NodeHosts = new("K8S-NODE-01", "Every node's host is in FIPS mode", CheckScope.Mode, "CaC fips_mode_enabled_on_all_nodes")
    {
        Severity = CheckSeverity.High,
        Judges = "With -NodeCheck Ssh or DaemonSet: every listed node has a report of its own, and it is compliant with the profile's Test-FipsNode checks. "
            + "Credited by node name, never by count: an address two nodes report is scanned once and credited to neither (both are named); "
            + "Error when the node-check pods could not run. Not reported without a node check.",
        Reads = "Test-FipsNode over SSH on each node's InternalIP (or -NodeAddressType ExternalIP), or the logs of one short-lived pod per node "
            + "(not privileged: CAP_SYS_CHROOT only, the host's root mounted recursively read-only), which runs the same facts script chrooted into the node",
    };

    /// <summary>The checks judged from the control plane's static pods (their images and flags).</summary>
    public static IReadOnlyList<CheckInfo> ControlPlaneFlags { get; } = new[] { ControlPlaneImages, ApiServerSuites, ApiServerMinTls, EncryptionAtRest, ControllerSchedulerTls, EtcdSuites };

    public static IReadOnlyList<CheckInfo> All { get; } = new[]
    {
        ApiServerBuild, KubeletBuilds, KubeletTls, ControlPlaneImages, ApiServerSuites, ApiServerMinTls, EncryptionAtRest, ControllerSchedulerTls, EtcdSuites,
        ApiServerEndpoint, EtcdEndpoint, NodeHosts,
    };
}
