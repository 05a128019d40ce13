using System.Text.Json;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using k8s;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// -NodeCheck DaemonSet with content-addressed build-info windows and compressed logs (issue 19): each distinct window
/// crosses the API once per run, and every node gets exactly the verdict it gets when its pod sends everything. The
/// machines standing in for the nodes carry up to three binary sets (<see cref="BinarySet"/>), so a window taken from
/// the wrong node would show in the evidence (another Go version).
/// </summary>
public sealed class DaemonSetWindowSharingTests : IDisposable
{
    private readonly KubernetesApiStub _api = new();
    private readonly Kubernetes _client;
    private readonly BinarySet _other = BinarySet.Patched('7');
    private readonly BinarySet _unique = BinarySet.Patched('5');

    public DaemonSetWindowSharingTests() => _client = KubernetesStubClient.Create(_api);

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
        _other.Dispose();
        _unique.Dispose();
    }

    /// <summary>What the runs said in Verbose (why each second pod was started).</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _verbose = new();

    private Task<ClusterComplianceReport> Test(bool contentAddressed, TimeSpan? timeout = null) =>
        KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default) { DaemonSet = new DaemonSetNodeCheck(DaemonSetNodeProbe.DefaultImage, timeout ?? TimeSpan.FromSeconds(120)) { ContentAddressed = contentAddressed } }, new OperationContext { Verbose = _verbose.Enqueue });

    /// <summary>Everything a node's report says, but when it was made and how long it took.</summary>
    private static string Verdict(NodeComplianceReport report) => JsonSerializer.Serialize(new
    {
        report.ComputerName, report.Status, report.Compliant, report.FipsModeEnabled, report.ErrorId, report.Errors,
        Checks = report.Checks.Select(c => new { c.CheckId, c.Status, c.Required, c.Expected, c.Actual, c.Remediation, Evidence = c.Evidence.Select(e => $"{e.Source}: {e.Excerpt}") }),
    });

    private static string GoEvidence(NodeComplianceReport report) =>
        string.Join("\n", report.Checks.Single(c => c.CheckId == "NODE-GO-01").Evidence.Select(e => $"{e.Source}: {e.Excerpt}"));

    /// <summary>The key of the scripts ConfigMap a pod runs (null: its script is inline, the protocol before).</summary>
    private static string? ScriptOf(JsonElement pod) =>
        pod.GetProperty("spec").GetProperty("containers")[0].TryGetProperty("env", out var env) ? env[0].GetProperty("valueFrom").GetProperty("configMapKeyRef").GetProperty("key").GetString() : null;

    private static string Script(BuildInfoWindows windows) => DaemonSetNodeProbe.ScriptKey(windows);

    /// <summary>Runs each command once now for the binary sets of <paramref name="nodes"/>: the timings are then the probe's, not the first real runs'.</summary>
    private static void Prepare(NodeLogReplay replay, params int[] nodes)
    {
        var commands = new[] { NodeLogReplay.PodCommand(false), NodeLogReplay.PodCommand(true, BuildInfoWindows.Send), NodeLogReplay.PodCommand(true, BuildInfoWindows.Offer) };
        Parallel.ForEach(nodes.SelectMany(n => commands.Select(c => (n, c))), x => replay.LogOf(x.n, x.c));
    }

    [Fact]
    public async Task Three_hundred_nodes_of_two_builds_get_node_by_node_the_verdicts_of_every_pod_sending_every_window_for_a_third_of_the_bytes()
    {
        // Even nodes are one build (this host's binaries), odd ones another (kubelet v1.29.7, other runc and shim builds).
        // node-100 says it is of the first build but carries the second's binaries (the second build's representative
        // sends them); node-42 carries binaries no other node has: only a second pod on it can send them.
        _api.NodeCount = 300;
        foreach (var odd in Enumerable.Range(0, 300).Where(i => i % 2 == 1))
        {
            _api.KubeletOverrides[odd] = "v1.29.7+fips.0";
        }
        var replay = new NodeLogReplay(i => i == 42 ? _unique : i % 2 == 1 || i == 100 ? _other : BinarySet.Host);
        _api.ReplayNodeLog = replay.LogOf;
        Prepare(replay, 0, 1, 42);

        var before = _api.LogBytes;
        var full = await Test(contentAddressed: false);
        var fullBytes = _api.LogBytes - before;
        var fullPods = _api.CreatedPods.Count;
        before = _api.LogBytes;
        var shared = await Test(contentAddressed: true);
        var sharedBytes = _api.LogBytes - before;
        var sharedPods = _api.CreatedPods.Skip(fullPods).ToList();

        Assert.Equal(300, full.Nodes.Count);
        Assert.DoesNotContain(full.Nodes, n => n.Status == ComplianceStatus.Error);
        Assert.Equal(full.Nodes.Select(Verdict), shared.Nodes.Select(Verdict)); // node by node, check by check, evidence included
        Assert.Equal(full.Checks.Select(c => $"{c.CheckId} {c.Status} {c.Actual}"), shared.Checks.Select(c => $"{c.CheckId} {c.Status} {c.Actual}"));

        // The three binary sets really differ where it shows: the evidence names another Go version.
        var evidence = shared.Nodes.ToDictionary(n => n.ComputerName, GoEvidence);
        Assert.Contains("go1.19.7", evidence["node-1"]);
        Assert.Contains("go1.19.7", evidence["node-100"]);
        Assert.Contains("go1.19.5", evidence["node-42"]);
        Assert.DoesNotContain("go1.19.7", evidence["node-0"]);
        Assert.DoesNotContain("go1.19.5", evidence["node-0"] + evidence["node-1"]);

        // Who sent windows: the first node of each build, and a second pod on node-42 (for its own binaries) — and on
        // node-100 only if it was read before the second build's representative. Every other pod sent digests only.
        // All through compressed logs.
        var sending = sharedPods.Where(p => ScriptOf(p) == Script(BuildInfoWindows.Send))
            .Select(p => (Pod: p.GetProperty("metadata").GetProperty("name").GetString()!, Node: p.GetProperty("spec").GetProperty("nodeName").GetString()!)).ToList();
        Assert.Equal(new[] { ("fips-node-facts-0", "node-0"), ("fips-node-facts-1", "node-1") }, sending.Where(p => !p.Pod.Contains("-w", StringComparison.Ordinal)).Order());
        var fetches = sending.Where(p => p.Pod.Contains("-w", StringComparison.Ordinal)).Select(p => p.Node).ToList();
        Assert.Contains("node-42", fetches);
        Assert.True(fetches.All(node => node is "node-42" or "node-100"), string.Join("\n", _verbose.Where(m => m.Contains("build-info windows", StringComparison.Ordinal))));
        Assert.Equal(300 - 2, sharedPods.Count(p => ScriptOf(p) == Script(BuildInfoWindows.Offer)));
        Assert.Equal(300 + fetches.Count, sharedPods.Count);
        Assert.Equal(3 * 3, replay.RealRuns); // each binary set and command once, before the runs

        Assert.True(sharedBytes / 300 < 32 * 1024, $"{sharedBytes / 300} bytes of log per node");
        // A third, not less: each window is sent by its real bounds, so what the digests save is a few KiB per node.
        Assert.True(sharedBytes * 3 < fullBytes, $"{sharedBytes} bytes against {fullBytes}");
        Assert.Empty(_api.LiveNamespaces);
    }

    [Fact]
    public async Task A_representative_whose_pod_never_starts_keeps_its_build_waiting_only_for_the_patience()
    {
        // node-0 represents the only build; its pod never starts. A third of the timeout (4 s) after they parked, one of
        // the waiting nodes fetches the windows with a second pod, and all are judged long before the timeout.
        _api.NodeCount = 4;
        _api.StuckPods[0] = "ImagePullBackOff";
        var replay = new NodeLogReplay(_ => BinarySet.Host);
        _api.ReplayNodeLog = replay.LogOf;
        Prepare(replay, 0);
        var report = await Test(contentAddressed: true, TimeSpan.FromSeconds(12));

        Assert.Contains("ImagePullBackOff", Assert.Single(report.Nodes.Single(n => n.ComputerName == "node-0").Errors));
        var judged = report.Nodes.Where(n => n.ComputerName != "node-0").ToList();
        Assert.All(judged, n => Assert.NotEqual(ComplianceStatus.Error, n.Status));
        Assert.All(judged, n => Assert.Empty(n.Errors));
        Assert.All(judged, n => Assert.True(n.Duration < TimeSpan.FromSeconds(10), $"{n.ComputerName} waited {n.Duration}"));
        var fetch = Assert.Single(_api.CreatedPods, p => p.GetProperty("metadata").GetProperty("name").GetString()!.StartsWith("fips-node-facts-w", StringComparison.Ordinal));
        Assert.Equal(Script(BuildInfoWindows.Send), ScriptOf(fetch));

        // The same verdicts as pods that each send everything.
        var full = await Test(contentAddressed: false, TimeSpan.FromSeconds(12));
        Assert.Equal(full.Nodes.Where(n => n.ComputerName != "node-0").Select(Verdict), judged.Select(Verdict));
    }

    [Fact]
    public async Task A_window_no_pod_sends_is_that_binarys_Error_on_the_node_that_offered_it_never_a_verdict_from_other_bytes()
    {
        // node-2 carries binaries of its own; its second pod (the one that would send them) fails.
        _api.NodeCount = 3;
        var send = ShellFactScript.ScriptFor(FactScope.All, BuildInfoWindows.Send);
        _api.NodeRunner = (index, command) => index != 2 ? command
            : command.Any(a => a.Contains(send, StringComparison.Ordinal)) ? new[] { "/bin/sh", "-c", "exit 3" } : _unique.Runs(command);
        var report = await Test(contentAddressed: true, TimeSpan.FromSeconds(60));

        var alone = report.Nodes.Single(n => n.ComputerName == "node-2");
        var others = report.Nodes.Where(n => n.ComputerName != "node-2").ToList();
        Assert.All(others, n => Assert.Empty(n.Errors));
        Assert.Null(alone.ErrorId); // the node is judged; only the binaries whose window never came are not
        var go = alone.Checks.Single(c => c.CheckId == "NODE-GO-01");
        // Every catalogued path of a replaced binary (/usr/bin/runc is a link to /usr/sbin/runc).
        var unjudged = LinuxFactCatalog.ComponentBinaries.Where(p => File.Exists(p) && _unique.Binds.Any(b => b.Original == (new FileInfo(p).ResolveLinkTarget(true)?.FullName ?? p))).ToHashSet();
        Assert.NotEmpty(unjudged);
        foreach (var original in unjudged)
        {
            var entry = Assert.Single(go.Evidence, e => e.Source == original);
            Assert.Contains("could not be fetched: the second pod on node-2, which was to send it, failed: pod fips-node-facts-w1 Failed", entry.Excerpt);
            Assert.Contains("exit code 3", entry.Excerpt);
            Assert.Contains(alone.Errors, e => e.StartsWith(original + ": its build-info window", StringComparison.Ordinal));
        }
        Assert.Contains(go.Status, new[] { CheckStatus.Error, CheckStatus.Fail }); // an Error, unless a known binary already fails it
        Assert.False(alone.Compliant);
        // Every other binary and every other check: as on the nodes that share them.
        Assert.Equal(others[0].Checks.Single(c => c.CheckId == "NODE-GO-01").Evidence.Where(e => !unjudged.Contains(e.Source)).Select(e => e.Excerpt),
            go.Evidence.Where(e => !unjudged.Contains(e.Source)).Select(e => e.Excerpt));
        Assert.Equal(others[0].Checks.Where(c => c.CheckId != "NODE-GO-01").Select(c => $"{c.CheckId} {c.Status} {c.Actual}"),
            alone.Checks.Where(c => c.CheckId != "NODE-GO-01").Select(c => $"{c.CheckId} {c.Status} {c.Actual}"));
    }
}
