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
    public static async Task<ClusterComplianceReport> TestAsync(string kubeconfigPath, string? kubeContext, KubernetesClusterTestOptions options, OperationContext context)
    {
        var configuration = KubeconfigClient.Load(kubeconfigPath, kubeContext, context);
        using var client = new k8s.Kubernetes(configuration);
        var name = options.Expected?.ClusterName ?? kubeContext ?? configuration.CurrentContext ?? configuration.Host;
        try
        {
            return await TestAsync(client, name, options, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not FipsClusterException && !context.Cancellation.IsCancellationRequested)
        {
            // An API that cannot be reached (or whose TLS or credentials fail) leaves nothing to judge: one error for the cluster.
            throw FailureClassifier.Classify(ex, configuration.Host, $"{name} (the Kubernetes API at {configuration.Host})", KubeconfigClient.Secrets(configuration));
        }
    }

    /// <summary>
    /// With SSH options (-NodeCheck Ssh), every node's host is also judged with Test-FipsNode on its address of
    /// <see cref="KubernetesClusterTestOptions.NodeAddressType"/>, in parallel; with a DaemonSet node check, by a pod of
    /// its own on every node, created while the node list is read. Either way K8S-NODE-01 credits each listed node only
    /// with its own report (<see cref="NodeEvidenceLedger"/>).
    /// </summary>
    public static async Task<ClusterComplianceReport> TestAsync(IKubernetes client, string clusterName, KubernetesClusterTestOptions options, OperationContext context)
    {
        // The probe gets the node names as the pages arrive, so each node's pod is created while the rest are still listed.
        var daemonSet = options.DaemonSet;
        var nodeNames = daemonSet is null ? null : System.Threading.Channels.Channel.CreateUnbounded<DaemonSetNodeProbe.Target>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var probe = daemonSet is null ? null : new DaemonSetNodeProbe(client, options.Profile, context) { Image = daemonSet.Image, Timeout = daemonSet.Timeout, ContentAddressed = daemonSet.ContentAddressed };
        var probing = probe?.RunAsync(clusterName, nodeNames!.Reader);
        try
        {
            return await TestApiAsync(client, clusterName, options, new PodNodeCheck(probing, nodeNames?.Writer), context).ConfigureAwait(false);
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

    /// <summary>The DaemonSet node check under way: its reports when it ends, and where the node list sends it each node.</summary>
    private readonly record struct PodNodeCheck(Task<IReadOnlyList<NodeComplianceReport>?>? Probing, System.Threading.Channels.ChannelWriter<DaemonSetNodeProbe.Target>? NodeNames);

    private static async Task<ClusterComplianceReport> TestApiAsync(IKubernetes client, string clusterName, KubernetesClusterTestOptions options, PodNodeCheck pods, OperationContext context)
    {
        var clock = Stopwatch.StartNew();
        var (profile, nodeSsh, sshPort, expected, nodeAddressType) = (options.Profile, options.NodeSsh, options.SshPort, options.Expected, options.NodeAddressType);
        var (probing, nodeNames) = (pods.Probing, pods.NodeNames);
        // Node hosts are tested while the node list is still being read: the scan starts with the first page.
        Remoting.NodeScanner? scanner = null;
        if (nodeSsh is not null)
        {
            scanner = new Remoting.NodeScanner(profile, options.ThrottleLimit, nodeSsh.Timeout, context);
            scanner.PrepareSsh(nodeSsh); // a bad key fails here, before any node is tried
        }
        var checks = new CheckResultList(new CheckSubject(clusterName, profile.Standard, profile));

        // The API server's own account of its build: runtime.Version() and the DKP +fips build tag.
        try
        {
            var version = await client.Version.GetCodeAsync(context.Cancellation).ConfigureAwait(false);
            var judgement = GoCryptoVerdict.Judge(new GoBinaryFacts { IsGo = true, GoVersion = version.GoVersion }, "kube-apiserver (/version)");
            var fipsTag = version.GitVersion?.Contains("+fips", StringComparison.Ordinal) == true;
            var drift = expected?.KubernetesVersion is { } recorded && version.GitVersion != recorded ? $"the cluster record pins {recorded}" : null;
            var claims = judgement.Module is GoCryptoModule.BoringCrypto or GoCryptoModule.BoringCryptoFipsOnly or GoCryptoModule.GoFips140 or GoCryptoModule.OpenSSLBacked;
            checks.Add(KubernetesClusterChecks.ApiServerBuild, claims && drift is null ? CheckStatus.Pass : CheckStatus.Fail,
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
            checks.Add(KubernetesClusterChecks.ApiServerBuild, CheckStatus.Error, "", ApiError("/version", ex), "");
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
                await KubernetesEndpointProbes.KubeletConfigzAsync(client, page.Items, kubeletTls, configzErrors, context).ConfigureAwait(false);
                token = page.Metadata?.ContinueProperty;
                context.Progress(new OperationProgress($"Test-FipsCluster {clusterName}", $"{nodes} nodes read"));
            }
            while (!string.IsNullOrEmpty(token));
            checks.Add(KubernetesClusterChecks.KubeletBuilds, nonFips.Count == 0 && nodes > 0 ? CheckStatus.Pass : CheckStatus.Fail,
                expected?.KubernetesVersion is { } pinnedVersion ? $"kubeletVersion {pinnedVersion} (recorded) on every node" : "kubeletVersion X.Y.Z+fips.N on every node",
                nonFips.Count == 0 ? $"{nodes} nodes, all {expected?.KubernetesVersion ?? "+fips"}" : $"{nonFips.Count} of {nodes} nodes are not: " + string.Join("; ", nonFips.Take(20)) + (nonFips.Count > 20 ? "; …" : ""),
                "Rebuild these nodes from the FIPS image with the pinned FIPS kubelet.",
                new CheckEvidence("/api/v1/nodes", $"{nodes} nodes read in pages of {PageSize}"));
            checks.Add(KubernetesClusterChecks.KubeletTls,
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
            checks.Add(KubernetesClusterChecks.KubeletBuilds, CheckStatus.Error, "", nodeListError, "");
            checks.Add(KubernetesClusterChecks.KubeletTls, CheckStatus.Error, "", nodeListError, "");
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
                    checks.Add(check, CheckStatus.Error, "", $"the static pods' nodes could not be verified: {nodeListError}", "");
                }
            }
            else if (instances.Count == 0)
            {
                // Nothing to read is not evidence of a failure: the flags are simply out of the API's sight.
                foreach (var check in KubernetesClusterChecks.ControlPlaneFlags)
                {
                    checks.Add(check, CheckStatus.Unknown, "the control plane's static pods in kube-system",
                        "no kube-apiserver, controller manager, scheduler or etcd static pod of a control-plane node in kube-system: a managed (EKS, GKE, AKS) or embedded (k3s) control plane, whose images and flags cannot be read through the API"
                            + (ignored.Count > 0 ? $"; ignored (not a control plane's static pod): {string.Join("; ", ignored.Take(10))}" : ""),
                        "Judge the control plane where it runs (the provider's FIPS endpoints and attestation, or -NodeCheck on its hosts); its endpoint is still probed on the wire (K8S-TLS-06).",
                        ignored.Select(i => new CheckEvidence("ignored", i)).ToArray());
                }
            }
            else
            {
                ControlPlaneFlagChecks.Judge(checks, instances, ignored, expected);
            }
            await KubernetesEndpointProbes.ProbeEndpointsAsync(checks, client, nodeListError is null ? instances : Array.Empty<ControlPlaneInstance>(), profile, context).ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            foreach (var check in KubernetesClusterChecks.ControlPlaneFlags)
            {
                checks.Add(check, CheckStatus.Error, "", ApiError("/api/v1/namespaces/kube-system/pods", ex), "");
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
                checks.Add(KubernetesClusterChecks.NodeHosts, CheckStatus.Error, "Test-FipsNode compliant on every node", ex.Message,
                    "Allow the check to create a namespace and its node-check pods (see about_FipsCluster_Kubernetes), or use -NodeCheck Ssh.");
            }
        }
        IReadOnlyList<NodeEvidence> credited = Array.Empty<NodeEvidence>();
        if (nodeCheck)
        {
            credited = ledger.Credit(nodeReports, byAddress: scanner is not null);
            KubernetesNodeHostsCheck.Judge(checks, credited, nodeListError, probing is not null);
        }
        ControlPlaneFlagChecks.JudgeEncryptionProviders(checks, credited.Where(n => controlPlaneNodes.ContainsKey(n.Node) && n.Report is not null && n.Problem is null).ToList());
        var compliant = checks.Results.Where(c => c.Required).All(c => c.IsSatisfied);
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
            Checks = checks.Results,
            Duration = clock.Elapsed,
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    internal static string ApiError(string path, HttpOperationException ex) =>
        $"{path}: HTTP {(int?)ex.Response?.StatusCode} ({ex.Response?.ReasonPhrase ?? ex.Message})";
}
