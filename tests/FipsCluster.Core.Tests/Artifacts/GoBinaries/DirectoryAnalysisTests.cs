using System.Diagnostics;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// The fast directory path (function-table lookups, a parallel ordered walk, one judgement per file identity) says
/// exactly what the byte-by-byte path says of each file on its own: same verdict, status, reason and evidence.
/// </summary>
[Collection(GoToolchainCollection.Name)]
public sealed class DirectoryAnalysisTests(GoToolchainFixture go) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-bindir-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Every field a user sees, evidence item by item (the timestamp aside).</summary>
    private static string[] Items(GoBinaryReport r) => new[]
    {
        r.Path, r.Format, r.IsGo.ToString(), r.GoVersion ?? "-", r.MainPath ?? "-", r.MainModule ?? "-", string.Join(" ", r.Modules),
        string.Join(" ", r.BuildSettings.Select(s => s.Key + "=" + s.Value)), r.CryptoModule.ToString(), r.Fips140ModuleVersion ?? "-",
        string.Join(",", r.Markers), r.BoringSymbols.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Status.ToString(), r.Reason, r.JudgedBy,
    }.Concat(r.Evidence.Select(e => e.ToString())).ToArray();

    private static void AssertSame(GoBinaryReport expected, GoBinaryReport actual)
    {
        var want = Items(expected);
        var got = Items(actual);
        for (var i = 0; i < Math.Max(want.Length, got.Length); i++)
        {
            Assert.True(i < want.Length && i < got.Length && want[i] == got[i],
                $"{expected.Path} item {i}: expected '{(i < want.Length ? want[i] : "(none)")}', got '{(i < got.Length ? got[i] : "(none)")}'");
        }
    }

    [SkippableFact]
    public void The_parallel_walk_gives_the_exhaustive_verdicts_item_by_item_in_listing_order()
    {
        go.RequireGo();
        var places = go.GoBinaryPlaces();
        var listed = GoBinaryAnalyzer.Expand(places, recurse: false).ToList();

        var fast = GoBinaryAnalyzer.AnalyzeManyBlocking(places, 2).ToList();

        Assert.Equal(listed, fast.Select(r => r.Path));
        for (var i = 0; i < listed.Count; i++)
        {
            AssertSame(GoBinaryAnalyzer.Analyze(listed[i], GoBinaryAnalyzer.Search.Exhaustive, null, default), fast[i]);
        }
        Assert.True(fast.Count(r => r.IsGo) >= 16, $"only {fast.Count(r => r.IsGo)} Go binaries were compared");
        Assert.Contains(fast, r => r.CryptoModule == GoCryptoModule.BoringCrypto);
    }

    [SkippableFact]
    public void Each_stripped_flavour_is_judged_alike_by_the_table_lookup_and_the_code_scan()
    {
        go.RequireGo();
        foreach (var (name, path) in go.Binaries.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            var exhaustive = GoBinaryAnalyzer.Analyze(path, GoBinaryAnalyzer.Search.Exhaustive, null, default);
            var tables = GoBinaryAnalyzer.Analyze(path, GoBinaryAnalyzer.Search.Tables, null, default);
            Assert.True(exhaustive.Status == tables.Status, name);
            AssertSame(exhaustive, tables);
        }
    }

    [SkippableFact]
    public void Hard_links_are_read_once_and_each_name_reported_under_its_own_path()
    {
        go.RequireGo();
        var first = Path.Combine(_dir, "a-std");
        File.Copy(go["std"], first);
        Link(first, Path.Combine(_dir, "b-link"));
        Link(first, Path.Combine(_dir, "c-link"));
        File.Copy(go["std"], Path.Combine(_dir, "d-copy")); // same bytes, another inode: judged on its own
        File.Copy(go["boring"], Path.Combine(_dir, "e-boring"));
        var judged = new GoBinaryJudgements();

        var reports = GoBinaryAnalyzer.AnalyzeManyBlocking(new[] { _dir }, 2, false, judged).ToList();

        Assert.Equal(3, judged.Reads);
        Assert.Equal(new[] { "a-std", "b-link", "c-link", "d-copy", "e-boring" }, reports.Select(r => Path.GetFileName(r.Path)).Order(StringComparer.Ordinal));
        foreach (var report in reports)
        {
            AssertSame(GoBinaryAnalyzer.Analyze(report.Path, GoBinaryAnalyzer.Search.Exhaustive, null, default), report);
            Assert.All(report.Evidence, e => Assert.StartsWith(report.Path + " ", e.Source, StringComparison.Ordinal));
        }
        Assert.Equal(GoCryptoModule.BoringCrypto, reports.Single(r => r.Path.EndsWith("e-boring", StringComparison.Ordinal)).CryptoModule);
    }

    [SkippableFact]
    public void A_file_changed_after_its_judgement_is_judged_again()
    {
        go.RequireGo();
        var path = Path.Combine(_dir, "app");
        File.Copy(go["std"], path);
        var judged = new GoBinaryJudgements();
        Assert.Equal(GoCryptoModule.Standard, GoBinaryAnalyzer.Analyze(path, judged).CryptoModule);
        Assert.Equal(GoCryptoModule.Standard, GoBinaryAnalyzer.Analyze(path, judged).CryptoModule);
        Assert.Equal(1, judged.Reads);

        // Only the mtime moves: another identity, read again.
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(-5));
        Assert.Equal(GoCryptoModule.Standard, GoBinaryAnalyzer.Analyze(path, judged).CryptoModule);
        Assert.Equal(2, judged.Reads);

        // New content in place (the same inode): the new verdict, not the remembered one.
        using (var target = new FileStream(path, FileMode.Truncate, FileAccess.Write))
        using (var source = File.OpenRead(go["boring"]))
        {
            source.CopyTo(target);
        }
        var after = GoBinaryAnalyzer.Analyze(path, judged);
        Assert.Equal(3, judged.Reads);
        Assert.Equal(GoCryptoModule.BoringCrypto, after.CryptoModule);
        AssertSame(GoBinaryAnalyzer.Analyze(path, GoBinaryAnalyzer.Search.Exhaustive, null, default), after);
    }

    private static void Link(string existing, string name)
    {
        using var ln = Process.Start(new ProcessStartInfo("ln", new[] { existing, name }) { RedirectStandardError = true })!;
        var error = ln.StandardError.ReadToEnd();
        ln.WaitForExit();
        Assert.True(ln.ExitCode == 0, $"ln failed: {error}");
    }
}
