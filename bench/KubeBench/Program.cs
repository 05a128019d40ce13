// Test-FipsCluster -Kubeconfig -NodeCheck None vs `kubectl get nodes,pods -A -o json` against the same Kubernetes API:
// the tests' in-process stub (real wire protocol: JSON over HTTPS with the stub's own CA in the kubeconfig, discovery, limit/continue paging), hosted by this
// parent process with 5,000 nodes and 20,000 pods. Both clients run as child processes with the same kubeconfig; the
// parent only serves and times. Samples alternate (the order flips every round); one round of warm-up is discarded.
// Usage: KubeBench [samples=5] [nodes=5000] [pods=20000]
//        KubeBench --client <kubeconfig>            a cold process: import, one Test-FipsCluster call, report, exit
//        KubeBench --session <kubeconfig>           an open session: import, then one call per "call" line on stdin
//        KubeBench --serve [nodes] [pods]           only the stub, until Enter (to try other clients by hand)
//        KubeBench --daemonset [samples=3] [nodes=5000]   (FC_BENCH_FRESH_ONLY=1: only [samples] fresh processes' calls;
//                                                   FC_BENCH_DIAG=1: each DaemonSet call also prints, on stderr, its
//                                                   sampled peaks of RSS, GC heap, threads and fds, when RSS peaked, the
//                                                   anonymous and file-backed RSS, GC counts and bytes allocated)
//                                                   -NodeCheck DaemonSet vs -NodeCheck None on the same cluster, and the
//                                                   protocol before issue 19 (every pod sends every window, plain): two
//                                                   builds of nodes with two binary sets (this host's, and other runc and
//                                                   shim builds bind-mounted in a private mount namespace: needs root);
//                                                   each pod replays one real run of its own command on its set
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Text.Json;
using FipsCluster.Core.Tests.Providers;
using FipsCluster.Testing;

var inv = CultureInfo.InvariantCulture;
if (args.Length >= 2 && args[0] is "--client" or "--session")
{
    return Client(args[1], session: args[0] == "--session");
}
if (args.Length >= 1 && args[0] == "--daemonset")
{
    return DaemonSetBench(args.Length > 1 ? int.Parse(args[1], inv) : 3, args.Length > 2 ? int.Parse(args[2], inv) : 5000);
}
int Arg(int i, int fallback) => args.Length > i && int.TryParse(args[i], inv, out var v) ? v : fallback;
var serveOnly = args.Length > 0 && args[0] == "--serve";
var samples = serveOnly ? 0 : Arg(0, 5);
var nodeCount = Arg(1, 5000);
var podCount = Arg(2, 20000);

using var api = new KubernetesApiStub { NodeCount = nodeCount, PodCount = podCount, NamespaceCount = 40, CacheListings = true };
var work = Path.Combine(Path.GetTempPath(), "fc-kubebench-" + Guid.NewGuid().ToString("N")[..6]);
Directory.CreateDirectory(work);
var kubeconfig = Path.Combine(work, "kubeconfig");
File.WriteAllText(kubeconfig, api.Kubeconfig("bench"));
if (serveOnly)
{
    Console.WriteLine($"{api.Url} ({nodeCount} nodes, {podCount} pods); kubeconfig {kubeconfig}; Enter stops");
    Console.ReadLine();
    foreach (var r in api.Requests.GroupBy(r => r.Split('?')[0].StartsWith("/api/v1/nodes/", StringComparison.Ordinal) ? "/api/v1/nodes/*/proxy/configz" : r.Split('?')[0]))
    {
        Console.WriteLine($"{r.Count(),6} {r.Key}");
    }
    Directory.Delete(work, recursive: true);
    return 0;
}

// KUBECTL picks another client, e.g. Debian's kubernetes-client unpacked by `apt-get download kubernetes-client && dpkg -x`.
var kubectl = Environment.GetEnvironmentVariable("KUBECTL") ?? "/usr/bin/kubectl";
var self = Environment.ProcessPath!;
var kubeCache = Path.Combine(work, "kube-cache");
try
{
    // kubectl as an admin runs it: its discovery cache (here in the work folder) is filled by the warm-up round.
    var kubectlVersion = BenchHost.Run("/bin/sh", "-c", $"{kubectl} --kubeconfig {kubeconfig} version --client 2>&1 | head -1").Trim();

    // Warm-up (discarded): fills the stub's page cache, kubectl's discovery cache and the OS file cache. kubectl's output
    // is kept once and counted, to be sure it read everything.
    var listing = Path.Combine(work, "kubectl.json");
    BenchHost.Run("/bin/sh", "-c", $"{KubectlCommand()} > {listing}");
    using (var doc = JsonDocument.Parse(File.ReadAllBytes(listing)))
    {
        var kinds = doc.RootElement.GetProperty("items").EnumerateArray().GroupBy(i => i.GetProperty("kind").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        if (kinds.GetValueOrDefault("Node") != nodeCount || kinds.GetValueOrDefault("Pod") != podCount)
        {
            throw new InvalidOperationException($"kubectl listed {string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key}"))}");
        }
    }
    var listingBytes = new FileInfo(listing).Length;
    long WireBytes(string resource)
    {
        using var http = api.CreateHttpClient(); // the stub speaks HTTPS with its own CA
        long total = 0;
        for (var start = 0; start < (resource == "nodes" ? nodeCount : podCount); start += 500)
        {
            total += http.GetByteArrayAsync($"{api.Url}api/v1/{resource}?limit=500&continue={start}").GetAwaiter().GetResult().Length;
        }
        return total;
    }
    var (nodeWire, podWire) = (WireBytes("nodes"), WireBytes("pods"));
    File.Delete(listing);
    var requestsBefore = api.Requests.Count;
    TimeKubectl();
    var kubectlRequests = api.Requests.Count - requestsBefore;
    TimeModuleProcess();

    // The open session: one long-lived child, imported once; each sample is one more call in it.
    var session = Process.Start(new ProcessStartInfo(self) { ArgumentList = { "--session", kubeconfig }, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false })!;
    string SessionLine()
    {
        return session.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the session child exited");
    }
    var sessionImport = SessionLine();
    (Sample Call, string Nodes) SessionCall()
    {
        session.StandardInput.WriteLine("call");
        session.StandardInput.Flush();
        var f = SessionLine().Split('\t');
        return (new Sample(double.Parse(f[0], inv), double.Parse(f[1], inv), long.Parse(f[2], inv)), f[3]);
    }
    requestsBefore = api.Requests.Count;
    var sessionFirst = SessionCall();
    var moduleRequests = api.Requests.Count - requestsBefore;

    var kubectlRuns = new List<Sample>();
    var nodesRuns = new List<Sample>();
    var coldRuns = new List<(Sample Process, double ImportMs, Sample Call, string Nodes)>();
    var sessionRuns = new List<(Sample Call, string Nodes)>();
    for (var i = 0; i < samples; i++)
    {
        var steps = new Action[] { () => kubectlRuns.Add(TimeKubectl()), () => coldRuns.Add(TimeModuleProcess()), () => sessionRuns.Add(SessionCall()), () => nodesRuns.Add(TimeKubectl("nodes")) };
        foreach (var step in i % 2 == 0 ? steps : steps.Reverse())
        {
            step();
        }
    }
    session.StandardInput.Close();
    session.WaitForExit();

    var k = BenchHost.Median(kubectlRuns.Select(r => r.Ms));
    Console.WriteLine($"Test-FipsCluster -Kubeconfig -NodeCheck None vs kubectl get nodes,pods -A -o json: {nodeCount:N0} nodes, {podCount:N0} pods; {samples} samples each, alternating; {Environment.ProcessorCount} cores");
    Console.WriteLine($"The API: an in-process stub in this parent process speaking the real wire protocol (JSON over HTTPS on loopback, its CA in the kubeconfig, discovery, limit/continue paging),");
    Console.WriteLine($"answering concurrently from pre-serialized pages: nodes {nodeWire / 1048576.0:F1} MiB on the wire ({nodeWire / 1024.0 / nodeCount:F1} KiB each), pods {podWire / 1048576.0:F1} MiB ({podWire / 1024.0 / podCount:F1} KiB each);");
    Console.WriteLine($"kubectl's indented JSON output {listingBytes / 1048576.0:F0} MiB. Both clients are child processes of this one; nothing else of the bench runs while one is timed.");
    Console.WriteLine($"kubectl: {kubectl} ({kubectlVersion}), discovery cache warm, output to /dev/null; {kubectlRequests} requests per run");
    Console.WriteLine($"Test-FipsCluster: staged module imported in a hosted PowerShell 7 runspace; reads /version, nodes (pages of 500), each node's configz (16 at a time)");
    Console.WriteLine($"and kube-system pods: {moduleRequests} requests per run, and probes the API's TLS endpoint (K8S-TLS-06, one handshake per version and suite). CPU = user+system seconds of the process (of the call: the process's CPU time");
    Console.WriteLine("during it). Peak RSS = maximum resident set of the whole process (/usr/bin/time %M; of a call: VmHWM when it returned, the session's so far).");
    Console.WriteLine();
    Console.WriteLine($"{"run",-56} {"median",8} {"min",8} {"max",8} {"ratio",6} {"CPU",7} {"peak RSS",10}");
    void Row(string name, IReadOnlyList<Sample> runs)
    {
        var median = BenchHost.Median(runs.Select(r => r.Ms));
        Console.WriteLine($"{name,-56} {median / 1000,7:F2}s {runs.Min(r => r.Ms) / 1000,7:F2}s {runs.Max(r => r.Ms) / 1000,7:F2}s {median / k,6:F2} {BenchHost.Median(runs.Select(r => r.CpuSeconds)),6:F2}s {BenchHost.Median(runs.Select(r => (double)r.PeakKb)) / 1024,6:F0} MiB");
    }
    Row("kubectl get nodes,pods -A -o json (process)", kubectlRuns);
    Row("Test-FipsCluster, call in an open session (warm)", sessionRuns.Select(r => r.Call).ToList());
    Row("Test-FipsCluster, first call after Import-Module", coldRuns.Select(r => r.Call).ToList());
    Row("Test-FipsCluster, whole process (start, import, call)", coldRuns.Select(r => r.Process).ToList());
    Row("for reference: kubectl get nodes -o json (nodes only)", nodesRuns);
    Console.WriteLine();
    Console.WriteLine($"ratio = median / kubectl's median (target: the call <= 1.5). Import-Module in the cold processes: median {BenchHost.Median(coldRuns.Select(r => r.ImportMs)):F0} ms;");
    Console.WriteLine($"the session's import {sessionImport.Split('\t')[0]} ms, its first call {sessionFirst.Call.Ms:F0} ms (not in the table).");
    Console.WriteLine($"Every Test-FipsCluster run read all nodes (K8S-NODE-02): {string.Join(" | ", coldRuns.Select(r => r.Nodes).Concat(sessionRuns.Select(r => r.Nodes)).Distinct())}");
}
finally
{
    Directory.Delete(work, recursive: true);
}
return 0;

Sample TimeKubectl(string what = "nodes,pods -A")
{
    var mem = Path.Combine(work, "kubectl.mem");
    var clock = Stopwatch.StartNew();
    BenchHost.Run("/bin/sh", "-c", $"exec /usr/bin/time -f '%M %U %S' -o {mem} {KubectlCommand(what)} > /dev/null");
    var ms = clock.Elapsed.TotalMilliseconds;
    return TimeFile(ms, mem);
}

string KubectlCommand(string what = "nodes,pods -A") => $"{kubectl} --kubeconfig {kubeconfig} --cache-dir {kubeCache} get {what} -o json";

(Sample Process, double ImportMs, Sample Call, string Nodes) TimeModuleProcess()
{
    var mem = Path.Combine(work, "module.mem");
    var clock = Stopwatch.StartNew();
    var output = BenchHost.Run("/bin/sh", "-c", $"exec /usr/bin/time -f '%M %U %S' -o {mem} {self} --client {kubeconfig}");
    var ms = clock.Elapsed.TotalMilliseconds;
    var f = output.Trim().Split('\t');
    return (TimeFile(ms, mem), double.Parse(f[0], inv), new Sample(double.Parse(f[1], inv), double.Parse(f[2], inv), long.Parse(f[3], inv)), f[4]);
}

// /usr/bin/time's "%M %U %S": peak RSS in KiB, user and system CPU seconds.
Sample TimeFile(double ms, string file)
{
    var f = File.ReadAllText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    return new Sample(ms, double.Parse(f[1], inv) + double.Parse(f[2], inv), long.Parse(f[0], inv));
}

// The module side, in a child process: import the staged module into a runspace and call Test-FipsCluster; prints
// tab-separated figures (ms, peak RSS in KiB from /proc/self/status VmHWM, what K8S-NODE-02 read).
static int Client(string kubeconfig, bool session)
{
    var module = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Module").Value!;
    var iss = InitialSessionState.CreateDefault2();
    using var runspace = RunspaceFactory.CreateRunspace(iss);
    runspace.Open();
    var clock = Stopwatch.StartNew();
    BenchHost.Invoke(runspace, "Import-Module $args[0]", module);
    var importMs = clock.Elapsed.TotalMilliseconds;
    string Call()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var report = BenchHost.Invoke(runspace, "Test-FipsCluster -Kubeconfig $args[0] -NodeCheck None", kubeconfig).Single();
        var ms = clock.Elapsed.TotalMilliseconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var nodes = ((IEnumerable<object>)report.Properties["Checks"].Value).Select(PSObject.AsPSObject)
            .Single(c => c.Properties["CheckId"].Value.ToString() == "K8S-NODE-02");
        var read = $"{nodes.Properties["Status"].Value}: {nodes.Properties["Actual"].Value}";
        return string.Create(CultureInfo.InvariantCulture, $"{ms:F1}\t{cpuSeconds:F2}\t{PeakKb()}\t{read}");
    }
    if (!session)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{importMs:F1}\t{Call()}"));
        return 0;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{importMs:F1}"));
    string? line;
    while ((line = Console.ReadLine()) is "call" or "call daemonset" or "call daemonset-full")
    {
        Console.WriteLine(line == "call" ? Call() : CallDaemonSet(full: line.EndsWith("-full", StringComparison.Ordinal)));
    }
    return 0;

    // -NodeCheck DaemonSet: figures, how many node reports came back with which statuses, and a digest of every
    // node's verdict (status, errors, each check's status, actual and evidence). The cmdlet runs the default protocol;
    // "full", the protocol before issue 19, is not a parameter of the cmdlet: the engine is called directly (the module
    // is imported all the same, so both processes start alike).
    string CallDaemonSet(bool full)
    {
        // This call's own peak: the peak is reset to what is resident now (after a full collection), then read at the end.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5");
        if (Environment.GetEnvironmentVariable("FC_BENCH_DIAG") is not null)
        {
            Console.Error.WriteLine($"DIAG before RssAnon={StatusKb("RssAnon") / 1024}MiB RssFile={StatusKb("RssFile") / 1024}MiB committed={GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes >> 20}MiB");
        }
        var residentBefore = StatusKb("VmRSS");
        var sampling = true;
        long maxRss = 0, maxCommitted = 0, maxHeap = 0, maxThreads = 0, maxFds = 0, committedAtMaxRss = 0;
        double maxRssAt = 0;
        var sampled = Stopwatch.StartNew();
        var sampler = Environment.GetEnvironmentVariable("FC_BENCH_DIAG") is null ? null : new Thread(() =>
        {
            while (Volatile.Read(ref sampling))
            {
                var rss = StatusKb("VmRSS");
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                if (rss > maxRss)
                {
                    (maxRss, maxRssAt, committedAtMaxRss) = (rss, sampled.Elapsed.TotalSeconds, info.TotalCommittedBytes);
                }
                maxCommitted = Math.Max(maxCommitted, info.TotalCommittedBytes);
                maxHeap = Math.Max(maxHeap, GC.GetTotalMemory(false));
                maxThreads = Math.Max(maxThreads, long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Threads:", StringComparison.Ordinal))[8..].Trim(), CultureInfo.InvariantCulture));
                maxFds = Math.Max(maxFds, Directory.GetFiles("/proc/self/fd").Length);
                Thread.Sleep(5);
            }
        });
        sampler?.Start();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        IEnumerable<object> nodes;
        if (full)
        {
            var check = new FipsCluster.Core.Providers.Kubernetes.DaemonSetNodeCheck(FipsCluster.Core.Providers.Kubernetes.DaemonSetNodeProbe.DefaultImage, TimeSpan.FromSeconds(3600)) { ContentAddressed = false };
            nodes = FipsCluster.Core.Providers.Kubernetes.KubernetesClusterCompliance.TestAsync(kubeconfig, null,
                new FipsCluster.Core.Providers.Kubernetes.KubernetesClusterTestOptions(FipsCluster.Core.Compliance.ComplianceProfiles.Default) { DaemonSet = check },
                FipsCluster.Core.Operations.OperationContext.None).GetAwaiter().GetResult().Nodes;
        }
        else
        {
            var report = BenchHost.Invoke(runspace, "Test-FipsCluster -Kubeconfig $args[0] -NodeCheck DaemonSet -NodeCheckTimeoutSeconds 3600", kubeconfig).Single();
            nodes = (IEnumerable<object>)report.Properties["Nodes"].Value;
        }
        var ms = clock.Elapsed.TotalMilliseconds;
        sampling = false;
        sampler?.Join();
        if (sampler is not null)
        {
            var gi = GC.GetGCMemoryInfo(GCKind.Any);
            Console.Error.WriteLine($"DIAG end RssAnon={StatusKb("RssAnon") / 1024}MiB RssFile={StatusKb("RssFile") / 1024}MiB committed={GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes >> 20}MiB");
            Console.Error.WriteLine($"DIAG threads={maxThreads} fds={maxFds} maxRss={maxRss / 1024}MiB at {maxRssAt:F2}s of {ms / 1000:F2}s (GC committed then {committedAtMaxRss >> 20}MiB) maxCommitted={maxCommitted >> 20}MiB maxHeap={maxHeap >> 20}MiB gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} alloc={GC.GetTotalAllocatedBytes() >> 20}MiB lastHeap={gi.HeapSizeBytes >> 20} frag={gi.FragmentedBytes >> 20} gens={string.Join(",", gi.GenerationInfo.ToArray().Select(g => (g.SizeAfterBytes >> 20) + "/" + (g.FragmentationAfterBytes >> 20)))}");
        }
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var reports = nodes.Select(PSObject.AsPSObject).ToList();
        var statuses = reports.GroupBy(n => n.Properties["Status"].Value.ToString()).Select(g => $"{g.Count()} {g.Key}");
        var peak = PeakKb();
        var held = GC.GetTotalMemory(forceFullCollection: true) / 1024; // the reports still referenced
        GC.KeepAlive(reports);
        return string.Create(CultureInfo.InvariantCulture, $"{ms:F1}\t{cpuSeconds:F2}\t{peak}\t{string.Join(", ", statuses)}\t{VerdictDigest(reports)}\t{residentBefore}\t{held}");
    }
}

// SHA-256 over every node's verdict, node by node: equal digests, identical verdicts.
static string VerdictDigest(IReadOnlyList<PSObject> nodes)
{
    var text = new System.Text.StringBuilder();
    foreach (var node in nodes.OrderBy(n => n.Properties["ComputerName"].Value.ToString(), StringComparer.Ordinal))
    {
        text.Append(node.Properties["ComputerName"].Value).Append(' ').Append(node.Properties["Status"].Value).Append(' ')
            .AppendJoin(" | ", ((IEnumerable<object>)node.Properties["Errors"].Value).Select(e => e.ToString())).Append('\n');
        foreach (var check in ((IEnumerable<object>)node.Properties["Checks"].Value).Select(PSObject.AsPSObject))
        {
            text.Append("  ").Append(check.Properties["CheckId"].Value).Append(' ').Append(check.Properties["Status"].Value).Append(' ').Append(check.Properties["Actual"].Value).Append('\n');
            foreach (var evidence in ((IEnumerable<object>)check.Properties["Evidence"].Value).Select(PSObject.AsPSObject))
            {
                text.Append("    ").Append(evidence.Properties["Source"].Value).Append(": ").Append(evidence.Properties["Excerpt"].Value).Append('\n');
            }
        }
    }
    return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())))[..16];
}

// -NodeCheck DaemonSet at scale against the stub, which plays every kubelet: each pod replays one real run of its own
// command on its node's binary set (thousands of real runs would measure these 2 cores, not the probe). Even nodes
// are one build with this host's binaries, odd ones another (kubelet v1.29.7) with other runc and shim builds. The
// module runs in child session processes: one for -NodeCheck None and DaemonSet, one for the protocol before issue 19,
// so each peak RSS is its own protocol's.
static int DaemonSetBench(int samples, int nodeCount)
{
    var inv = CultureInfo.InvariantCulture;
    using var other = BinarySet.Patched('7');
    var replay = new NodeLogReplay(i => i % 2 == 1 ? other : BinarySet.Host);
    using var api = new KubernetesApiStub { NodeCount = nodeCount, PodCount = 0, NamespaceCount = 1, CacheListings = true, ReplayNodeLog = replay.LogOf, PodStartDelay = TimeSpan.FromMilliseconds(50) };
    foreach (var odd in Enumerable.Range(0, nodeCount).Where(i => i % 2 == 1))
    {
        api.KubeletOverrides[odd] = "v1.29.7+fips.0";
    }
    var kinds = new[]
    {
        ("sending, plain (before)", NodeLogReplay.PodCommand(false)),
        ("sending, compressed (a build's first node)", NodeLogReplay.PodCommand(true, FipsCluster.Core.Compliance.Node.BuildInfoWindows.Send)),
        ("digests only, compressed (the others)", NodeLogReplay.PodCommand(true, FipsCluster.Core.Compliance.Node.BuildInfoWindows.Offer)),
    };
    // Each kind once per binary set, before anything is timed.
    var logSizes = kinds.Select(k => (Kind: k.Item1, Bytes: new[] { 0, 1 }.Select(n => replay.LogOf(n, k.Item2).Length).ToArray())).ToList();
    var work = Path.Combine(Path.GetTempPath(), "fc-kubebench-" + Guid.NewGuid().ToString("N")[..6]);
    Directory.CreateDirectory(work);
    var kubeconfig = Path.Combine(work, "kubeconfig");
    File.WriteAllText(kubeconfig, api.Kubeconfig("bench"));
    try
    {
        Process Session() => Process.Start(new ProcessStartInfo(Environment.ProcessPath!) { ArgumentList = { "--session", kubeconfig }, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        var session = Session();
        var before = Session();
        var import = session.StandardOutput.ReadLine();
        before.StandardOutput.ReadLine();
        DaemonSetRun Call(Process child, string line)
        {
            var (requests, logBytes, apiBytes) = (api.Requests.Count, api.LogBytes, api.ApiBytes);
            api.CreatedPods.Clear(); // what the API server was sent is not kept here (5,000 pods a run)
            child.StandardInput.WriteLine(line);
            child.StandardInput.Flush();
            var f = (child.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the session child exited")).Split('\t');
            return new DaemonSetRun(new Sample(double.Parse(f[0], inv), double.Parse(f[1], inv), long.Parse(f[2], inv)), f[3], f.Length > 4 ? f[4] : "",
                api.Requests.Count - requests, api.LogBytes - logBytes, api.ApiBytes - apiBytes, api.CreatedPods.Count,
                f.Length > 6 ? long.Parse(f[5], inv) : 0, f.Length > 6 ? long.Parse(f[6], inv) : 0);
        }
        if (Environment.GetEnvironmentVariable("FC_BENCH_FRESH_ONLY") is not null)
        {
            // Memory work: only fresh processes running the default protocol, one line each (with FC_BENCH_DIAG, its samples).
            session.StandardInput.Close();
            before.StandardInput.Close();
            session.WaitForExit();
            before.WaitForExit();
            for (var i = 0; i < samples; i++)
            {
                var run = Fresh("call daemonset");
                Console.WriteLine($"fresh process: {run.Run.Ms / 1000:F2} s, {run.Run.CpuSeconds:F1} s CPU, peak RSS {run.Run.PeakKb / 1024.0:F0} MiB (before {run.ResidentBeforeKb / 1024.0:F0}, held {run.HeldKb / 1024.0:F0}), {run.Nodes}, verdicts {run.Verdicts}");
            }
            return 0;
        }
        Call(session, "call"); // warm-up: JIT, the stub's page cache
        Call(session, "call daemonset");
        Call(before, "call daemonset-full");
        var none = new List<DaemonSetRun>();
        var daemonSet = new List<DaemonSetRun>();
        var full = new List<DaemonSetRun>();
        for (var i = 0; i < samples; i++)
        {
            var steps = new Action[] { () => none.Add(Call(session, "call")), () => daemonSet.Add(Call(session, "call daemonset")), () => full.Add(Call(before, "call daemonset-full")) };
            foreach (var step in i % 2 == 0 ? steps : steps.Reverse())
            {
                step();
            }
        }
        session.StandardInput.Close();
        before.StandardInput.Close();
        session.WaitForExit();
        before.WaitForExit();
        // Memory as a user meets it: a fresh process imports the module and runs one scan.
        DaemonSetRun Fresh(string line)
        {
            var child = Session();
            child.StandardOutput.ReadLine();
            var run = Call(child, line);
            child.StandardInput.Close();
            child.WaitForExit();
            return run;
        }
        var freshNone = Fresh("call");
        var freshDaemonSet = Fresh("call daemonset");
        var freshFull = Fresh("call daemonset-full");

        var baseline = BenchHost.Median(none.Select(r => r.Run.Ms));
        Console.WriteLine($"Test-FipsCluster -NodeCheck DaemonSet vs -NodeCheck None: {nodeCount:N0} nodes in two builds; {samples} samples each, alternating, after a warm-up; {Environment.ProcessorCount} cores");
        Console.WriteLine("The API: the tests' in-process stub (real wire protocol); it plays the kubelets: one pod per node, created by the module, goes ContainerCreating -> Running -> Succeeded (watch events)");
        Console.WriteLine("and its followed log replays one real run of that pod's command on its node's binary set (this host's; other runc and shim builds for the second build). One node's log:");
        foreach (var (kind, bytes) in logSizes)
        {
            Console.WriteLine($"  {kind,-44} {bytes[0] / 1024.0,6:F1} KiB (first build)  {bytes[1] / 1024.0,6:F1} KiB (second build)");
        }
        Console.WriteLine($"Module in child session processes (import {import} ms; one runs None and the default protocol, the other the protocol before). Peak RSS of a DaemonSet call: the process's");
        Console.WriteLine("VmHWM, reset before the call (after a full GC) to what was resident then (\"before\"); \"held\" = managed heap after the call with its reports still referenced. For None: the process's VmHWM so far.");
        Console.WriteLine("Bytes through the API per node: log = pod-log bytes the stub served; all = every request and response body (pod creates and their echoes, watch events, logs, listings).");
        Console.WriteLine();
        Console.WriteLine($"{"run",-44} {"median",8} {"min",8} {"max",8} {"ratio",6} {"per node",9} {"CPU",7} {"peak RSS",10} {"before",8} {"held",8} {"log/node",10} {"all/node",10} {"requests",9} {"pods",6}");
        void Row(string name, List<DaemonSetRun> runs)
        {
            var median = BenchHost.Median(runs.Select(r => r.Run.Ms));
            Console.WriteLine($"{name,-44} {median / 1000,7:F2}s {runs.Min(r => r.Run.Ms) / 1000,7:F2}s {runs.Max(r => r.Run.Ms) / 1000,7:F2}s {median / baseline,6:F1} {median / nodeCount,7:F2}ms "
                + $"{BenchHost.Median(runs.Select(r => r.Run.CpuSeconds)),6:F1}s {runs.Max(r => r.Run.PeakKb) / 1024,6:F0} MiB {runs.Max(r => r.ResidentBeforeKb) / 1024,4:F0} MiB {runs.Max(r => r.HeldKb) / 1024,4:F0} MiB "
                + $"{runs[0].LogBytes / 1024.0 / nodeCount,6:F1} KiB {runs[0].ApiBytes / 1024.0 / nodeCount,6:F1} KiB {runs[0].Requests,9} {runs[0].Pods,6}");
        }
        Row("-NodeCheck None (the API checks only)", none);
        Row("-NodeCheck DaemonSet (+ every host)", daemonSet);
        Row("  the same, protocol before issue 19", full);
        Row("-NodeCheck None, fresh process", new List<DaemonSetRun> { freshNone });
        Row("-NodeCheck DaemonSet, fresh process", new List<DaemonSetRun> { freshDaemonSet });
        Row("  the same, protocol before issue 19", new List<DaemonSetRun> { freshFull });
        Console.WriteLine();
        Console.WriteLine($"DaemonSet node reports per run: {string.Join(" | ", daemonSet.Select(r => r.Nodes).Distinct())}; before: {string.Join(" | ", full.Select(r => r.Nodes).Distinct())}; namespaces left: {api.LiveNamespaces.Count}");
        var digests = daemonSet.Concat(full).Select(r => r.Verdicts).Distinct().ToList();
        Console.WriteLine($"Verdicts node by node (SHA-256 of every node's status, errors, checks and evidence): {(digests.Count == 1 ? "identical in every run of both protocols" : "DIFFER: " + string.Join(", ", digests))} ({digests[0]}).");
    }
    finally
    {
        Directory.Delete(work, recursive: true);
    }
    return 0;
}

static long PeakKb() => StatusKb("VmHWM");

static long StatusKb(string field) => long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

internal readonly record struct Sample(double Ms, double CpuSeconds, long PeakKb);

internal sealed record DaemonSetRun(Sample Run, string Nodes, string Verdicts, int Requests, long LogBytes, long ApiBytes, int Pods, long ResidentBeforeKb = 0, long HeldKb = 0);
