// What the benchmark programs share (linked into each): medians, and running a script in a hosted runspace.
using System.Management.Automation;
using System.Management.Automation.Runspaces;

internal static class BenchHost
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
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
