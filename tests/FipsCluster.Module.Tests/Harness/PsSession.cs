using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>Everything a script produced: output objects, every stream, the host's text, a terminating error.</summary>
public sealed record PsResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings,
    IReadOnlyList<VerboseRecord> Verbose,
    IReadOnlyList<DebugRecord> Debug,
    IReadOnlyList<InformationRecord> Information,
    string HostText,
    RuntimeException? Terminating)
{
    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    public T Single<T>() => Assert.Single(Objects<T>());

    /// <summary>
    /// Output objects of a module type, by full name. The tests do not reference the module's assemblies
    /// (that would load them outside the staged layout), so module objects are read dynamically.
    /// </summary>
    public IReadOnlyList<dynamic> Of(string typeName) => Output.Select(o => o.BaseObject)
        .Where(o => o.GetType().FullName == typeName).Cast<dynamic>().ToList();

    public dynamic SingleOf(string typeName) => Assert.Single(Of(typeName));

    public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId)
        .Concat(Terminating is null ? Array.Empty<string>() : new[] { Terminating.ErrorRecord.FullyQualifiedErrorId });

    /// <summary>Every string a user could see: output, all streams, error messages and details, host text.</summary>
    public string AllText => string.Join("\n",
        Output.Select(o => o?.ToString() ?? "")
            .Concat(Errors.SelectMany(e => new[] { e.ToString(), e.Exception.ToString(), e.ErrorDetails?.Message ?? "", e.ErrorDetails?.RecommendedAction ?? "", e.TargetObject?.ToString() ?? "" }))
            .Concat(Warnings.Select(w => w.Message))
            .Concat(Verbose.Select(v => v.Message))
            .Concat(Debug.Select(d => d.Message))
            .Concat(Information.Select(i => i.MessageData?.ToString() ?? ""))
            .Append(HostText)
            .Append(Terminating?.ToString() ?? ""));
}

/// <summary>
/// A runspace with the staged module imported by path, as a user would. Run() executes a script and returns
/// what it produced; the capturing host renders format views through Out-Default.
/// </summary>
public sealed class PsSession : IDisposable
{
    private readonly Runspace _runspace;
    private readonly object _gate = new();

    public PsSession(bool importModule = true)
    {
        Host = new CapturingHost();
        _runspace = RunspaceFactory.CreateRunspace(Host, InitialSessionState.CreateDefault2());
        _runspace.Open();
        if (importModule)
        {
            var import = Run("Import-Module -Name $args[0] -ErrorAction Stop", TestPaths.ModuleManifest);
            Assert.True(import.Errors.Count == 0 && import.Terminating is null,
                "Import-Module failed: " + string.Join("; ", import.Errors.Select(e => e.ToString())) + import.Terminating);
        }
    }

    public CapturingHost Host { get; }

    /// <summary>Runs a script; positional values are available to it as $args.</summary>
    public PsResult Run(string script, params object?[] args)
    {
        lock (_gate)
        {
            Host.Clear();
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            foreach (var a in args)
            {
                ps.AddArgument(a);
            }
            RuntimeException? terminating = null;
            IReadOnlyList<PSObject> output = Array.Empty<PSObject>();
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                terminating = ex;
            }
            return new PsResult(output, ps.Streams.Error.ToList(), ps.Streams.Warning.ToList(), ps.Streams.Verbose.ToList(),
                ps.Streams.Debug.ToList(), ps.Streams.Information.ToList(), Host.Text, terminating);
        }
    }

    /// <summary>Starts a script, presses Ctrl+C after <paramref name="stopAfter"/>, and returns how long stopping took.</summary>
    public TimeSpan RunAndStop(string script, TimeSpan stopAfter, params object?[] args)
    {
        lock (_gate)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            foreach (var a in args)
            {
                ps.AddArgument(a);
            }
            var running = ps.BeginInvoke();
            Thread.Sleep(stopAfter);
            Assert.False(running.IsCompleted, "the script finished before it could be stopped");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            try
            {
                ps.EndInvoke(running);
            }
            catch (PipelineStoppedException)
            {
            }
            return watch.Elapsed;
        }
    }

    public void Dispose() => _runspace.Dispose();
}

/// <summary>One imported module per test class.</summary>
public sealed class ModuleFixture : IDisposable
{
    public PsSession Session { get; } = new();

    public void Dispose() => Session.Dispose();
}
