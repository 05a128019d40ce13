using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// What the cluster's endpoints really serve, asked on the wire rather than read from flags: the API server's and etcd's
/// TLS (K8S-TLS-06/07, by Test-FipsTlsEndpoint's prober) and every kubelet's live configuration (configz, for K8S-TLS-05).
/// </summary>
internal static class KubernetesEndpointProbes
{
    /// <summary>
    /// What the endpoints really accept, on the wire (Test-FipsTlsEndpoint): the API server when it is reached over
    /// https, and every etcd member's advertised client URLs (each trusted etcd static pod's --advertise-client-urls;
    /// its listen URLs name loopback, which is this machine from here) — flags can say one thing while a
    /// standard-crypto binary still takes TLS 1.3 ChaCha20.
    /// </summary>
    public static async Task ProbeEndpointsAsync(CheckResultList checks, IKubernetes client, IReadOnlyList<ControlPlaneInstance> instances, ComplianceProfile profile, OperationContext context)
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
            checks.Add(KubernetesClusterChecks.ApiServerEndpoint, status, OnTheWire, actual, remediation, evidence);
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
        checks.Add(KubernetesClusterChecks.EtcdEndpoint, worst, OnTheWire,
            results.Count == 1 ? results[0].Actual : string.Join("; ", results.Select(r => $"{r.Pod}: {r.Actual}")),
            results.Select(r => r.Remediation).FirstOrDefault(r => r.Length > 0) ?? "", results.SelectMany(r => r.Evidence).ToArray());
    }

    /// <summary>Each node's live kubelet configuration (configz), 16 at a time; offenders and failures are all that is kept.</summary>
    public static async Task KubeletConfigzAsync(IKubernetes client, IList<V1Node> nodes, System.Collections.Concurrent.ConcurrentBag<string> offenders,
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
                    problems.AddRange(suites.Where(x => !FipsTlsPolicy.IsStrict(x)).Select(x => "suite " + x));
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
                errors.Add(KubernetesClusterCompliance.ApiError($"/api/v1/nodes/{name}/proxy/configz", ex));
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
}
