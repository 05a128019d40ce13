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
    /// parallel; with a DaemonSet node check, by a pod of its own on every node, created while the node list is read.
    /// Either way K8S-NODE-01 credits each listed node only with its own report (<see cref="NodeEvidenceLedger"/>).
    /// </summary>
    public static async Task<ClusterComplianceReport> TestAsync(IKubernetes client, string clusterName, ComplianceProfile profile, OperationContext context,
        Remoting.SshOptions? nodeSsh = null, int sshPort = 22, int throttle = 32, DaemonSetNodeCheck? daemonSet = null, KubernetesClusterExpectations? expected = null,
        string nodeAddressType = "InternalIP")
    {
        // The probe gets the node names as the pages arrive, so each node's pod is created while the rest are still listed.
        var nodeNames = daemonSet is null ? null : System.Threading.Channels.Channel.CreateUnbounded<DaemonSetNodeProbe.Target>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var probe = daemonSet is null ? null : new DaemonSetNodeProbe(client, profile, context) { Image = daemonSet.Image, Timeout = daemonSet.Timeout, ContentAddressed = daemonSet.ContentAddressed };
        var probing = probe?.RunAsync(clusterName, nodeNames!.Reader);
        try
        {
            return await TestApiAsync(client, clusterName, profile, context, nodeSsh, sshPort, throttle, probing, nodeNames?.Writer, expected, nodeAddressType).ConfigureAwait(false);
        }
        catch (Exception) when (probing is { IsCompleted: false })
        {
            // The probe ends on the same cancellation and always deletes its namespace; let it finish before the client goes.
            nodeNames?.Writer.TryComplete();
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
        Remoting.SshOptions? nodeSsh, int sshPort, int throttle, Task<IReadOnlyList<NodeComplianceReport>?>? probing,
        System.Threading.Channels.ChannelWriter<DaemonSetNodeProbe.Target>? nodeNames, KubernetesClusterExpectations? expected, string nodeAddressType)
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
            checks.Add(CheckResults.Create(check, new CheckOutcome(status, expected, actual, evidence, remediation), new CheckSubject(clusterName, profile.Standard, profile)));

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

        // Nodes, page by page: only the offenders are kept, plus each node's name and the control planes (name → uid).
        var nodes = 0;
        var nonFips = new List<string>();
        var ledger = new NodeEvidenceLedger();
        var controlPlaneNodes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? nodeListError = null;
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
                    var name = node.Metadata?.Name ?? "";
                    if (node.Metadata?.Labels?.ContainsKey(ControlPlanePods.ControlPlaneLabel) == true)
                    {
                        controlPlaneNodes[name] = node.Metadata.Uid ?? "";
                    }
                    if (ledger.AddNode(name))
                    {
                        // With its build: the probe's first node of each build sends the build-info windows, the others their digests.
                        nodeNames?.TryWrite(new DaemonSetNodeProbe.Target(name, DaemonSetNodeProbe.BuildOf(node.Status?.NodeInfo)));
                    }
                    if (scanner is not null && nodeSsh is not null)
                    {
                        if (node.Status?.Addresses?.FirstOrDefault(a => a.Type == nodeAddressType)?.Address is { Length: > 0 } address)
                        {
                            // The kubelet writes its own Node's addresses: a host only, checked before anything connects or is
                            // recorded. An address another node already claimed is not scanned again: the ledger makes both claims errors.
                            var ipOnly = nodeAddressType.EndsWith("IP", StringComparison.Ordinal);
                            if (ledger.Claim(name, nodeAddressType, address, Remoting.NodeScanner.SshHostReportName(address, sshPort, ipOnly)) is not null)
                            {
                                scanner.AddSshHost(address, sshPort, nodeSsh, $"Node {Remoting.HostAddress.Display(node.Metadata?.Name)}'s {nodeAddressType}", ipOnly);
                            }
                        }
                        else
                        {
                            ledger.Unaddressed(name, nodeAddressType);
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
            nodeListError = ApiError("/api/v1/nodes", ex);
            Add(KubernetesClusterChecks.KubeletBuilds, CheckStatus.Error, "", nodeListError, "");
            Add(KubernetesClusterChecks.KubeletTls, CheckStatus.Error, "", nodeListError, "");
        }
        finally
        {
            nodeNames?.TryComplete(); // no more nodes: the probe knows how many pods to expect
        }

        // Control-plane static pods: FIPS images and TLS flags, judged only from mirror pods of control-plane nodes.
        try
        {
            // kube-system also holds a kube-proxy and CNI pod per node: read it in pages, keep the control-plane candidates only.
            var candidates = new List<V1Pod>();
            string? token = null;
            do
            {
                var page = await client.CoreV1.ListNamespacedPodAsync("kube-system", limit: PageSize, continueParameter: token, cancellationToken: context.Cancellation).ConfigureAwait(false);
                candidates.AddRange(page.Items.Where(ControlPlanePods.IsCandidate));
                token = page.Metadata?.ContinueProperty;
            }
            while (!string.IsNullOrEmpty(token));
            var (instances, ignored) = ControlPlanePods.Sort(candidates, controlPlaneNodes);
            if (nodeListError is not null && candidates.Count > 0)
            {
                // Without the node list no static pod can be tied to a control-plane node: nothing is trusted, nothing judged.
                foreach (var check in KubernetesClusterChecks.ControlPlaneFlags)
                {
                    Add(check, CheckStatus.Error, "", $"the static pods' nodes could not be verified: {nodeListError}", "");
                }
            }
            else if (instances.Count == 0)
            {
                // Nothing to read is not evidence of a failure: the flags are simply out of the API's sight.
                foreach (var check in KubernetesClusterChecks.ControlPlaneFlags)
                {
                    Add(check, CheckStatus.Unknown, "the control plane's static pods in kube-system",
                        "no kube-apiserver, controller manager, scheduler or etcd static pod of a control-plane node in kube-system: a managed (EKS, GKE, AKS) or embedded (k3s) control plane, whose images and flags cannot be read through the API"
                            + (ignored.Count > 0 ? $"; ignored (not a control plane's static pod): {string.Join("; ", ignored.Take(10))}" : ""),
                        "Judge the control plane where it runs (the provider's FIPS endpoints and attestation, or -NodeCheck on its hosts); its endpoint is still probed on the wire (K8S-TLS-06).",
                        ignored.Select(i => new CheckEvidence("ignored", i)).ToArray());
                }
            }
            else
            {
                ControlPlaneChecks(instances, ignored, expected, Add);
            }
            await ProbeEndpointsAsync(client, nodeListError is null ? instances : Array.Empty<ControlPlaneInstance>(), profile, Add, context).ConfigureAwait(false);
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
                    "Allow the check to create a namespace and its node-check pods (see about_FipsCluster_Kubernetes), or use -NodeCheck Ssh.");
            }
        }
        IReadOnlyList<NodeEvidence> credited = Array.Empty<NodeEvidence>();
        if (nodeCheck)
        {
            credited = ledger.Credit(nodeReports, byAddress: scanner is not null);
            JudgeNodeHosts(credited, nodeListError, probing is not null, Add);
        }
        JudgeEncryptionProviders(checks, credited.Where(n => controlPlaneNodes.ContainsKey(n.Node) && n.Report is not null && n.Problem is null).ToList());
        var compliant = checks.Where(c => c.Required).All(c => c.IsSatisfied);
        return new ClusterComplianceReport
        {
            Name = clusterName,
            Provider = expected?.Provider.ToString() ?? "Kubernetes",
            Nodes = nodeReports,
            Fips = expected?.Fips ?? true,
            Profile = profile.Name,
            ProfileHash = Judgement.ProfileHash(profile),
            Compliant = compliant,
            Status = compliant ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant,
            Checks = checks,
            Duration = clock.Elapsed,
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    /// <summary>
    /// K8S-NODE-01, node by node: it passes only when every listed node has a compliant report of its own. Nodes whose
    /// report is not compliant are named with their findings; nodes without one (an address another node also claims,
    /// no address, no report) are named with why.
    /// </summary>
    private static void JudgeNodeHosts(IReadOnlyList<NodeEvidence> credited, string? nodeListError, bool byPods, Action<CheckInfo, CheckStatus, string, string, string, CheckEvidence[]> add)
    {
        const string Expected = "Test-FipsNode compliant on every node";
        const string Remediation = "Rebuild or fix the failing nodes (Test-FipsNode shows the remediation); a node without a report of its own cannot be judged.";
        if (nodeListError is not null)
        {
            add(KubernetesClusterChecks.NodeHosts, CheckStatus.Error, Expected, $"the nodes could not be listed: {nodeListError}", Remediation, Array.Empty<CheckEvidence>());
            return;
        }
        var total = credited.Count;
        var failing = credited.Where(n => n.Report is { Compliant: false } && n.Problem is null).ToList();
        var conflicts = credited.Where(n => n.Problem is not null && !n.Missing && !n.Unaddressed).ToList();
        var missing = credited.Where(n => n.Missing).ToList();
        var unaddressed = credited.Where(n => n.Unaddressed).ToList();
        static string Names(IEnumerable<string> names, int count) => string.Join(", ", names.Take(20)) + (count > 20 ? ", …" : "");
        var parts = new List<string>();
        if (failing.Count > 0)
        {
            parts.Add($"{failing.Count} of {total} not compliant: " + string.Join("; ", failing.Take(20).Select(f =>
                $"{f.Node} ({string.Join(", ", f.Report!.Findings.Select(x => x.CheckId).DefaultIfEmpty(f.Report.ErrorId ?? "error"))})")) + (failing.Count > 20 ? "; …" : ""));
        }
        if (conflicts.Count > 0)
        {
            parts.Add($"{conflicts.Count} of {total} have no report of their own: " + string.Join("; ", conflicts.Take(20).Select(c => $"{c.Node}: {c.Problem}")) + (conflicts.Count > 20 ? "; …" : ""));
        }
        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} of {total} nodes did not report" + (byPods ? " (no node-check pod ran there)" : "") + ": " + Names(missing.Select(m => m.Node), missing.Count));
        }
        if (unaddressed.Count > 0)
        {
            parts.Add($"{unaddressed.Count} have {unaddressed[0].Problem}: " + Names(unaddressed.Select(u => u.Node), unaddressed.Count));
        }
        var pass = total > 0 && credited.All(n => n.Compliant);
        add(KubernetesClusterChecks.NodeHosts, pass ? CheckStatus.Pass : CheckStatus.Fail, Expected,
            pass ? $"{total} of {total} nodes compliant" : parts.Count > 0 ? string.Join("; ", parts) : "no node was listed",
            Remediation,
            credited.Select(n => new CheckEvidence(n.Node, n.Problem is not null ? $"Error: {n.Problem}"
                : n.Report!.ComputerName == n.Node ? n.Report.Status.ToString() : $"{n.Report.Status} ({n.Report.ComputerName})")).ToArray());
    }

    /// <summary>
    /// With node reports, K8S-ENC-01 gets the control planes' own answer (NODE-KENC-01: which provider comes first for
    /// secrets) instead of the flag's mere presence — from the reports credited to control-plane nodes only.
    /// </summary>
    private static void JudgeEncryptionProviders(List<CheckResult> checks, IReadOnlyList<NodeEvidence> controlPlaneReports)
    {
        var index = checks.FindIndex(c => c.CheckId == KubernetesClusterChecks.EncryptionAtRest.Id);
        var controlPlanes = controlPlaneReports.SelectMany(r => r.Report!.Checks.Where(c => c.CheckId == "NODE-KENC-01" && c.Status is not CheckStatus.NotApplicable), (r, c) => (r.Node, Check: c)).ToList();
        if (index < 0 || checks[index].Status is CheckStatus.Error || controlPlanes.Count == 0)
        {
            return;
        }
        var flag = checks[index];
        var subject = new CheckSubject(flag.Target, flag.Standard);
        var worst = controlPlanes.Any(x => x.Check.Status is CheckStatus.Fail) || flag.Status is CheckStatus.Fail ? CheckStatus.Fail
            : controlPlanes.Any(x => x.Check.Status is not (CheckStatus.Pass or CheckStatus.Warning)) ? CheckStatus.Error : CheckStatus.Pass;
        checks[index] = CheckResults.Create(KubernetesClusterChecks.EncryptionAtRest, new CheckOutcome(worst,
            "secrets encrypted first with aescbc, aesgcm or kms on every control plane",
            string.Join("; ", controlPlanes.Select(x => $"{x.Node}: {x.Check.Actual}")) + (flag.Status is CheckStatus.Fail ? "; " + flag.Actual : ""),
            controlPlanes.SelectMany(x => x.Check.Evidence.Select(e => new CheckEvidence($"{x.Node} {e.Source}", e.Excerpt))).ToArray(),
            controlPlanes.Select(x => x.Check.Remediation).FirstOrDefault(r => r.Length > 0) ?? flag.Remediation), subject);
    }

    /// <summary>
    /// The control-plane checks, instance by instance: with three API servers all three must pass, and one that
    /// disagrees fails the check by name. A flag's value is the last occurrence, as the component's parser takes it.
    /// </summary>
    private static void ControlPlaneChecks(IReadOnlyList<ControlPlaneInstance> instances, IReadOnlyList<string> ignored, KubernetesClusterExpectations? expected,
        Action<CheckInfo, CheckStatus, string, string, string, CheckEvidence[]> add)
    {
        var ignoredEvidence = ignored.Select(i => new CheckEvidence("ignored", i)).ToArray();
        CheckEvidence[] WithIgnored(IEnumerable<CheckEvidence> evidence) => evidence.Concat(ignoredEvidence).ToArray();

        // With a cluster record, each image must be exactly the pinned one; otherwise any _fips.N tag will do.
        var notFips = instances.Where(x => expected?.ImageFor(x.Component) is { } pinnedImage
            ? x.Container.Image != pinnedImage : !(x.Container.Image ?? "").Contains("_fips.", StringComparison.Ordinal)).ToList();
        add(KubernetesClusterChecks.ControlPlaneImages, notFips.Count == 0 ? CheckStatus.Pass : CheckStatus.Fail,
            expected?.ImageFor("kube-apiserver") is { } apiImage ? $"the recorded images ({apiImage}, {expected.ImageFor("etcd")}, …)" : "images tagged vX.Y.Z_fips.N",
            notFips.Count == 0 ? $"{instances.Count} control-plane containers use _fips.N images" : "not FIPS: " + string.Join(", ", notFips.Select(x => $"{x.Pod} {x.Container.Image}")),
            "Pin the FIPS image repository and +fips versions (kubeadm imageRepository, etcd imageTag).",
            WithIgnored(instances.Select(x => new CheckEvidence($"pod {x.Pod}", x.Container.Image))));

        // Every instance of the components judged on its own; the check passes only when none has a problem.
        void Judge(CheckInfo check, string[] components, string expectedText, Func<ControlPlaneInstance, string?> problem, Func<ControlPlaneInstance, string> shown,
            string remediation, CheckStatus passing = CheckStatus.Pass, Func<IReadOnlyList<ControlPlaneInstance>, string>? passed = null)
        {
            var of = instances.Where(x => components.Contains(x.Component)).ToList();
            if (of.Count == 0)
            {
                add(check, CheckStatus.Error, "", $"no {string.Join(" or ", components)} static pod of a control-plane node in kube-system", "", ignoredEvidence);
                return;
            }
            var problems = of.Select(x => (Instance: x, Problem: problem(x))).Where(p => p.Problem is not null).ToList();
            add(check, problems.Count == 0 ? passing : CheckStatus.Fail, expectedText,
                problems.Count > 0 ? string.Join("; ", problems.Select(p => $"{p.Instance.Pod}: {p.Problem}"))
                    : passed is not null ? passed(of) : of.Select(shown).Distinct().Count() == 1 ? shown(of[0]) : string.Join("; ", of.Select(x => $"{x.Pod}: {shown(x)}")),
                remediation, WithIgnored(of.Select(x => new CheckEvidence(x.Pod, shown(x)))));
        }

        static string? UnapprovedSuites(string? value, string flag) => value is null ? $"--{flag} is not set: Go's defaults include ChaCha20 and CBC-SHA1 suites"
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(s => !Enum.TryParse<TlsCipherSuite>(s, out var suite) || !FipsTlsPolicy.IsStrict(suite)).ToList() is { Count: > 0 } unapproved
                ? "not approved: " + string.Join(", ", unapproved) : null;
        static string? BelowTls12(string? min) => min is "VersionTLS12" or "VersionTLS13" ? null : min is null ? "--tls-min-version is not set" : $"--tls-min-version={min}";

        Judge(KubernetesClusterChecks.ApiServerSuites, new[] { "kube-apiserver" }, "ECDHE with AES-GCM only",
            x => UnapprovedSuites(x.Flag("tls-cipher-suites"), "tls-cipher-suites"), x => $"--tls-cipher-suites={x.Flag("tls-cipher-suites") ?? "(unset)"}",
            "Remove the unapproved suites from --tls-cipher-suites on every API server (or set it to the approved ECDHE AES-GCM suites).");
        Judge(KubernetesClusterChecks.ApiServerMinTls, new[] { "kube-apiserver" }, "--tls-min-version=VersionTLS12 or VersionTLS13",
            x => BelowTls12(x.Flag("tls-min-version")), x => $"--tls-min-version={x.Flag("tls-min-version") ?? "(unset)"}",
            "Set --tls-min-version=VersionTLS12 on every API server.");
        // The flag alone is a Warning: the providers are in a file on the control-plane hosts, read only by a node check.
        Judge(KubernetesClusterChecks.EncryptionAtRest, new[] { "kube-apiserver" }, "--encryption-provider-config (aescbc, aesgcm or kms)",
            x => x.Flag("encryption-provider-config") is null ? "no --encryption-provider-config: secrets are stored unencrypted (identity)" : null,
            x => $"--encryption-provider-config={x.Flag("encryption-provider-config") ?? "(unset)"}",
            "Configure an EncryptionConfiguration with aesgcm, aescbc or kms and pass --encryption-provider-config.", CheckStatus.Warning,
            of => string.Join("; ", of.Select(x => x.Flag("encryption-provider-config")).Distinct().Select(v => $"--encryption-provider-config={v}"))
                + "; its providers were not read (they are in a file on the control-plane hosts: -NodeCheck Ssh or DaemonSet reads them)");
        // The controller manager and scheduler serve TLS too (10257, 10259): same suites and minimum version as the API server.
        Judge(KubernetesClusterChecks.ControllerSchedulerTls, new[] { "kube-controller-manager", "kube-scheduler" },
            "--tls-cipher-suites ECDHE with AES-GCM only and --tls-min-version VersionTLS12+ on both",
            x =>
            {
                var suites = x.Flag("tls-cipher-suites");
                var problems = suites is null ? new List<string> { "--tls-cipher-suites not set (Go defaults)" }
                    : suites.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Where(s => !Enum.TryParse<TlsCipherSuite>(s, out var suite) || !FipsTlsPolicy.IsStrict(suite)).Select(s => $"suite {s}").ToList();
                if (x.Flag("tls-min-version") is not ("VersionTLS12" or "VersionTLS13") and var minimum)
                {
                    problems.Add($"--tls-min-version {minimum ?? "not set"}");
                }
                return problems.Count == 0 ? null : string.Join(", ", problems);
            },
            x => $"--tls-cipher-suites={x.Flag("tls-cipher-suites") ?? "(unset)"} --tls-min-version={x.Flag("tls-min-version") ?? "(unset)"}",
            "Set --tls-cipher-suites and --tls-min-version on kube-controller-manager and kube-scheduler (kubeadm extraArgs).",
            passed: of => $"{string.Join(" and ", of.Select(x => x.Component).Distinct())}: approved");
        Judge(KubernetesClusterChecks.EtcdSuites, new[] { "etcd" }, "ECDHE with AES-GCM only",
            x => UnapprovedSuites(x.Flag("cipher-suites"), "cipher-suites"), x => $"--cipher-suites={x.Flag("cipher-suites") ?? "(unset)"}",
            "Remove the unapproved suites from --cipher-suites on every etcd member (or set it to the approved ECDHE AES-GCM suites).");
    }

    /// <summary>
    /// What the endpoints really accept, on the wire (Test-FipsTlsEndpoint): the API server when it is reached over
    /// https, and every etcd member's advertised client URLs (each trusted etcd static pod's --advertise-client-urls;
    /// its listen URLs name loopback, which is this machine from here) — flags can say one thing while a
    /// standard-crypto binary still takes TLS 1.3 ChaCha20.
    /// </summary>
    private static async Task ProbeEndpointsAsync(IKubernetes client, IReadOnlyList<ControlPlaneInstance> instances, ComplianceProfile profile,
        Action<CheckInfo, CheckStatus, string, string, string, CheckEvidence[]> add, OperationContext context)
    {
        async Task<(CheckStatus Status, string Actual, string Remediation, CheckEvidence[] Evidence)> Probe(Uri endpoint)
        {
            try
            {
                var report = await Compliance.Artifacts.ArtifactChecks.TestTlsEndpointAsync(endpoint.Host, endpoint.Port, profile, TimeSpan.FromSeconds(5), context).ConfigureAwait(false);
                var suites = report.Checks.FirstOrDefault(c => c.CheckId == Compliance.Artifacts.ArtifactCheckCatalog.TlsCipherSuites.Id);
                return (report.Status,
                    $"{endpoint.Host}:{endpoint.Port} accepts {string.Join(", ", report.Protocols)}" + (report.UnapprovedAccepted.Count > 0 ? "; unapproved: " + string.Join(", ", report.UnapprovedAccepted) : ""),
                    suites?.Remediation ?? "", report.Checks.Select(c => new CheckEvidence(c.CheckId, $"{c.Status}: {c.Actual}")).ToArray());
            }
            catch (FipsClusterException ex)
            {
                return (CheckStatus.Error, ex.Message, "", Array.Empty<CheckEvidence>());
            }
        }
        const string OnTheWire = "only approved protocol versions and suites accepted";
        if (client is k8s.Kubernetes { BaseUri: { Scheme: "https" } api })
        {
            var (status, actual, remediation, evidence) = await Probe(api).ConfigureAwait(false);
            add(KubernetesClusterChecks.ApiServerEndpoint, status, OnTheWire, actual, remediation, evidence);
        }
        var members = instances.Where(x => x.Component == "etcd").Select(x => (x.Pod, Urls: (x.Flag("advertise-client-urls") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().ToList())).ToList();
        if (members.All(m => m.Urls.Count == 0))
        {
            return; // no etcd member advertises a client URL: nothing to probe
        }
        var results = new List<(string Pod, CheckStatus Status, string Actual, string Remediation, CheckEvidence[] Evidence)>();
        var probed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (pod, urls) in members)
        {
            var secure = urls.Where(u => u.Scheme == "https").ToList();
            if (secure.Count == 0)
            {
                results.Add((pod, urls.Count == 0 ? CheckStatus.Unknown : CheckStatus.Fail,
                    urls.Count == 0 ? "no --advertise-client-urls" : $"advertises plaintext {string.Join(", ", urls)} only",
                    "Serve etcd's client URLs over https with approved suites.", Array.Empty<CheckEvidence>()));
                continue;
            }
            foreach (var url in secure.Where(u => probed.Add($"{u.Host}:{u.Port}")))
            {
                var (status, actual, remediation, evidence) = await Probe(url).ConfigureAwait(false);
                results.Add((pod, status, actual, remediation, evidence.Select(e => new CheckEvidence($"{pod} {e.Source}", e.Excerpt)).ToArray()));
            }
        }
        var worst = results.Any(r => r.Status is CheckStatus.Fail) ? CheckStatus.Fail : results.Any(r => r.Status is CheckStatus.Error) ? CheckStatus.Error
            : results.Any(r => r.Status is CheckStatus.Unknown) ? CheckStatus.Unknown : results.Any(r => r.Status is CheckStatus.Warning) ? CheckStatus.Warning : CheckStatus.Pass;
        add(KubernetesClusterChecks.EtcdEndpoint, worst, OnTheWire,
            results.Count == 1 ? results[0].Actual : string.Join("; ", results.Select(r => $"{r.Pod}: {r.Actual}")),
            results.Select(r => r.Remediation).FirstOrDefault(r => r.Length > 0) ?? "", results.SelectMany(r => r.Evidence).ToArray());
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
