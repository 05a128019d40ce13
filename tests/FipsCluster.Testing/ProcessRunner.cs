using System.Diagnostics;

namespace FipsCluster.Testing;

/// <summary>What a finished program left: its exit code and both streams.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs a program to its end for a test or fixture: arguments as a list (no shell quoting), both streams read
/// concurrently (a full pipe never blocks the child), an environment whose null values remove a variable, and a
/// timeout after which the process tree is killed.
/// </summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(300);

    public static ProcessResult Run(string file, IEnumerable<string> arguments, string? workingDirectory = null,
        IEnumerable<KeyValuePair<string, string?>>? environment = null, string? input = null, TimeSpan? timeout = null)
    {
        var args = arguments.ToList();
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? Enumerable.Empty<KeyValuePair<string, string?>>())
        {
            if (v is null)
            {
                start.Environment.Remove(k);
            }
            else
            {
                start.Environment[k] = v;
            }
        }
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            p.StandardInput.Write(input);
            p.StandardInput.Close();
        }
        var limit = timeout ?? DefaultTimeout;
        if (!p.WaitForExit(limit))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {limit.TotalSeconds:0} s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a program that must succeed; returns its standard output, throws with both streams otherwise.</summary>
    public static string RunChecked(string file, IEnumerable<string> arguments, string? workingDirectory = null,
        IEnumerable<KeyValuePair<string, string?>>? environment = null, string? input = null, TimeSpan? timeout = null)
    {
        var args = arguments.ToList();
        var result = Run(file, args, workingDirectory, environment, input, timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Output}");
        }
        return result.Output;
    }

    /// <summary><see cref="RunChecked(string, IEnumerable{string}, string?, IEnumerable{KeyValuePair{string, string?}}?, string?, TimeSpan?)"/> with just arguments.</summary>
    public static string RunChecked(string file, params string[] arguments) => RunChecked(file, (IEnumerable<string>)arguments);
}
