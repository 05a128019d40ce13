// FipsCluster.TestHost — runs PowerShell in a fresh process.
//   run <script>            runs the script; prints each output object's ToString() on stdout, and each error
//                           as "ERROR <FullyQualifiedErrorId>: <message>" on stderr; exit 1 if any error
//   time-import <psd1|dll>  opens a runspace, imports the module once, prints the import time in ms
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: FipsCluster.TestHost run <script> | time-import <module path>");
    return 2;
}
var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
using var ps = PowerShell.Create();
ps.Runspace = runspace;
switch (args[0])
{
    case "time-import":
        ps.AddCommand("Import-Module").AddParameter("Name", args[1]).AddParameter("ErrorAction", "Stop");
        var watch = Stopwatch.StartNew();
        ps.Invoke();
        watch.Stop();
        Console.WriteLine(watch.Elapsed.TotalMilliseconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        return ps.HadErrors ? 1 : 0;
    case "run":
        ps.AddScript(args[1]);
        try
        {
            foreach (var item in ps.Invoke())
            {
                Console.WriteLine(item?.ToString());
            }
        }
        catch (RuntimeException ex)
        {
            Console.Error.WriteLine($"ERROR {ex.ErrorRecord.FullyQualifiedErrorId}: {ex.Message}");
            return 1;
        }
        foreach (var error in ps.Streams.Error)
        {
            Console.Error.WriteLine($"ERROR {error.FullyQualifiedErrorId}: {error.Exception.Message}");
        }
        return ps.Streams.Error.Count > 0 ? 1 : 0;
    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}
