using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

public static partial class GoBinaryAnalyzer
{
    /// <summary>
    /// Analyzes files, and the files in directories (recursively with <paramref name="recurse"/>), on up to
    /// <paramref name="degreeOfParallelism"/> threads. Reports come in the order the files are listed, whatever order
    /// they finish in. A file is judged once however many names it has (<see cref="GoBinaryJudgements"/>; one set per
    /// call unless <paramref name="judged"/> is given). Unreadable directories are skipped.
    /// </summary>
    public static async IAsyncEnumerable<GoBinaryReport> AnalyzeMany(IEnumerable<string> paths, int degreeOfParallelism = 0, bool recurse = false,
        GoBinaryJudgements? judged = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var pending = Pending(paths, degreeOfParallelism, recurse, judged ?? new GoBinaryJudgements(), stop.Token).GetEnumerator();
        try
        {
            while (pending.MoveNext())
            {
                yield return await pending.Current.ConfigureAwait(false);
            }
        }
        finally
        {
            stop.Cancel(); // a consumer that stops early leaves at most the started window running, and that one winds down
        }
    }

    /// <summary>The blocking form of <see cref="AnalyzeMany"/> (for a cmdlet's ProcessRecord): the same reports in the same order.</summary>
    public static IEnumerable<GoBinaryReport> AnalyzeManyBlocking(IEnumerable<string> paths, int degreeOfParallelism = 0, bool recurse = false,
        GoBinaryJudgements? judged = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var reports = AnalyzeMany(paths, degreeOfParallelism, recurse, judged, ct).GetAsyncEnumerator(ct);
        try
        {
            while (reports.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                yield return reports.Current;
            }
        }
        finally
        {
            reports.DisposeAsync().AsTask().GetAwaiter().GetResult(); // stops what is still running
        }
    }

    /// <summary>
    /// The analyses in listing order, started ahead of the consumer: a window of 4 per thread is in flight, run on
    /// at most <paramref name="dop"/> threads, so a large file does not hold up the small ones behind it.
    /// </summary>
    private static IEnumerable<Task<GoBinaryReport>> Pending(IEnumerable<string> paths, int dop, bool recurse, GoBinaryJudgements judged, CancellationToken ct)
    {
        dop = dop > 0 ? dop : Environment.ProcessorCount;
        var threads = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, dop).ConcurrentScheduler;
        var window = new Queue<Task<GoBinaryReport>>();
        foreach (var path in Expand(paths, recurse))
        {
            ct.ThrowIfCancellationRequested();
            window.Enqueue(Task.Factory.StartNew(() => Analyze(path, Search.Tables, judged, ct), ct, TaskCreationOptions.None, threads));
            if (window.Count >= dop * 4)
            {
                yield return window.Dequeue();
            }
        }
        while (window.Count > 0)
        {
            yield return window.Dequeue();
        }
    }

    /// <summary>Files named, and regular files under directories named (symbolic links to directories are not followed).</summary>
    public static IEnumerable<string> Expand(IEnumerable<string> paths, bool recurse)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = recurse, IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                IEnumerable<string> files;
                try
                {
                    files = Directory.EnumerateFiles(path, "*", options);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                foreach (var f in files)
                {
                    yield return f;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}

/// <summary>
/// The files judged so far in one run (one Test-FipsBinary invocation), by identity: device, inode, size and
/// modification time. A second name of a judged file (a hard link) gets the same verdict, told under its own path,
/// without being read again; a file whose size or mtime changed is another entry, so it is judged afresh.
/// </summary>
public sealed class GoBinaryJudgements
{
    private readonly ConcurrentDictionary<FileIdentity, Lazy<Func<string, GoBinaryReport>>> _judged = new();
    private int _reads;

    /// <summary>How many files were read and judged (not counting the names that reused a judgement).</summary>
    public int Reads => Volatile.Read(ref _reads);

    internal Func<string, GoBinaryReport> GetOrAdd(FileIdentity identity, Func<Func<string, GoBinaryReport>> read)
    {
        // Two names of one file analyzed at once: the second waits for the first's reading instead of repeating it.
        var entry = _judged.GetOrAdd(identity, _ => new Lazy<Func<string, GoBinaryReport>>(() =>
        {
            Interlocked.Increment(ref _reads);
            return read();
        }, LazyThreadSafetyMode.ExecutionAndPublication));
        return entry.Value;
    }
}
