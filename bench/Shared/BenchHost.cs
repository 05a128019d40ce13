// What the benchmark programs share (linked into each): medians, running a program, and a script in a hosted runspace.
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

internal static class BenchHost
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Runs a program to its end and returns its standard output; a non-zero exit throws with what it printed.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({p.ExitCode}): {err.Result}{output.Result}");
        }
        return output.Result;
    }

    /// <summary>Runs a script with positional $args; throws when it wrote errors and nothing else.</summary>
    public static IReadOnlyList<PSObject> Invoke(Runspace runspace, string script, params object[] args)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        foreach (var a in args)
        {
            ps.AddArgument(a);
        }
        var output = ps.Invoke();
        if (ps.HadErrors && output.Count == 0)
        {
            throw new InvalidOperationException(string.Join("\n", ps.Streams.Error.Select(e => e.ToString())));
        }
        return output;
    }
}
