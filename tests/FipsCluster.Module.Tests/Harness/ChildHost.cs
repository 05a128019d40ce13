using System.Diagnostics;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>Runs a script in a fresh process (FipsCluster.TestHost), for what must start from a clean slate.</summary>
public static class ChildHost
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string[] Lines => StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Result Run(string script, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestPaths.TestHost);
        start.ArgumentList.Add("run");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The child PowerShell host did not finish.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
