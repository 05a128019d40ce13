// Cold Import-Module: the staged FipsCluster module vs a one-cmdlet binary module (the baseline). Each sample
// is a fresh process (runspace opened, then Import-Module timed inside it); runs alternate so drift hits both.
// Usage: ImportBench [runs=15]
using System.Diagnostics;
using System.Globalization;
using System.Reflection;

string Meta(string key) => typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
var subjects = new[] { ("FipsCluster (staged)", Meta("Module")), ("one-cmdlet baseline", Meta("Baseline")) };
var importMs = subjects.ToDictionary(s => s.Item1, _ => new List<double>());
var processMs = subjects.ToDictionary(s => s.Item1, _ => new List<double>());

foreach (var (name, path) in subjects)
{
    Sample(path); // warm the OS file cache once; not counted
}
for (var i = 0; i < runs; i++)
{
    foreach (var (name, path) in subjects)
    {
        var (import, process) = Sample(path);
        importMs[name].Add(import);
        processMs[name].Add(process);
    }
}

Console.WriteLine($"Cold Import-Module, fresh process each, {runs} runs per module ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
Console.WriteLine($"{"module",-24} {"import median",14} {"min",8} {"max",8} {"process median",15}");
foreach (var (name, _) in subjects)
{
    Console.WriteLine($"{name,-24} {Median(importMs[name]),11:F1} ms {importMs[name].Min(),5:F1} {importMs[name].Max(),8:F1} {Median(processMs[name]),12:F1} ms");
}
var ratio = Median(importMs[subjects[0].Item1]) / Median(importMs[subjects[1].Item1]);
Console.WriteLine($"ratio (FipsCluster / baseline, import median): {ratio:F2}x   target <= 1.30x   {(ratio <= 1.30 ? "MET" : "NOT MET")}");
return 0;

(double Import, double Process) Sample(string module)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    start.ArgumentList.Add(Meta("TestHost"));
    start.ArgumentList.Add("time-import");
    start.ArgumentList.Add(module);
    var watch = Stopwatch.StartNew();
    using var p = Process.Start(start)!;
    var output = p.StandardOutput.ReadToEnd();
    var error = p.StandardError.ReadToEnd();
    p.WaitForExit();
    watch.Stop();
    if (p.ExitCode != 0)
    {
        throw new InvalidOperationException($"import of {module} failed: {error}");
    }
    return (double.Parse(output.Trim(), CultureInfo.InvariantCulture), watch.Elapsed.TotalMilliseconds);
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

internal partial class Program;
