// Export-FipsComplianceReport (every format, to a file) and Compare-FipsComplianceReport on a fleet of node reports, in an
// open PowerShell session with the staged module, as a runbook runs them. The fleet: 1,000 nodes x 25 checks of the
// FIPS-140-3 profile (ids padded to 25), mixed statuses from a fixed seed, one evidence entry per check, every 37th node
// unreachable; the second run flips 1% of the checks. Each measurement is the median of the runs after one warm-up.
// Usage: ReportBench [nodes=1000] [checks=25] [runs=7]
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

string Meta(string key) => typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
var nodes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var checks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 25;
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;

using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
runspace.Open();
BenchHost.Invoke(runspace, "Import-Module $args[0]", Meta("Module"));

const string Fleet = """
    param($nodes, $checks, $seed, $flip)
    $random = [Random]::new($seed)
    $ids = @((Get-FipsComplianceProfile FIPS-140-3).Checks.CheckId)
    for ($i = $ids.Count; $i -lt $checks; $i++) { $ids += 'SITE-EXTRA-{0:D2}' -f $i }
    $ids = $ids[0..($checks - 1)]
    $statuses = 'Pass', 'Pass', 'Pass', 'Pass', 'Pass', 'Pass', 'Pass', 'Fail', 'Fail', 'Warning', 'NotApplicable', 'Error', 'Unknown', 'Informational'
    $flipper = [Random]::new(99)
    $global:fleet = [Collections.Generic.List[object]]::new()
    for ($n = 0; $n -lt $nodes; $n++) {
        $name = 'node-{0:D4}.fleet.example' -f $n
        if ($n % 37 -eq 36) {
            $global:fleet.Add([FipsCluster.NodeComplianceReport]@{ ComputerName = $name; Transport = 'Ssh'; Profile = 'FIPS-140-3'; Status = 'Error'
                ErrorId = 'NodeUnreachable'; Errors = [string[]]@("${name}:22: connection refused"); JudgedBy = 'bench@control'; Timestamp = [DateTimeOffset]::UtcNow })
            continue
        }
        $results = [FipsCluster.CheckResult[]]::new($checks)
        for ($c = 0; $c -lt $checks; $c++) {
            $status = $statuses[$random.Next($statuses.Count)]
            if ($flip -and $flipper.Next(100) -eq 0) { $status = if ($status -eq 'Pass') { 'Fail' } else { 'Pass' } }
            $results[$c] = [FipsCluster.CheckResult]@{
                CheckId = $ids[$c]; Title = "Check $($ids[$c])"; Status = $status; Severity = 'High'; Required = $true; Target = $name
                Expected = 'enabled = 1'; Actual = "$status on this node"; Remediation = "Fix $($ids[$c]) and reboot."; Standard = 'FIPS 140-3'
                Evidence = [FipsCluster.CheckEvidence[]]@([FipsCluster.CheckEvidence]::new("/etc/fips/$($ids[$c]).conf", "enabled = $([int]($status -eq 'Pass'))"))
            }
        }
        $global:fleet.Add([FipsCluster.NodeComplianceReport]@{ ComputerName = $name; Transport = 'Ssh'; Profile = 'FIPS-140-3'; Checks = $results
            Status = if (@($results | Where-Object Status -in 'Fail', 'Error', 'Unknown').Count) { 'NonCompliant' } else { 'Compliant' }
            JudgedBy = 'bench@control'; Timestamp = [DateTimeOffset]::UtcNow })
    }
    , $global:fleet
    """;
var clock = Stopwatch.StartNew();
var before = BenchHost.Invoke(runspace, Fleet + "\n$global:before = $global:fleet", nodes, checks, 18, false);
var after = BenchHost.Invoke(runspace, Fleet + "\n$global:after = $global:fleet", nodes, checks, 18, true);
Console.WriteLine($"fleet: {nodes} nodes x {checks} checks built in {clock.Elapsed.TotalSeconds:0.0} s (setup, not measured)");

var folder = Directory.CreateTempSubdirectory("fc-reportbench-").FullName;
try
{
    Console.WriteLine($"{"format",-9} {"median ms",10} {"min ms",8} {"max ms",8} {"bytes",12}");
    foreach (var format in new[] { "Html", "JUnit", "Xccdf", "Csv", "Markdown" })
    {
        var path = Path.Combine(folder, "fleet." + format.ToLowerInvariant());
        var times = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var watch = Stopwatch.StartNew();
            BenchHost.Invoke(runspace, "$global:before | Export-FipsComplianceReport -Format $args[0] -Path $args[1] -Force", format, path);
            watch.Stop();
            if (run > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        Console.WriteLine($"{format,-9} {BenchHost.Median(times),10:0} {times.Min(),8:0} {times.Max(),8:0} {new FileInfo(path).Length,12:N0}");
    }
    var changes = 0;
    var compare = new List<double>();
    for (var run = 0; run <= runs; run++)
    {
        var watch = Stopwatch.StartNew();
        changes = BenchHost.Invoke(runspace, "@(Compare-FipsComplianceReport -ReferenceReport $global:before -DifferenceReport $global:after).Count")[0].BaseObject is int count ? count : -1;
        watch.Stop();
        if (run > 0)
        {
            compare.Add(watch.Elapsed.TotalMilliseconds);
        }
    }
    Console.WriteLine($"Compare-FipsComplianceReport, {nodes} x {checks} against a run with ~1% flipped: {changes} changes, median {BenchHost.Median(compare):0} ms (min {compare.Min():0}, max {compare.Max():0})");
}
finally
{
    Directory.Delete(folder, recursive: true);
}
