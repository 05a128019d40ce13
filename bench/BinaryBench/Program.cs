// Test-FipsBinary (the cmdlet, in an open PowerShell session, as a user runs it) vs `go version -m` (a process per
// call, as a user runs it): the largest Go binary on the machine, and a directory of >= 50 binaries (Go binaries
// from the packages and the Go toolchain, copied under several names, plus non-Go ELF files).
// Samples are taken once the JIT has settled, in batches of 10 per subject, batches alternating; the early-session
// median (before that) is printed beside them.
// Usage: BinaryBench [runs=30]
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

string Meta(string key) => typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
var go = new[] { "/usr/bin/go", "/usr/lib/go/bin/go" }.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("go is not installed (apt-get install golang-go)");

var candidates = new[] { "/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/bin/containerd", "/usr/bin/docker", "/usr/bin/etcd", "/usr/bin/kubectl", "/usr/sbin/runc", "/usr/bin/ctr", "/usr/bin/containerd-shim-runc-v2" }
    .Concat(Directory.Exists("/usr/lib/go/pkg/tool/linux_amd64") ? Directory.GetFiles("/usr/lib/go/pkg/tool/linux_amd64") : Array.Empty<string>())
    .Concat(new[] { "/usr/lib/go/bin/go", "/usr/lib/go/bin/gofmt" })
    .Where(File.Exists).Distinct().ToList();
var largest = candidates.Where(p => !p.Contains("/pkg/tool/")).OrderByDescending(p => new FileInfo(p).Length).First();

var dir = Path.Combine("/tmp", "fc-binbench-" + Guid.NewGuid().ToString("N")[..6]);
Directory.CreateDirectory(dir);
try
{
    // >= 50 Go binaries (copies under several names: distinct files, so nothing is judged once for all) and 30 non-Go ELF files.
    var n = 0;
    for (var copy = 0; n < 60; copy++)
    {
        foreach (var path in candidates)
        {
            var target = Path.Combine(dir, $"{Path.GetFileName(path)}.{copy}");
            File.Copy(path, target);
            n++;
        }
    }
    foreach (var other in Directory.GetFiles("/usr/bin").Where(f => new FileInfo(f).Length > 20_000 && !candidates.Contains(f) && IsElf(f)).Take(30))
    {
        File.Copy(other, Path.Combine(dir, "other-" + Path.GetFileName(other)));
    }
    var goCount = n;
    var fileCount = Directory.GetFiles(dir).Length;

    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    BenchHost.Invoke(runspace, "Import-Module $args[0]", Meta("Module"));

    double Cmdlet(string target) => Time(() => BenchHost.Invoke(runspace, "Test-FipsBinary $args[0]", target));
    double GoVersion(string target) => Time(() =>
    {
        using var p = Process.Start(new ProcessStartInfo(go, new[] { "version", "-m", target }) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
    });

    // What any command costs in this harness (PowerShell.Create, script parse, pipeline), for reference.
    double Empty() => Time(() => BenchHost.Invoke(runspace, "$null"));
    Empty();
    var harness = Enumerable.Range(0, runs).Select(_ => Empty()).ToList();
    double Trivial() => Time(() => BenchHost.Invoke(runspace, "Get-FipsComplianceProfile FIPS-140-3"));
    Trivial();
    var trivial = Enumerable.Range(0, runs).Select(_ => Trivial()).ToList();

    // Warm both (page cache; go is compiled ahead of time). The session's first runs measure .NET's tiered JIT as much
    // as the cmdlet: it recompiles thousands of PowerShell and module methods over the first few hundred directory scans,
    // on the same two cores. Those runs are printed as "early session"; the measured rows start once the JIT has
    // settled (fewer than 20 methods compiled over 50 runs), as in a session that has been in use for a while.
    Cmdlet(largest); GoVersion(largest); Cmdlet(dir); GoVersion(dir);
    var early = Enumerable.Range(0, 30).Select(_ => Cmdlet(dir)).ToList();
    var warmup = early.Count;
    for (var settled = false; !settled && warmup < 3000; )
    {
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (var i = 0; i < 50; i++, warmup++)
        {
            Cmdlet(largest);
            Cmdlet(dir);
        }
        settled = System.Runtime.JitInfo.GetCompiledMethodCount() - compiled < 20;
    }
    var results = new Dictionary<string, List<double>> { ["cmdlet single"] = new(), ["go single"] = new(), ["cmdlet dir"] = new(), ["go dir"] = new() };
    // Batches of 10 back to back per subject (as hyperfine runs a command), batches alternating so drift hits both.
    for (var batch = 0; batch < Math.Max(1, runs / 10); batch++)
    {
        for (var i = 0; i < 10; i++) results["cmdlet single"].Add(Cmdlet(largest));
        for (var i = 0; i < 10; i++) results["go single"].Add(GoVersion(largest));
        for (var i = 0; i < 10; i++) results["cmdlet dir"].Add(Cmdlet(dir));
        for (var i = 0; i < 10; i++) results["go dir"].Add(GoVersion(dir));
    }
    var reported = BenchHost.Invoke(runspace, "Test-FipsBinary $args[0]", dir).Count;

    Console.WriteLine($"Test-FipsBinary vs go version -m ({go}), {runs} runs each in alternating batches of 10, {Environment.ProcessorCount} cores");
    Console.WriteLine($"single: {largest} ({new FileInfo(largest).Length / 1048576.0:F0} MiB)");
    Console.WriteLine($"dir:    {fileCount} files, {goCount} Go binaries ({Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length) / 1048576.0:F0} MiB); Test-FipsBinary reported {reported}");
    Console.WriteLine($"{"",-28} {"median ms",10} {"min ms",8} {"max ms",8}");
    foreach (var (name, samples) in results)
    {
        Console.WriteLine($"{name,-28} {BenchHost.Median(samples),10:F2} {samples.Min(),8:F2} {samples.Max(),8:F2}");
    }
    Console.WriteLine($"{"cmdlet dir, early session",-28} {BenchHost.Median(early),10:F2} {early.Min(),8:F2} {early.Max(),8:F2}   (runs 2-31 after import; {warmup} runs before the JIT settled)");
    Console.WriteLine($"{"(empty script, same harness)",-28} {BenchHost.Median(harness),10:F2} {harness.Min(),8:F2} {harness.Max(),8:F2}");
    Console.WriteLine($"{"(Get-FipsComplianceProfile)",-28} {BenchHost.Median(trivial),10:F2} {trivial.Min(),8:F2} {trivial.Max(),8:F2}");
    Console.WriteLine($"ratio single (cmdlet / go version -m): {BenchHost.Median(results["cmdlet single"]) / BenchHost.Median(results["go single"]):F2}  (target <= 0.5)");
    Console.WriteLine($"ratio dir    (cmdlet / go version -m): {BenchHost.Median(results["cmdlet dir"]) / BenchHost.Median(results["go dir"]):F2}");
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static bool IsElf(string path)
{
    try
    {
        using var f = File.OpenRead(path);
        Span<byte> b = stackalloc byte[4];
        return f.Read(b) == 4 && b[0] == 0x7F && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F';
    }
    catch (IOException)
    {
        return false;
    }
}

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalMilliseconds;
}


