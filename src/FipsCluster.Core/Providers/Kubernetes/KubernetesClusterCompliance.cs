using System.Diagnostics;
using System.Net.Security;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Core.Operations;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// Test-FipsCluster for a live Kubernetes cluster, through its API: the API server's Go crypto and build, every
/// node's kubelet build (listed page by page, never all at once), and the control-plane pods' images and TLS flags
/// judged against the approved suites kept in <see cref="FipsTlsPolicy"/>. A failing API call makes only the checks
/// that needed it Error.
/// </summary>
public static class KubernetesClusterCompliance
{
    public const int PageSize = 500;

    private static readonly HashSet<string> ControlPlaneComponents = new(StringComparer.Ordinal) { "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd" };

    /// <summary>Connects with a kubeconfig (and context) and tests the cluster; the client never leaves the engine.</summary>
    public static async Task<ClusterComplianceReport> TestAsync(string kubeconfigPath, string? kubeContext, ComplianceProfile profile, OperationContext context,
        Remoting.SshOptions? nodeSsh = null, int sshPort = 22, int throttle = 32, DaemonSetNodeCheck? daemonSet = null, KubernetesClusterExpectations? expected = null,
        string nodeAddressType = "InternalIP")
    {
        var configuration = KubeconfigClient.Load(kubeconfigPath, kubeContext, context);
        using var client = new k8s.Kubernetes(configuration);
        var name = expected?.ClusterName ?? kubeContext ?? configuration.CurrentContext ?? configuration.Host;
        try
        {
            return await TestAsync(client, name, profile, context, nodeSsh, sshPort, throttle, daemonSet, expected, nodeAddressType).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not FipsClusterException && !context.Cancellation.IsCancellationRequested)
        {
            // An API that cannot be reached (or whose TLS or credentials fail) leaves nothing to judge: one error for the cluster.
            throw FailureClassifier.Classify(ex, configuration.Host, $"{name} (the Kubernetes API at {configuration.Host})", KubeconfigClient.Secrets(configuration));
        }
    }

    /// <summary>
    /// With SSH options (-NodeCheck Ssh), every node's host is also judged with Test-FipsNode on its address of
    /// <paramref name="nodeAddressType"/> (InternalIP unless told; ExternalIP from outside the cluster's network), in
    /// parallel; with a DaemonSet node check, by a pod on every node (started first, so it schedules while the API is read).
    /// </summary>
    public static async Task<ClusterComplianceReport> TestAsync(IKubernetes client, string clusterName, ComplianceProfile profile, OperationContext context,
        Remoting.SshOptions? nodeSsh = null, int sshPort = 22, int throttle = 32, DaemonSetNodeCheck? daemonSet = null, KubernetesClusterExpectations? expected = null,
        string nodeAddressType = "InternalIP")
    {
        var probe = daemonSet is null ? null : new DaemonSetNodeProbe(client, profile, context) { Image = daemonSet.Image, Timeout = daemonSet.Timeout };
        var probing = probe?.RunAsync(clusterName);
        try
        {
            return await TestApiAsync(client, clusterName, profile, context, nodeSsh, sshPort, throttle, probing, expected, nodeAddressType).ConfigureAwait(false);
        }
        catch (Exception) when (probing is { IsCompleted: false })
        {
            // The probe ends on the same cancellation and always deletes its namespace; let it finish before the client goes.
            try
            {
                await probing.ConfigureAwait(false);
            }
            catch (Exception)
            {
            }
            throw;
        }
    }

    private static async Task<ClusterComplianceReport> TestApiAsync(IKubernetes client, string clusterName, ComplianceProfile profile, OperationContext context,
        Remoting.SshOptions? nodeSsh, int sshPort, int throttle, Task<IReadOnlyList<NodeComplianceReport>?>? probing, KubernetesClusterExpectations? expected,
        string nodeAddressType)
    {
        var clock = Stopwatch.StartNew();
        // Node hosts are tested while the node list is still being read: the scan starts with the first page.
        Remoting.NodeScanner? scanner = null;
        if (nodeSsh is not null)
        {
            scanner = new Remoting.NodeScanner(profile, throttle, nodeSsh.Timeout, context);
            scanner.PrepareSsh(nodeSsh); // a bad key fails here, before any node is tried
        }
        var checks = new List<CheckResult>();
        void Add(CheckInfo check, CheckStatus status, string expected, string actual, string remediation, params CheckEvidence[] evidence) =>
            checks.Add(new CheckResult
            {
                CheckId = check.Id, Title = check.Title, Scope = check.Scope, Status = status, Severity = check.Severity ?? CheckSeverity.High, Required = status is not CheckStatus.Informational,
                Expected = expected, Actual = actual, Evidence = evidence, Remediation = status is CheckStatus.Pass ? "" : remediation,
                Standard = profile.Standard, Reference = check.Reference, Target = clusterName,
            });

        // The API server's own account of its build: runtime.Version() and the DKP +fips build tag.
        try
        {
            var version = await client.Version.GetCodeAsync(context.Cancellation).ConfigureAwait(false);
            var judgement = GoCryptoVerdict.Judge(new GoBinaryFacts { IsGo = true, GoVersion = version.GoVersion }, "kube-apiserver (/version)");
            var fipsTag = version.GitVersion?.Contains("+fips", StringComparison.Ordinal) == true;
            var drift = expected?.KubernetesVersion is { } recorded && version.GitVersion != recorded ? $"the cluster record pins {recorded}" : null;
            var claims = judgement.Module is GoCryptoModule.BoringCrypto or GoCryptoModule.BoringCryptoFipsOnly or GoCryptoModule.GoFips140 or GoCryptoModule.OpenSSLBacked;
            Add(KubernetesClusterChecks.ApiServerBuild, claims && drift is null ? CheckStatus.Pass : CheckStatus.Fail,
                "goVersion with X:boringcrypto / X:strictfipsruntime (or a +fips build)" + (expected?.KubernetesVersion is { } pinned ? $"; gitVersion {pinned} (recorded)" : ""),
                $"{version.GitVersion}, {version.GoVersion}: {judgement.Module}" + (fipsTag ? " (+fips build tag)" : "") + (drift is null ? "" : $"; {drift}"),
                "Run FIPS builds of the control plane (e.g. DKP's vX.Y.Z+fips.N).",
                new CheckEvidence("/version", $"gitVersion {version.GitVersion}, goVersion {version.GoVersion}"));
        }
        catch (HttpOperationException ex) when ((int?)ex.Response?.StatusCode is 401 or 403)
        {
            // Credentials the API rejects even for /version read nothing else either: one error, not a report of errors
            // (the caller with the kubeconfig masks its credentials, should the server have quoted them).
            throw;
        }
        catch (HttpOperationException ex)
        {
            Add(KubernetesClusterChecks.ApiServerBuild, CheckStatus.Error, "", ApiError("/version", ex), "");
        }

        // Nodes, page by page: only the offenders are kept.
        var nodes = 0;
        var nonFips = new List<string>();
        var unaddressed = new List<string>(); // -NodeCheck Ssh: nodes without an address of the type asked for
        var kubeletTls = new System.Collections.Concurrent.ConcurrentBag<string>();
        var configzErrors = new System.Collections.Concurrent.ConcurrentBag<string>();
        try
        {
            string? token = null;
            do
            {
                var page = await client.CoreV1.ListNodeAsync(limit: PageSize, continueParameter: token, cancellationToken: context.Cancellation).ConfigureAwait(false);
                foreach (var node in page.Items)
                {
                    nodes++;
                    if (scanner is not null && nodeSsh is not null)
                    {
                        if (node.Status?.Addresses?.FirstOrDefault(a => a.Type == nodeAddressType)?.Address is { Length: > 0 } address)
                        {
                            // The kubelet writes its own Node's addresses: a host only, checked before anything connects or is recorded.
                            scanner.AddSshHost(address, sshPort, nodeSsh, $"Node {Remoting.HostAddress.Display(node.Metadata?.Name)}'s {nodeAddressType}", nodeAddressType.EndsWith("IP", StringComparison.Ordinal));
                        }
                        else
                        {
                            unaddressed.Add(node.Metadata?.Name ?? "?");
                        }
                    }
                    var kubelet = node.Status?.NodeInfo?.KubeletVersion ?? "";
                    if (expected?.KubernetesVersion is { } pinnedKubelet ? kubelet != pinnedKubelet : !kubelet.Contains("+fips", StringComparison.Ordinal))
                    {
                        nonFips.Add($"{node.Metadata?.Name} ({kubelet}, {node.Status?.NodeInfo?.OsImage}, {node.Status?.NodeInfo?.KernelVersion})");
                    }
                }
                await KubeletConfigzAsync(client, page.Items, kubeletTls, configzErrors, context).ConfigureAwait(false);
                token = page.Metadata?.ContinueProperty;
                context.Progress(new OperationProgress($"Test-FipsCluster {clusterName}", $"{nodes} nodes read"));
            }
            while (!string.IsNullOrEmpty(token));
            Add(KubernetesClusterChecks.KubeletBuilds, nonFips.Count == 0 && nodes > 0 ? CheckStatus.Pass : CheckStatus.Fail,
                expected?.KubernetesVersion is { } pinnedVersion ? $"kubeletVersion {pinnedVersion} (recorded) on every node" : "kubeletVersion X.Y.Z+fips.N on every node",
                nonFips.Count == 0 ? $"{nodes} nodes, all {expected?.KubernetesVersion ?? "+fips"}" : $"{nonFips.Count} of {nodes} nodes are not: " + string.Join("; ", nonFips.Take(20)) + (nonFips.Count > 20 ? "; …" : ""),
                "Rebuild these nodes from the FIPS image with the pinned FIPS kubelet.",
                new CheckEvidence("/api/v1/nodes", $"{nodes} nodes read in pages of {PageSize}"));
            Add(KubernetesClusterChecks.KubeletTls,
                !kubeletTls.IsEmpty ? CheckStatus.Fail : !configzErrors.IsEmpty ? CheckStatus.Error : nodes > 0 ? CheckStatus.Pass : CheckStatus.Error,
                "tlsCipherSuites: approved ECDHE AES-GCM only; tlsMinVersion VersionTLS12+",
                !kubeletTls.IsEmpty ? $"{kubeletTls.Count} kubelets: " + string.Join("; ", kubeletTls.Take(20)) + (kubeletTls.Count > 20 ? "; …" : "")
                    : !configzErrors.IsEmpty ? $"configz could not be read on {configzErrors.Count} of {nodes} nodes: {configzErrors.First()}" : $"{nodes} kubelets use approved TLS settings",
                "Set tlsCipherSuites and tlsMinVersion in the kubelet configuration.",
                new CheckEvidence("/api/v1/nodes/<node>/proxy/configz", $"{nodes - configzErrors.Count} read"));
        }
        catch (HttpOperationException ex)
        {
            Add(KubernetesClusterChecks.KubeletBuilds, CheckStatus.Error, "", ApiError("/api/v1/nodes", ex), "");
            Add(KubernetesClusterChecks.KubeletTls, CheckStatus.Error, "", ApiError("/api/v1/nodes", ex), "");
        }

        // Control-plane static pods: FIPS images and TLS flags.
        try
        {
            // kube-system also holds a kube-proxy and CNI pod per node: read it in pages, keep the control plane only.
            var pods = new List<V1Pod>();
            string? token = null;
            do
            {
                var page = await client.CoreV1.ListNamespacedPodAsync("kube-system", limit: PageSize, continueParameter: token, cancellationToken: context.Cancellation).ConfigureAwait(false);
                pods.AddRange(page.Items.Where(p => p.Spec?.Containers?.Any(c => ControlPlaneComponents.Contains(c.Name)) == true));
                token = page.Metadata?.ContinueProperty;
            }
            while (!string.IsNullOrEmpty(token));
            if (pods.Count == 0)
            {
                // Nothing to read is not evidence of a failure: the flags are simply out of the API's sight.
                foreach (var check in KubernetesClusterChecks.ControlPlaneFlags)
                {
                    Add(check, CheckStatus.Unknown, "the control plane's static pods in kube-system",
                        "no kube-apiserver, controller manager, scheduler or etcd pod in kube-system: a managed (EKS, GKE, AKS) or embedded (k3s) control plane, whose images and flags cannot be read through the API",
                        "Judge the control plane where it runs (the provider's FIPS endpoints and attestation, or -NodeCheck on its hosts); its endpoint is still probed on the wire (K8S-TLS-06).");
                }
            }
            else
            {
                ControlPlaneChecks(pods, expected, Add);
            }
            await ProbeEndpointsAsync(client, pods, profile, Add, context).ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            foreach (var check in KubernetesClusterChecks.ControlPlaneFlags)
            {
                Add(check, CheckStatus.Error, "", ApiError("/api/v1/namespaces/kube-system/pods", ex), "");
            }
        }

        var nodeReports = new List<NodeComplianceReport>();
        var nodeCheck = scanner is not null;
        if (scanner is not null)
        {
            scanner.Complete();
            await foreach (var result in scanner.Results.ReadAllAsync(context.Cancellation).ConfigureAwait(false))
            {
                nodeReports.Add(result.Report);
            }
        }
        if (probing is not null)
        {
            try
            {
                if (await probing.ConfigureAwait(false) is { } reports)
                {
                    nodeReports.AddRange(reports);
                    nodeCheck = true;
                }
            }
            catch (FipsClusterException ex) when (ex.ErrorId == ErrorIds.KubernetesNodeProbeFailed)
            {
                Add(KubernetesClusterChecks.NodeHosts, CheckStatus.Error, "Test-FipsNode compliant on every node", ex.Message,
                    "Allow the check to create a namespace and a privileged DaemonSet (or use -NodeCheck Ssh).");
            }
        }
        if (nodeCheck)
        {
            var missing = Math.Max(0, nodes - nodeReports.Count);
            var failing = nodeReports.Where(r => !r.Compliant).ToList();
            Add(KubernetesClusterChecks.NodeHosts, nodeReports.Count > 0 && failing.Count == 0 && missing == 0 ? CheckStatus.Pass : CheckStatus.Fail,
                "Test-FipsNode compliant on every node", (failing.Count == 0 && missing == 0 ? $"{nodeReports.Count} of {nodeReports.Count} nodes compliant"
                    : failing.Count == 0 ? $"{missing} of {nodes} nodes did not report" + (unaddressed.Count > 0 ? "" : " (no node-check pod ran there)")
                    : $"{failing.Count} of {nodeReports.Count} not compliant: " + string.Join("; ", failing.Take(20).Select(f => $"{f.ComputerName} ({string.Join(", ", f.Findings.Select(x => x.CheckId).DefaultIfEmpty(f.ErrorId ?? "error"))})")))
                    + (unaddressed.Count > 0 ? $"; {unaddressed.Count} have no {nodeAddressType} address to reach over SSH: " + string.Join(", ", unaddressed.Take(20)) + (unaddressed.Count > 20 ? ", …" : "") : ""),
                "Rebuild or fix the failing nodes (Test-FipsNode shows the remediation).",
                nodeReports.Select(r => new CheckEvidence(r.ComputerName, r.Status.ToString())).ToArray());
        }
        JudgeEncryptionProviders(checks, nodeReports);
        var compliant = checks.Where(c => c.Required).All(c => c.IsSatisfied);
        return new ClusterComplianceReport
        {
            Name = clusterName,
            Provider = expected?.Provider.ToString() ?? "Kubernetes",
            Nodes = nodeReports,
            Fips = expected?.Fips ?? true,
            Profile = profile.Name,
            Compliant = compliant,
            Status = compliant ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant,
            Checks = checks,
            Duration = clock.Elapsed,
            Timestamp = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>
    /// With node reports, K8S-ENC-01 gets the control planes' own answer (NODE-KENC-01: which provider comes first for
    /// secrets) instead of the flag's mere presence.
    /// </summary>
    private static void JudgeEncryptionProviders(List<CheckResult> checks, List<NodeComplianceReport> nodeReports)
    {
        var index = checks.FindIndex(c => c.CheckId == KubernetesClusterChecks.EncryptionAtRest.Id);
        var controlPlanes = nodeReports.SelectMany(r => r.Checks.Where(c => c.CheckId == "NODE-KENC-01" && c.Status is not CheckStatus.NotApplicable), (r, c) => (Node: r.ComputerName, Check: c)).ToList();
        if (index < 0 || checks[index].Status is CheckStatus.Error || controlPlanes.Count == 0)
        {
            return;
        }
        var flag = checks[index];
        var worst = controlPlanes.Any(x => x.Check.Status is CheckStatus.Fail) || flag.Status is CheckStatus.Fail ? CheckStatus.Fail
            : controlPlanes.Any(x => x.Check.Status is not (CheckStatus.Pass or CheckStatus.Warning)) ? CheckStatus.Error : CheckStatus.Pass;
        checks[index] = new CheckResult
        {
            CheckId = flag.CheckId, Title = flag.Title, Scope = flag.Scope, Severity = flag.Severity, Required = true, Standard = flag.Standard, Reference = flag.Reference, Target = flag.Target,
            Status = worst,
            Expected = "secrets encrypted first with aescbc, aesgcm or kms on every control plane",
            Actual = string.Join("; ", controlPlanes.Select(x => $"{x.Node}: {x.Check.Actual}")) + (flag.Status is CheckStatus.Fail ? "; " + flag.Actual : ""),
            Remediation = worst is CheckStatus.Pass ? "" : controlPlanes.Select(x => x.Check.Remediation).FirstOrDefault(r => r.Length > 0) ?? flag.Remediation,
            Evidence = controlPlanes.SelectMany(x => x.Check.Evidence.Select(e => new CheckEvidence($"{x.Node} {e.Source}", e.Excerpt))).ToArray(),
        };
    }

    private static void ControlPlaneChecks(IList<V1Pod> pods, KubernetesClusterExpectations? expected, Action<CheckInfo, CheckStatus, string, string, string, CheckEvidence[]> add)
    {
        var containers = pods.SelectMany(p => p.Spec?.Containers ?? new List<V1Container>(), (p, c) => (Pod: p.Metadata?.Name ?? "", Container: c))
            .Where(x => ControlPlaneComponents.Contains(x.Container.Name)).ToList();
        // With a cluster record, each image must be exactly the pinned one; otherwise any _fips.N tag will do.
        var notFips = containers.Where(x => expected?.ImageFor(x.Container.Name) is { } pinnedImage
            ? x.Container.Image != pinnedImage : !(x.Container.Image ?? "").Contains("_fips.", StringComparison.Ordinal)).ToList();
        add(KubernetesClusterChecks.ControlPlaneImages, containers.Count > 0 && notFips.Count == 0 ? CheckStatus.Pass : CheckStatus.Fail,
            expected?.ImageFor("kube-apiserver") is { } apiImage ? $"the recorded images ({apiImage}, {expected.ImageFor("etcd")}, …)" : "images tagged vX.Y.Z_fips.N", notFips.Count == 0 ? $"{containers.Count} control-plane containers use _fips.N images" : "not FIPS: " + string.Join(", ", notFips.Select(x => $"{x.Pod} {x.Container.Image}")),
            "Pin the FIPS image repository and +fips versions (kubeadm imageRepository, etcd imageTag).",
            containers.Select(x => new CheckEvidence($"pod {x.Pod}", x.Container.Image)).ToArray());

        string? Flag(string component, string name) => containers.Where(x => x.Container.Name == component)
            .SelectMany(x => (x.Container.Command ?? new List<string>()).Concat(x.Container.Args ?? new List<string>()))
            .Select(a => a.StartsWith($"--{name}=", StringComparison.Ordinal) ? a[(name.Length + 3)..] : null).FirstOrDefault(v => v is not null);

        void Suites(CheckInfo check, string component, string flag)
        {
            if (containers.All(x => x.Container.Name != component))
            {
                add(check, CheckStatus.Error, "", $"no {component} pod in kube-system", "", Array.Empty<CheckEvidence>());
                return;
            }
            var value = Flag(component, flag);
            if (value is null)
            {
                add(check, CheckStatus.Fail, $"--{flag} with approved suites only", $"--{flag} is not set: Go's defaults include ChaCha20 and CBC-SHA1 suites",
                    $"Set --{flag} to the approved ECDHE AES-GCM suites.", Array.Empty<CheckEvidence>());
                return;
            }
            var unapproved = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(s => !Enum.TryParse<TlsCipherSuite>(s, out var suite) || !FipsTlsPolicy.IsStrict(suite)).ToList();
            add(check, unapproved.Count == 0 ? CheckStatus.Pass : CheckStatus.Fail, "ECDHE with AES-GCM only",
                unapproved.Count == 0 ? $"--{flag}={value}" : "not approved: " + string.Join(", ", unapproved),
                $"Remove the unapproved suites from --{flag}.", new[] { new CheckEvidence($"{component} --{flag}", value) });
        }
        Suites(KubernetesClusterChecks.ApiServerSuites, "kube-apiserver", "tls-cipher-suites");
        var min = Flag("kube-apiserver", "tls-min-version");
        add(KubernetesClusterChecks.ApiServerMinTls, min is "VersionTLS12" or "VersionTLS13" ? CheckStatus.Pass : CheckStatus.Fail,
            "--tls-min-version=VersionTLS12 or VersionTLS13", min is null ? "--tls-min-version is not set" : $"--tls-min-version={min}",
            "Set --tls-min-version=VersionTLS12.", Array.Empty<CheckEvidence>());
        var encryption = Flag("kube-apiserver", "encryption-provider-config");
        // The flag alone is a Warning: the providers are in a file on the control-plane hosts, read only by a node check.
        add(KubernetesClusterChecks.EncryptionAtRest, encryption is not null ? CheckStatus.Warning : CheckStatus.Fail,
            "--encryption-provider-config (aescbc, aesgcm or kms)", encryption is null ? "no --encryption-provider-config: secrets are stored unencrypted (identity)" : $"--encryption-provider-config={encryption}; its providers were not read (they are in a file on the control-plane hosts: -NodeCheck Ssh or DaemonSet reads them)",
            "Configure an EncryptionConfiguration with aesgcm, aescbc or kms and pass --encryption-provider-config.", Array.Empty<CheckEvidence>());
        // The controller manager and scheduler serve TLS too (10257, 10259): same suites and minimum version as the API server.
        var servers = new[] { "kube-controller-manager", "kube-scheduler" }.Where(c => containers.Any(x => x.Container.Name == c)).ToList();
        var serverProblems = servers.SelectMany(component =>
        {
            var problems = new List<string>();
            var suites = Flag(component, "tls-cipher-suites");
            if (suites is null)
            {
                problems.Add($"{component}: --tls-cipher-suites not set (Go defaults)");
            }
            else
            {
                problems.AddRange(suites.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(x => !Enum.TryParse<TlsCipherSuite>(x, out var suite) || !FipsTlsPolicy.IsStrict(suite)).Select(x => $"{component}: suite {x}"));
            }
            if (Flag(component, "tls-min-version") is not ("VersionTLS12" or "VersionTLS13") and var minimum)
            {
                problems.Add($"{component}: --tls-min-version {minimum ?? "not set"}");
            }
            return problems;
        }).ToList();
        add(KubernetesClusterChecks.ControllerSchedulerTls,
            servers.Count == 0 ? CheckStatus.Error : serverProblems.Count == 0 ? CheckStatus.Pass : CheckStatus.Fail,
            "--tls-cipher-suites ECDHE with AES-GCM only and --tls-min-version VersionTLS12+ on both",
            servers.Count == 0 ? "no kube-controller-manager or kube-scheduler pod in kube-system" : serverProblems.Count == 0 ? $"{string.Join(" and ", servers)}: approved" : string.Join("; ", serverProblems),
            "Set --tls-cipher-suites and --tls-min-version on kube-controller-manager and kube-scheduler (kubeadm extraArgs).",
            servers.Select(c => new CheckEvidence(c, $"--tls-cipher-suites={Flag(c, "tls-cipher-suites") ?? "(unset)"} --tls-min-version={Flag(c, "tls-min-version") ?? "(unset)"}")).ToArray());
        Suites(KubernetesClusterChecks.EtcdSuites, "etcd", "cipher-suites");
    }

    /// <summary>
    /// What the endpoints really accept, on the wire (Test-FipsTlsEndpoint): the API server when it is reached over
    /// https, and etcd's advertised client URL — flags can say one thing while a standard-crypto binary still takes
    /// TLS 1.3 ChaCha20.
    /// </summary>
    private static async Task ProbeEndpointsAsync(IKubernetes client, IList<V1Pod> pods, ComplianceProfile profile,
        Action<CheckInfo, CheckStatus, string, string, string, CheckEvidence[]> add, OperationContext context)
    {
        async Task Probe(CheckInfo check, Uri endpoint)
        {
            try
            {
                var report = await Compliance.Artifacts.ArtifactChecks.TestTlsEndpointAsync(endpoint.Host, endpoint.Port, profile, TimeSpan.FromSeconds(5), context).ConfigureAwait(false);
                var suites = report.Checks.FirstOrDefault(c => c.CheckId == Compliance.Artifacts.ArtifactCheckCatalog.TlsCipherSuites.Id);
                add(check, report.Status, "only approved protocol versions and suites accepted",
                    $"{endpoint.Host}:{endpoint.Port} accepts {string.Join(", ", report.Protocols)}" + (report.UnapprovedAccepted.Count > 0 ? "; unapproved: " + string.Join(", ", report.UnapprovedAccepted) : ""),
                    suites?.Remediation ?? "", report.Checks.Select(c => new CheckEvidence(c.CheckId, $"{c.Status}: {c.Actual}")).ToArray());
            }
            catch (FipsClusterException ex)
            {
                add(check, CheckStatus.Error, "", ex.Message, "", Array.Empty<CheckEvidence>());
            }
        }
        if (client is k8s.Kubernetes { BaseUri: { Scheme: "https" } api })
        {
            await Probe(KubernetesClusterChecks.ApiServerEndpoint, api).ConfigureAwait(false);
        }
        var etcdUrl = pods.SelectMany(p => p.Spec?.Containers ?? new List<V1Container>()).Where(c => c.Name == "etcd")
            .SelectMany(c => (c.Command ?? new List<string>()).Concat(c.Args ?? new List<string>()))
            .Where(a => a.StartsWith("--advertise-client-urls=", StringComparison.Ordinal))
            .SelectMany(a => a["--advertise-client-urls=".Length..].Split(','))
            .Select(u => Uri.TryCreate(u.Trim(), UriKind.Absolute, out var uri) ? uri : null)
            .FirstOrDefault(u => u is { Scheme: "https" });
        if (etcdUrl is not null)
        {
            await Probe(KubernetesClusterChecks.EtcdEndpoint, etcdUrl).ConfigureAwait(false);
        }
    }

    /// <summary>Each node's live kubelet configuration (configz), 16 at a time; offenders and failures are all that is kept.</summary>
    private static async Task KubeletConfigzAsync(IKubernetes client, IList<V1Node> nodes, System.Collections.Concurrent.ConcurrentBag<string> offenders,
        System.Collections.Concurrent.ConcurrentBag<string> errors, OperationContext context)
    {
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = context.Cancellation }, async (node, ct) =>
        {
            var name = node.Metadata?.Name ?? "";
            try
            {
                await using var stream = await client.CoreV1.ConnectGetNodeProxyWithPathAsync(name, "configz", cancellationToken: ct).ConfigureAwait(false);
                // The kubelet (or whatever answers for the node) decides the size: read at most one configz's worth.
                using var json = System.Text.Json.JsonDocument.Parse(
                    await Remoting.NodeOutput.ReadAsync(stream, Remoting.NodeReadLimits.ConfigzBytes, name, "its configz", ct).ConfigureAwait(false));
                var config = json.RootElement.GetProperty("kubeletconfig");
                var suites = config.TryGetProperty("tlsCipherSuites", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array
                    ? list.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : null;
                var min = config.TryGetProperty("tlsMinVersion", out var m) ? m.GetString() : null;
                var problems = new List<string>();
                if (suites is null)
                {
                    problems.Add("tlsCipherSuites not set (Go defaults)");
                }
                else
                {
                    problems.AddRange(suites.Where(x => !Enum.TryParse<TlsCipherSuite>(x, out var suite) || !FipsTlsPolicy.IsStrict(suite)).Select(x => "suite " + x));
                }
                if (min is not ("VersionTLS12" or "VersionTLS13"))
                {
                    problems.Add($"tlsMinVersion {min ?? "not set"}");
                }
                if (problems.Count > 0)
                {
                    offenders.Add($"{name}: {string.Join(", ", problems)}");
                }
            }
            catch (HttpOperationException ex)
            {
                errors.Add(ApiError($"/api/v1/nodes/{name}/proxy/configz", ex));
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                errors.Add($"{name}: configz is not a kubelet configuration ({ex.Message})");
            }
            catch (FipsClusterException ex) when (ex.ErrorId == ErrorIds.NodeOutputTooLarge)
            {
                errors.Add(ex.Message);
            }
        }).ConfigureAwait(false);
    }

    private static string ApiError(string path, HttpOperationException ex) =>
        $"{path}: HTTP {(int?)ex.Response?.StatusCode} ({ex.Response?.ReasonPhrase ?? ex.Message})";
}

/// <summary>-NodeCheck DaemonSet's settings: the image whose chroot starts the facts script, and how long pods may take.</summary>
public sealed record DaemonSetNodeCheck(string Image, TimeSpan Timeout);

/// <summary>
/// What a cluster record pins (an AWS cluster created by New-FipsCluster): the exact Kubernetes version and the exact
/// control-plane and etcd images, so drift from the record is a finding even when the drifted build is also "+fips".
/// </summary>
public sealed record KubernetesClusterExpectations(string ClusterName, FipsClusterProvider Provider, bool Fips, string KubernetesVersion,
    string? KubernetesImageRepository, string? EtcdImageRepository, string? EtcdVersion)
{
    public static KubernetesClusterExpectations FromRecord(FipsClusterRecord record)
    {
        var spec = record.AwsSpec ?? throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument,
            $"Cluster {record.Name} ({record.Provider}) has no Kubernetes spec to test against.", record.Name);
        return new(record.Name, record.Provider, record.Fips, Aws.KubernetesVersions.WithV(spec.KubernetesVersion), spec.KubernetesImageRepository, spec.EtcdImageRepository, spec.EtcdVersion);
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
