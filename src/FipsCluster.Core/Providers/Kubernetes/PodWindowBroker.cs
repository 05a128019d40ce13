using System.Diagnostics;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>A node whose facts wait for build-info windows other pods send (its output kept compressed meanwhile).</summary>
public sealed class ParkedNode
{
    internal ParkedNode(string node, string build, byte[] packed, Stopwatch clock, TimeSpan since)
    {
        Node = node;
        Build = build;
        Packed = packed;
        Clock = clock;
        Since = since;
    }

    public string Node { get; }

    internal string Build { get; }

    /// <summary>The node's facts output, gzip (see <see cref="PodFactsLog.Pack"/>).</summary>
    internal byte[] Packed { get; }

    /// <summary>Started when its log was first read: the report's duration includes the wait.</summary>
    internal Stopwatch Clock { get; }

    internal TimeSpan Since { get; }

    internal HashSet<string> Waiting { get; } = new(StringComparer.Ordinal);

    internal bool FetchAsked { get; set; }
}

/// <summary>A second pod on <paramref name="Node"/> that sends every window (the node offered <paramref name="Digests"/>, which no pod delivered, <paramref name="Why"/>).</summary>
public sealed record WindowFetch(int Id, string Node, IReadOnlyList<string> Digests, string Why);

/// <summary>
/// Content-addressed build-info windows for one run of the node-check pods. Nodes of one build — the same
/// (kubelet, container runtime, OS image, kernel, architecture) in their Node objects — almost always carry the same
/// binaries: the first node of each build (its representative) sends every window, the others only each window's
/// SHA-256. A window enters the scan's <see cref="BuildInfoWindowCache"/> only when its bytes hash to its digest.
/// <para>
/// Nothing here waits: a node whose windows are all known is judged at once; one that misses some is parked (its
/// output compressed) and handed back when they arrive. When its representative has reported (or is late by the
/// patience) and a window is still unknown — a node that differs from its build, a representative that failed — one
/// node that offered it runs a second pod that sends every window (one fetch per digest); a window that fetch does not
/// bring is that binary's Error on every node that offered it, never a verdict from other bytes.
/// </para>
/// </summary>
internal sealed class PodWindowBroker
{
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _representatives = new(StringComparer.Ordinal); // build → its first node
    private readonly Dictionary<string, string> _buildOf = new(StringComparer.Ordinal); // representative node → its build
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal); // builds whose representative reported
    private readonly Dictionary<string, ParkedNode> _parked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ParkedNode>> _waiters = new(StringComparer.Ordinal); // digest → parked nodes
    private readonly Dictionary<string, int> _fetching = new(StringComparer.Ordinal); // digest → fetch id
    private readonly Dictionary<int, WindowFetch> _fetches = new();
    private readonly Dictionary<string, string> _unavailable = new(StringComparer.Ordinal); // digest → why
    private readonly TimeSpan _patience;
    private int _fetchIds;

    /// <param name="patience">How long parked nodes wait for a representative that has not reported before one of them fetches.</param>
    public PodWindowBroker(TimeSpan patience) => _patience = patience;

    /// <summary>The windows of this run, by digest.</summary>
    public BuildInfoWindowCache Windows { get; } = new();

    /// <summary>How many fetch pods were asked for (representatives excluded).</summary>
    public int Fetches => Volatile.Read(ref _fetchIds);

    /// <summary>Send for the first node of <paramref name="build"/> (its representative), Offer for every later one.</summary>
    public BuildInfoWindows RoleOf(string node, string build)
    {
        lock (_gate)
        {
            if (_representatives.TryAdd(build, node))
            {
                _buildOf[node] = build;
                return BuildInfoWindows.Send;
            }
            return _representatives[build] == node ? BuildInfoWindows.Send : BuildInfoWindows.Offer;
        }
    }

    /// <summary>
    /// Windows a pod sent: each one whose bytes hash to its digest becomes known (claimed, then delivered, as the SSH
    /// collectors do). Returns the parked nodes that now have every window they wait for.
    /// </summary>
    public IReadOnlyList<ParkedNode> Deliver(IEnumerable<(string Digest, byte[] Bytes)> windows)
    {
        var delivered = new List<string>();
        foreach (var (digest, bytes) in windows)
        {
            if (digest.Length == 0 || Windows.Known(digest) is not null)
            {
                continue;
            }
            var (owner, pending) = Windows.Claim(digest);
            if ((owner || pending is not null) && Windows.Deliver(digest, bytes))
            {
                delivered.Add(digest);
            }
            else if (owner)
            {
                Windows.Abandon(digest); // other bytes than the digest says: not for other nodes
            }
        }
        lock (_gate)
        {
            return delivered.SelectMany(Resolve).ToList();
        }
    }

    /// <summary>
    /// <paramref name="node"/>'s facts miss <paramref name="digests"/>. Returns false when they are known (or known to be
    /// unavailable) by now — judge it at once; otherwise it is parked, with the fetches to start when its build's
    /// representative has already reported (or is this very node).
    /// </summary>
    public (bool Parked, IReadOnlyList<WindowFetch> Fetches) Park(string node, string build, string text, IEnumerable<string> digests, Stopwatch clock, TimeSpan now)
    {
        lock (_gate)
        {
            var waiting = digests.Where(d => d.Length > 0 && Windows.Known(d) is null && !_unavailable.ContainsKey(d)).Distinct(StringComparer.Ordinal).ToList();
            if (waiting.Count == 0)
            {
                return (false, Array.Empty<WindowFetch>());
            }
            var parked = new ParkedNode(node, build, PodFactsLog.Pack(text), clock, now);
            _parked[node] = parked;
            foreach (var digest in waiting)
            {
                parked.Waiting.Add(digest);
                if (!_waiters.TryGetValue(digest, out var list))
                {
                    _waiters[digest] = list = new List<ParkedNode>();
                }
                list.Add(parked);
            }
            var representativeDone = _reported.Contains(build) || _representatives.GetValueOrDefault(build) == node;
            return (true, representativeDone ? FetchFor(new[] { parked }, $"its build's first node, {_representatives.GetValueOrDefault(build)}, has reported without them") : Array.Empty<WindowFetch>());
        }
    }

    /// <summary>A node reported (judged or not): when it represents a build, its parked nodes stop waiting for it and fetch what is still missing.</summary>
    public IReadOnlyList<WindowFetch> Reported(string node)
    {
        lock (_gate)
        {
            if (!_buildOf.TryGetValue(node, out var build) || !_reported.Add(build))
            {
                return Array.Empty<WindowFetch>();
            }
            return FetchFor(_parked.Values.Where(p => p.Build == build).ToList(), $"its build's first node, {node}, has reported without them");
        }
    }

    /// <summary>Fetches for parked nodes whose representative has been silent longer than the patience since they parked.</summary>
    public IReadOnlyList<WindowFetch> Overdue(TimeSpan now)
    {
        lock (_gate)
        {
            return FetchFor(_parked.Values.Where(p => !p.FetchAsked && now - p.Since >= _patience).ToList(), $"its build's first node has not reported within {_patience.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// A fetch pod ended (<paramref name="failure"/> null when its windows were delivered): what it was to bring and
    /// did not is unavailable from now on. Returns the parked nodes that no longer wait.
    /// </summary>
    public IReadOnlyList<ParkedNode> FetchEnded(int id, string? failure)
    {
        lock (_gate)
        {
            if (!_fetches.Remove(id, out var fetch))
            {
                return Array.Empty<ParkedNode>();
            }
            var ready = new List<ParkedNode>();
            foreach (var digest in fetch.Digests.Where(d => Windows.Known(d) is null))
            {
                _fetching.Remove(digest);
                _unavailable[digest] = failure is null
                    ? $"the second pod on {fetch.Node}, which sends every window, did not send it"
                    : $"the second pod on {fetch.Node}, which was to send it, failed: {failure}";
                ready.AddRange(Resolve(digest));
            }
            return ready;
        }
    }

    /// <summary>Every node still parked (the run's time is up): judged with what is known; the rest is unavailable.</summary>
    public IReadOnlyList<ParkedNode> Drain(string why)
    {
        lock (_gate)
        {
            foreach (var digest in _waiters.Keys)
            {
                _unavailable.TryAdd(digest, why);
            }
            var all = _parked.Values.ToList();
            _parked.Clear();
            _waiters.Clear();
            return all;
        }
    }

    /// <summary>Why the window with <paramref name="digest"/> is not known.</summary>
    public string WhyUnavailable(string digest)
    {
        lock (_gate)
        {
            return digest.Length == 0 ? "the node offered it without a SHA-256 and did not send it"
                : _unavailable.GetValueOrDefault(digest) ?? "no pod sent it";
        }
    }

    /// <summary>
    /// The binaries of <paramref name="facts"/> whose window never came (judged from whatever else arrived, they could
    /// be misjudged): each becomes an Error report with the reason, and a collection error of the node.
    /// </summary>
    public void MarkUnavailable(NodeFacts facts)
    {
        foreach (var group in facts.MissingWindows.GroupBy(w => w.Path, StringComparer.Ordinal))
        {
            var why = string.Join("; ", group.Select(w => $"its build-info window at offset {w.Offset} (SHA-256 {(w.Digest.Length > 0 ? w.Digest[..16] + "…" : "none")}) could not be fetched: {WhyUnavailable(w.Digest)}").Distinct());
            var index = facts.BinaryReports.FindIndex(b => b.Path == group.Key);
            var error = new GoBinaryReport
            {
                Path = group.Key, Format = "ELF", IsGo = true, CryptoModule = GoCryptoModule.Unknown, Status = CheckStatus.Error, Reason = why + ".",
                Evidence = new[] { new CheckEvidence(group.Key, why) },
            };
            if (index >= 0)
            {
                facts.BinaryReports[index] = error;
            }
            else
            {
                facts.BinaryReports.Add(error);
            }
            facts.CollectionErrors.Add($"{group.Key}: {why}.");
        }
    }

    /// <summary>The window <paramref name="digest"/> is known or unavailable: parked nodes that waited only for it are ready.</summary>
    private List<ParkedNode> Resolve(string digest)
    {
        var ready = new List<ParkedNode>();
        if (_waiters.Remove(digest, out var waiters))
        {
            foreach (var parked in waiters)
            {
                parked.Waiting.Remove(digest);
                if (parked.Waiting.Count == 0 && _parked.Remove(parked.Node))
                {
                    ready.Add(parked);
                }
            }
        }
        return ready;
    }

    /// <summary>One fetch per parked node that waits for windows nobody fetches yet (each digest fetched once).</summary>
    private List<WindowFetch> FetchFor(IEnumerable<ParkedNode> parked, string why)
    {
        var fetches = new List<WindowFetch>();
        foreach (var node in parked)
        {
            node.FetchAsked = true;
            // A window another reader has just delivered is known before that reader resolves its waiters: not fetched.
            var digests = node.Waiting.Where(d => !_fetching.ContainsKey(d) && Windows.Known(d) is null).ToList();
            if (digests.Count == 0)
            {
                continue;
            }
            var fetch = new WindowFetch(Interlocked.Increment(ref _fetchIds), node.Node, digests, why);
            _fetches[fetch.Id] = fetch;
            foreach (var digest in digests)
            {
                _fetching[digest] = fetch.Id;
            }
            fetches.Add(fetch);
        }
        return fetches;
    }
}
