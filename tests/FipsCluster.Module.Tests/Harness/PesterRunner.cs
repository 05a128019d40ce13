using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>One Pester test (or a failed block or file) as real Pester reported it.</summary>
public sealed record PesterTestResult(string File, string Name, string Result, string Error, double Duration)
{
    /// <summary>"FipsNode.Tests.ps1 › Describe.It", with the file relative to tests/Pester.</summary>
    public string DisplayName => $"{Path.GetRelativePath(PesterRunner.SuiteDirectory, File)} › {Name}";
}

/// <summary>What one pwsh process running Invoke-Pester produced, and the PowerShell and Pester versions that ran it.</summary>
public sealed record PesterRunResult(IReadOnlyList<PesterTestResult> Tests, string Log, int ExitCode, string PowerShellVersion, string PesterVersion)
{
    public string Summary => $"{Tests.Count(t => t.Result == "Passed")} passed, {Tests.Count(t => t.Result == "Failed")} failed, "
        + $"{Tests.Count(t => t.Result is not ("Passed" or "Failed"))} skipped or not run (pwsh {PowerShellVersion}, Pester {PesterVersion})";
}

/// <summary>
/// Runs Pester 5.9.1 in real pwsh 7.6.10 — the PowerShell of the repository's tool manifest (.config/dotnet-tools.json),
/// started as `dotnet tool run pwsh`, with the Pester module the test project restored from NuGet — in a process of its
/// own, as a user runs it, and reads back every test's result.
/// </summary>
public static class PesterRunner
{
    private sealed class RunDocument
    {
        public string PowerShell { get; set; } = "";
        public string Pester { get; set; } = "";
        public List<PesterTestResult> Tests { get; set; } = new();
    }

    public static string SuiteDirectory => Path.Combine(TestPaths.RepoRoot, "tests", "Pester");

    public static string PesterModule => typeof(PesterRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PesterModule").Value!;

    private static string Script => Path.Combine(TestPaths.RepoRoot, "tests", "FipsCluster.Module.Tests", "Harness", "run-pester.ps1");

    /// <summary>
    /// Runs the Pester files or folders in <paramref name="paths"/> with <paramref name="environment"/> added to (or, with a
    /// null value, removed from) this process's environment.
    /// </summary>
    public static PesterRunResult Run(IEnumerable<string> paths, IReadOnlyDictionary<string, string?> environment, IEnumerable<string>? excludeTags = null, TimeSpan? timeout = null)
    {
        if (!File.Exists(PesterModule))
        {
            throw new InvalidOperationException($"Pester 5.9.1 is not restored at {PesterModule} (dotnet restore tests/FipsCluster.Module.Tests).");
        }
        var resultPath = Path.Combine(Path.GetTempPath(), "fc-pester-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestPaths.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-File", Script,
                     "-PesterModule", PesterModule, "-ResultPath", resultPath, "-Path", string.Join(Path.PathSeparator, paths) })
        {
            start.ArgumentList.Add(arg);
        }
        var excluded = (excludeTags ?? Array.Empty<string>()).ToArray();
        if (excluded.Length > 0)
        {
            start.ArgumentList.Add("-ExcludeTag");
            start.ArgumentList.Add(string.Join(',', excluded));
        }
        // The test host's own variables would leak into the user's view of the module (VSTest's, the SDK's MSBuild
        // hooks); pwsh gets a plain environment plus what the run asks for.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"Pester did not finish in {(timeout ?? TimeSpan.FromMinutes(10)).TotalMinutes} min:\n{stdout.Result}\n{stderr.Result}");
        }
        var log = stdout.Result + (stderr.Result.Length > 0 ? "\n[stderr]\n" + stderr.Result : "");
        try
        {
            if (!File.Exists(resultPath))
            {
                throw new InvalidOperationException($"Pester wrote no results (pwsh exit code {process.ExitCode}):\n{log}");
            }
            var run = JsonSerializer.Deserialize<RunDocument>(File.ReadAllText(resultPath), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
                ?? new RunDocument();
            return new PesterRunResult(run.Tests, log, process.ExitCode, run.PowerShell, run.Pester);
        }
        finally
        {
            File.Delete(resultPath);
        }
    }
}
