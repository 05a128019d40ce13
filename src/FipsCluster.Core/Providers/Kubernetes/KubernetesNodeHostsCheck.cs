using FipsCluster.Core.Compliance;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>K8S-NODE-01: the cluster's nodes judged from the node reports <see cref="NodeEvidenceLedger"/> credits to each.</summary>
internal static class KubernetesNodeHostsCheck
{
    /// <summary>
    /// K8S-NODE-01, node by node: it passes only when every listed node has a compliant report of its own. Nodes whose
    /// report is not compliant are named with their findings; nodes without one (an address another node also claims,
    /// no address, no report) are named with why.
    /// </summary>
    public static void Judge(CheckResultList checks, IReadOnlyList<NodeEvidence> credited, string? nodeListError, bool byPods)
    {
        const string Expected = "Test-FipsNode compliant on every node";
        const string Remediation = "Rebuild or fix the failing nodes (Test-FipsNode shows the remediation); a node without a report of its own cannot be judged.";
        if (nodeListError is not null)
        {
            checks.Add(KubernetesClusterChecks.NodeHosts, CheckStatus.Error, Expected, $"the nodes could not be listed: {nodeListError}", Remediation, Array.Empty<CheckEvidence>());
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
        checks.Add(KubernetesClusterChecks.NodeHosts, pass ? CheckStatus.Pass : CheckStatus.Fail, Expected,
            pass ? $"{total} of {total} nodes compliant" : parts.Count > 0 ? string.Join("; ", parts) : "no node was listed",
            Remediation,
            credited.Select(n => new CheckEvidence(n.Node, n.Problem is not null ? $"Error: {n.Problem}"
                : n.Report!.ComputerName == n.Node ? n.Report.Status.ToString() : $"{n.Report.Status} ({n.Report.ComputerName})")).ToArray());
    }
}
