using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using k8s;
using k8s.Autorest;

namespace FipsCluster.Core.Providers.Kubernetes;

public sealed partial class DaemonSetNodeProbe
{
    /// <summary>What a pod is for: its node's facts, or (<see cref="FetchId"/> &gt; 0) the windows other nodes wait for.</summary>
    private sealed record PodJob(string Node, string Build, BuildInfoWindows Windows, int FetchId = 0)
    {
        public bool IsFetch => FetchId > 0;
    }

    /// <summary>Work for the log readers: a pod whose log can be read now, or a parked node whose windows have all come.</summary>
    private sealed record Work(string Pod, PodJob? Job, bool Ended, ParkedNode? Parked = null);

    /// <summary>
    /// One run in one namespace. Pods are created as nodes arrive (16 requests at a time) and followed with a watch (one
    /// list, then events), never re-listed in a loop; each pod whose container runs or has ended has its log read until
    /// the script's end marker, 16 at a time. A report is credited to the node the pod was created for. Readers never
    /// wait for other nodes: a node that waits for windows is parked and comes back as work when they arrive.
    /// </summary>
    private sealed partial class ProbeRun
    {
        private readonly DaemonSetNodeProbe _probe;
        private readonly string _ns;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly PodWindowBroker? _broker;
        private readonly ConcurrentDictionary<string, PodJob> _pods = new(StringComparer.Ordinal); // pod → its job
        private readonly ConcurrentDictionary<string, string> _podOf = new(StringComparer.Ordinal); // node → its facts pod
        private readonly ConcurrentDictionary<string, NodeComplianceReport> _reports = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> _waiting = new(StringComparer.Ordinal); // node → what its pod waits for
        private readonly ConcurrentDictionary<string, string> _ended = new(StringComparer.Ordinal); // pod → how its container ended
        private readonly ConcurrentDictionary<string, byte> _reading = new(StringComparer.Ordinal); // pods whose log is read
        private readonly ConcurrentQueue<Task> _fetchCreates = new();
        private readonly Channel<Work> _ready = Channel.CreateUnbounded<Work>();
        private readonly ReportText _text = new(); // the reports' texts, each kept once: a fleet's reports say the same things
        private readonly CancellationTokenSource _stop;
        private int _expected;

        public ProbeRun(DaemonSetNodeProbe probe, string ns)
        {
            _probe = probe;
            _ns = ns;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(probe._context.Cancellation);
            var scope = NodeCheckCatalog.ScopeOf(probe._profile);
            _broker = probe.ContentAddressed && scope.HasFlag(FactScope.Binaries) ? new PodWindowBroker(probe.RepresentativePatience) : null;
        }

        private IKubernetes Client => _probe._client;

        private OperationContext Context => _probe._context;

        public async Task<IReadOnlyList<NodeComplianceReport>> CollectAsync(ChannelReader<Target> nodes)
        {
            using var stop = _stop;
            var watching = WatchPodsAsync(_stop.Token);
            var creating = CreatePodsAsync(nodes, _stop.Token);
            var readers = Enumerable.Range(0, 16).Select(_ => Task.Run(ReadAsync, _stop.Token)).ToArray();
            try
            {
                while (true)
                {
                    var total = Volatile.Read(ref _expected);
                    Context.Progress(new OperationProgress("Test-FipsCluster -NodeCheck DaemonSet", $"{_reports.Count} of {total} nodes reported",
                        total > 0 ? (int)(100L * Math.Min(_reports.Count, total) / total) : -1));
                    if (creating.IsCompleted)
                    {
                        await creating.ConfigureAwait(false); // the preflight or the API refused: say so
                        if (_reports.Count >= Volatile.Read(ref _expected))
                        {
                            break;
                        }
                    }
                    if (watching.IsFaulted)
                    {
                        await watching.ConfigureAwait(false); // the API refused the pod list or watch: say so
                    }
                    if (_clock.Elapsed >= _probe.Timeout)
                    {
                        TimedOut(creating.IsCompleted);
                        break;
                    }
                    if (_broker is not null)
                    {
                        Fetch(_broker.Overdue(_clock.Elapsed));
                    }
                    await Task.Delay(_probe.PollInterval, Context.Cancellation).ConfigureAwait(false);
                }
            }
            finally
            {
                _stop.Cancel();
                _ready.Writer.TryComplete();
                foreach (var task in readers.Append(watching).Append(creating).Concat(_fetchCreates))
                {
                    try
                    {
                        await task.ConfigureAwait(false);
                    }
                    catch (Exception) when (_stop.IsCancellationRequested)
                    {
                    }
                }
            }
            if (_broker is not null)
            {
                Context.Verbose($"Build-info windows: {_broker.Fetches} second pods fetched windows no representative sent.");
            }
            return _reports.Values.OrderBy(r => r.ComputerName, StringComparer.Ordinal).ToList();
        }

        /// <summary>The time is up: parked nodes are judged with what arrived; a node with nothing is an Error naming why.</summary>
        private void TimedOut(bool listed)
        {
            var seconds = _probe.Timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
            var ready = new List<ParkedNode>();
            while (_ready.Reader.TryRead(out var work))
            {
                ready.AddRange(work.Parked is { } parked ? new[] { parked } : Array.Empty<ParkedNode>());
            }
            foreach (var parked in ready.Concat(_broker?.Drain($"no pod sent it within {seconds} s") ?? Array.Empty<ParkedNode>()))
            {
                Report(parked.Node, Judge(parked));
            }
            foreach (var (node, pod) in _podOf.Where(p => !_reports.ContainsKey(p.Key)))
            {
                Report(node, _probe.ErrorReport(node, _reading.ContainsKey(pod)
                    ? $"{node}: the pod ran but its facts were not complete within {seconds} s."
                    : $"{node}: no facts within {seconds} s: {_waiting.GetValueOrDefault(node, "its pod was never seen running")}.", _clock.Elapsed));
            }
            if (!listed)
            {
                Context.Warning($"The node list was still being read when the node check's {seconds} s ran out: nodes listed later have no pod.");
            }
        }

        private void Report(string node, NodeComplianceReport report)
        {
            if (!_reports.TryAdd(node, report))
            {
                return;
            }
            _waiting.TryRemove(node, out _);
            if (_broker is not null)
            {
                // A representative has reported, well or not: its build's parked nodes fetch what it did not send.
                Fetch(_broker.Reported(node));
            }
        }

        private void Requeue(IEnumerable<ParkedNode> ready)
        {
            foreach (var parked in ready)
            {
                _ready.Writer.TryWrite(new Work("", null, false, parked));
            }
        }

        /// <summary>Second pods that send every window, on nodes that offered windows no pod sent.</summary>
        private void Fetch(IReadOnlyList<WindowFetch> fetches)
        {
            foreach (var fetch in fetches)
            {
                var name = $"{AppName}-w{fetch.Id}";
                var job = new PodJob(fetch.Node, "", BuildInfoWindows.Send, fetch.Id);
                _pods[name] = job;
                Context.Verbose($"{fetch.Node}: pod {name} sends the {fetch.Digests.Count} build-info windows it offered that no other pod sent ({fetch.Why}).");
                _fetchCreates.Enqueue(Task.Run(async () =>
                {
                    try
                    {
                        await Client.CoreV1.CreateNamespacedPodAsync(_probe.Pod(name, fetch.Node, BuildInfoWindows.Send), _ns, cancellationToken: _stop.Token).ConfigureAwait(false);
                    }
                    catch (HttpOperationException ex)
                    {
                        FetchEnded(job, $"it could not be created: HTTP {(int?)ex.Response?.StatusCode} ({ex.Response?.ReasonPhrase ?? ex.Message})");
                    }
                    catch (Exception ex) when (!_stop.IsCancellationRequested && ex is HttpRequestException or IOException)
                    {
                        FetchEnded(job, $"it could not be created: {ex.Message}");
                    }
                }, _stop.Token));
            }
        }

        private void FetchEnded(PodJob job, string? failure) => Requeue(_broker!.FetchEnded(job.FetchId, failure));

        private async Task ReadAsync()
        {
            await foreach (var work in _ready.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                if (work.Parked is { } parked)
                {
                    Report(parked.Node, Judge(parked));
                    continue;
                }
                var job = work.Job!;
                var node = job.Node;
                // One node's unreadable, oversized or malformed log is that node's error report; the reader goes on.
                var clock = Stopwatch.StartNew();
                string? text;
                try
                {
                    text = await ReadLogAsync(work.Pod, node, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    var error = FailureClassifier.Classify(ex, node, node);
                    if (job.IsFetch)
                    {
                        FetchEnded(job, error.Message);
                    }
                    else
                    {
                        Report(node, _probe.ErrorReport(node, error.Message, clock.Elapsed, error.ErrorId));
                    }
                    continue;
                }
                if (text is not null)
                {
                    var report = Facts(work, text, clock);
                    if (report is not null)
                    {
                        Report(node, report);
                    }
                }
                else if (work.Ended)
                {
                    var why = $"{_ended.GetValueOrDefault(work.Pod, $"pod {work.Pod} ended")} before its facts were complete";
                    if (job.IsFetch)
                    {
                        FetchEnded(job, why);
                    }
                    else
                    {
                        Report(node, _probe.ErrorReport(node, $"{node}: {why}.", clock.Elapsed, ErrorIds.NodeFactsUnavailable));
                    }
                }
                else
                {
                    // The log ended while the pod looked Running: read it again once the watch shows it ended.
                    _reading.TryRemove(work.Pod, out _);
                    if (_ended.ContainsKey(work.Pod) && _reading.TryAdd(work.Pod, 0))
                    {
                        _ready.Writer.TryWrite(work with { Ended = true });
                    }
                }
            }
        }

        /// <summary>
        /// A complete facts output: its windows go to the broker; a fetch pod's job ends there, a node's facts are judged
        /// — or parked (null) when they offered windows no pod has sent yet.
        /// </summary>
        private NodeComplianceReport? Facts(Work work, string text, Stopwatch clock)
        {
            var job = work.Job!;
            try
            {
                var facts = ShellFactScript.Parse(text, NodeTransport.KubernetesPod, job.Node, _broker is null ? null : _broker.Windows.Known, _stop.Token);
                if (_broker is null)
                {
                    return Judge(facts, job.Node, clock.Elapsed);
                }
                Requeue(_broker.Deliver(facts.ReceivedWindows));
                if (job.IsFetch)
                {
                    FetchEnded(job, null);
                    return null;
                }
                if (facts.MissingWindows.Count > 0)
                {
                    var (parked, fetches) = _broker.Park(job.Node, job.Build, text, facts.MissingWindows.Select(w => w.Digest), clock, _clock.Elapsed);
                    Fetch(fetches);
                    if (parked)
                    {
                        return null;
                    }
                    facts = ShellFactScript.Parse(text, NodeTransport.KubernetesPod, job.Node, _broker.Windows.Known, _stop.Token);
                }
                return Judge(facts, job.Node, clock.Elapsed);
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                var error = FailureClassifier.Classify(ex, job.Node, job.Node);
                if (job.IsFetch)
                {
                    FetchEnded(job, error.Message);
                    return null;
                }
                return _probe.ErrorReport(job.Node, error.Message, clock.Elapsed, error.ErrorId);
            }
        }

        private NodeComplianceReport Judge(ParkedNode parked)
        {
            try
            {
                var facts = ShellFactScript.Parse(PodFactsLog.Unpack(parked.Packed), NodeTransport.KubernetesPod, parked.Node, _broker!.Windows.Known, CancellationToken.None);
                return Judge(facts, parked.Node, parked.Clock.Elapsed);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var error = FailureClassifier.Classify(ex, parked.Node, parked.Node);
                return _probe.ErrorReport(parked.Node, error.Message, parked.Clock.Elapsed, error.ErrorId);
            }
        }

        private NodeComplianceReport Judge(NodeFacts facts, string node, TimeSpan elapsed)
        {
            NodeArtifactReader.Enrich(facts, _probe._profile, null, _stop.Token);
            _broker?.MarkUnavailable(facts);
            return NodeComplianceEvaluator.Evaluate(facts, _probe._profile, node, elapsed, _text);
        }

        /// <summary>The pod's log, followed until the script's end (at most one node's bytes), as the script's output; null when it ended first.</summary>
        private async Task<string?> ReadLogAsync(string pod, string node, CancellationToken cancellation)
        {
            ArraySegment<byte> log;
            try
            {
                await using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, _ns, container: "facts", follow: true, cancellationToken: cancellation).ConfigureAwait(false);
                log = await NodeOutput.ReadAsync(stream, NodeReadLimits.FactsBytes, node, "its pod log", cancellation, PodFactsLog.EndsInChunk).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when ((int?)ex.Response?.StatusCode is 400 or 404)
            {
                return null; // the container is not started yet, or just restarted
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellation.IsCancellationRequested)
            {
                return null; // the log stream broke off: as a log that ended early, the watch brings the pod back
            }
            var text = PodFactsLog.Text(log, node);
            return ShellFactScript.IsComplete(text) ? text : null;
        }

    }
}
