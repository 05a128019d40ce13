using System.Net;
using System.Net.Sockets;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// K8S-NODE-01's evidence, node by node: each listed Node is credited only with a report of its own. A kubelet writes
/// its Node's addresses, so under -NodeCheck Ssh a node can claim another host's address; an address claimed by two
/// nodes is scanned once and credited to neither (both are errors, never a silent pass). Under -NodeCheck DaemonSet a
/// report is a node's own because the check created that node's pod itself.
/// </summary>
internal sealed class NodeEvidenceLedger
{
    private readonly List<string> _nodes = new();
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _listedTwice = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Key, string Address)> _addressOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _claimants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _targetOf = new(StringComparer.Ordinal);
    private readonly List<string> _unaddressed = new();
    private string _addressType = "InternalIP";

    /// <summary>The nodes listed, in listing order (each once).</summary>
    public IReadOnlyList<string> Nodes => _nodes;

    /// <summary>Records a listed node; false when the name was already listed (its evidence is then an error).</summary>
    public bool AddNode(string name)
    {
        if (_listed.Add(name))
        {
            _nodes.Add(name);
            return true;
        }
        _listedTwice.Add(name);
        return false;
    }

    /// <summary>
    /// -NodeCheck Ssh: <paramref name="node"/> reports <paramref name="address"/> of <paramref name="addressType"/>, to be
    /// scanned as <paramref name="target"/>. Returns the target to scan, or null when another node already claimed the
    /// same address (after canonical parsing): the host is scanned once, and both claims become errors.
    /// </summary>
    public string? Claim(string node, string addressType, string address, string target)
    {
        _addressType = addressType;
        var key = AddressKey(address);
        _addressOf[node] = (key, address);
        if (_claimants.TryGetValue(key, out var claimants))
        {
            claimants.Add(node);
            return null;
        }
        _claimants[key] = new List<string> { node };
        _targetOf[key] = target;
        return target;
    }

    /// <summary>-NodeCheck Ssh: the node has no address of the type asked for.</summary>
    public void Unaddressed(string node, string addressType)
    {
        _addressType = addressType;
        _unaddressed.Add(node);
    }

    /// <summary>
    /// The address as one host: an IP in canonical form (IPv4-mapped IPv6 as IPv4, no scope), a DNS name lower-cased
    /// without its root dot. Two spellings of one IP are one claim; names are compared as written, not resolved.
    /// </summary>
    public static string AddressKey(string address)
    {
        var text = address.Trim();
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            text = text[1..^1];
        }
        if (IPAddress.TryParse(text, out var ip))
        {
            if (ip.IsIPv4MappedToIPv6)
            {
                ip = ip.MapToIPv4();
            }
            else if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                ip.ScopeId = 0;
            }
            return ip.ToString();
        }
        return text.TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>Each listed node with the report credited to it, or why it has none.</summary>
    public IReadOnlyList<NodeEvidence> Credit(IReadOnlyList<NodeComplianceReport> reports, bool byAddress)
    {
        var byName = reports.GroupBy(r => r.ComputerName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var unaddressed = _unaddressed.ToHashSet(StringComparer.Ordinal);
        var evidence = new List<NodeEvidence>(_nodes.Count);
        foreach (var node in _nodes)
        {
            if (_listedTwice.Contains(node))
            {
                evidence.Add(new NodeEvidence(node, null, $"node {node} is listed more than once: no report is credited to it"));
                continue;
            }
            if (byAddress)
            {
                if (unaddressed.Contains(node))
                {
                    evidence.Add(new NodeEvidence(node, null, $"no {_addressType} address to reach over SSH", Unaddressed: true));
                    continue;
                }
                if (!_addressOf.TryGetValue(node, out var claim))
                {
                    evidence.Add(new NodeEvidence(node, null, "not scanned", Missing: true));
                    continue;
                }
                var claimants = _claimants[claim.Key];
                if (claimants.Count > 1)
                {
                    evidence.Add(new NodeEvidence(node, null,
                        $"{_addressType} {claim.Address} is also reported by {string.Join(", ", claimants.Where(c => c != node).Take(5))}{(claimants.Count > 6 ? ", …" : "")}: that host's report is credited to none of them",
                        Conflict: claim.Address));
                    continue;
                }
                evidence.Add(byName.TryGetValue(_targetOf[claim.Key], out var scanned) && scanned.Count == 1
                    ? new NodeEvidence(node, scanned[0], null)
                    : new NodeEvidence(node, null, "its host did not report", Missing: true));
                continue;
            }
            evidence.Add(!byName.TryGetValue(node, out var own) ? new NodeEvidence(node, null, "no node-check pod reported", Missing: true)
                : own.Count > 1 ? new NodeEvidence(node, null, $"{own.Count} reports claim node {node}: none is credited")
                : new NodeEvidence(node, own[0], null));
        }
        return evidence;
    }
}

/// <summary>One listed node: the report credited to it, or why there is none (then it can never pass).</summary>
internal sealed record NodeEvidence(string Node, NodeComplianceReport? Report, string? Problem, bool Missing = false, bool Unaddressed = false, string? Conflict = null)
{
    public bool Compliant => Report is { Compliant: true } && Problem is null;
}
