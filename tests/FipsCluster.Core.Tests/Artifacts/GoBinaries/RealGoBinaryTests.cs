using System.Diagnostics;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>Binaries built by the real Go toolchain: each flavour is classified from the file alone, and the build info matches `go version -m` exactly.</summary>
[Collection(GoToolchainCollection.Name)]
public sealed class RealGoBinaryTests(GoToolchainFixture go)
{
    [SkippableTheory]
    [InlineData("std", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("boring", GoCryptoModule.BoringCrypto, CheckStatus.Pass)]
    [InlineData("boring-nocgo", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("boring-stripped", GoCryptoModule.BoringCrypto, CheckStatus.Pass)]
    [InlineData("fipsonly", GoCryptoModule.BoringCryptoFipsOnly, CheckStatus.Pass)]
    [InlineData("fipsonly-nocgo", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("nocrypto", GoCryptoModule.None, CheckStatus.NotApplicable)]
    [InlineData("nocrypto-stripped", GoCryptoModule.None, CheckStatus.NotApplicable)]
    [InlineData("windows-amd64", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("windows-386", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("darwin-amd64", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("darwin-arm64-stripped", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("linux-arm64", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("linux-arm64-stripped", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("linux-ppc64", GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("linux-386", GoCryptoModule.Standard, CheckStatus.Fail)]
    public void Each_flavour_is_classified(string name, GoCryptoModule module, CheckStatus status)
    {
        go.RequireGo();
        var report = GoBinaryAnalyzer.Analyze(go[name]);
        Assert.True(report.IsGo, report.Reason);
        Assert.Equal(module, report.CryptoModule);
        Assert.Equal(status, report.Status);
        Assert.StartsWith("go1.", report.GoVersion);
        Assert.Equal("example.com/fcfixture", report.MainPath);
        Assert.False(string.IsNullOrWhiteSpace(report.Reason));
        Assert.Contains(report.Evidence, e => e.Source.EndsWith("runtime.Version", StringComparison.Ordinal) && e.Excerpt == report.GoVersion);
    }

    [SkippableTheory]
    [InlineData("std", "ELF")]
    [InlineData("windows-amd64", "PE")]
    [InlineData("windows-386", "PE")]
    [InlineData("darwin-amd64", "MachO")]
    [InlineData("darwin-arm64-stripped", "MachO")]
    [InlineData("linux-ppc64", "ELF")]
    [InlineData("linux-386", "ELF")]
    public void Formats_are_named(string name, string format)
    {
        go.RequireGo();
        Assert.Equal(format, GoBinaryAnalyzer.Analyze(go[name]).Format);
    }

    [SkippableFact]
    public void Markers_are_the_ones_the_sig_package_emits()
    {
        go.RequireGo();
        Assert.Equal(new[] { "StandardCrypto" }, GoBinaryAnalyzer.Analyze(go["std"]).Markers);
        Assert.Equal(new[] { "BoringCrypto" }, GoBinaryAnalyzer.Analyze(go["boring"]).Markers);
        Assert.Equal(new[] { "BoringCrypto" }, GoBinaryAnalyzer.Analyze(go["boring-stripped"]).Markers);
        Assert.Equal(new[] { "StandardCrypto" }, GoBinaryAnalyzer.Analyze(go["boring-nocgo"]).Markers);
        Assert.Equal(new[] { "BoringCrypto", "FIPSOnly" }, GoBinaryAnalyzer.Analyze(go["fipsonly"]).Markers.Order());
        Assert.Equal(new[] { "FIPSOnly", "StandardCrypto" }, GoBinaryAnalyzer.Analyze(go["fipsonly-nocgo"]).Markers.Order());
        Assert.Equal(new[] { "StandardCrypto" }, GoBinaryAnalyzer.Analyze(go["windows-amd64"]).Markers);
        Assert.Equal(new[] { "StandardCrypto" }, GoBinaryAnalyzer.Analyze(go["darwin-amd64"]).Markers);
        Assert.Empty(GoBinaryAnalyzer.Analyze(go["nocrypto"]).Markers);
        Assert.Empty(GoBinaryAnalyzer.Analyze(go["linux-arm64"]).Markers); // the sig functions are no-ops off amd64
    }

    [SkippableFact]
    public void Boring_symbol_count_matches_go_tool_nm()
    {
        go.RequireGo();
        var nm = go.RunGo(go.Root, null, "tool", "nm", go["boring"]);
        var expected = nm.Split('\n').Count(l => l.Contains("_Cfunc__goboringcrypto_", StringComparison.Ordinal));
        Assert.True(expected > 40, $"go tool nm lists {expected}");
        Assert.Equal(expected, GoBinaryAnalyzer.Analyze(go["boring"]).BoringSymbols);
        Assert.Equal(0, GoBinaryAnalyzer.Analyze(go["boring-stripped"]).BoringSymbols);
        Assert.Equal(0, GoBinaryAnalyzer.Analyze(go["std"]).BoringSymbols);
    }

    [SkippableFact]
    public void Build_info_matches_go_version_m_for_every_fixture()
    {
        go.RequireGo();
        foreach (var (name, path) in go.Binaries)
        {
            GoVersionM.AssertMatches(go, path);
        }
    }

    [SkippableFact]
    public void Boring_build_records_what_decided()
    {
        go.RequireGo();
        var report = GoBinaryAnalyzer.Analyze(go["boring"]);
        Assert.Equal("go1.19.8 X:boringcrypto", report.GoVersion);
        Assert.Equal("boringcrypto", report.BuildSettings["GOEXPERIMENT"]);
        Assert.Equal("1", report.BuildSettings["CGO_ENABLED"]);
        Assert.Equal("example.com/fcfixture@(devel)", report.MainModule);
        Assert.Equal(new[] { "example.com/lib@v0.0.0 => ./lib@(devel)" }, report.Modules);
        Assert.Contains(report.Evidence, e => e.Source.EndsWith("build GOEXPERIMENT", StringComparison.Ordinal) && e.Excerpt == "boringcrypto");
        Assert.Contains(report.Evidence, e => e.Source.EndsWith("sig markers (amd64 text)", StringComparison.Ordinal) && e.Excerpt!.StartsWith("BoringCrypto at 0x", StringComparison.Ordinal));
        Assert.Contains("CGO_ENABLED=0", GoBinaryAnalyzer.Analyze(go["boring-nocgo"]).Reason);
    }

    [SkippableFact]
    public async Task A_directory_is_scanned_in_parallel_and_every_file_reported()
    {
        go.RequireGo();
        var dir = Path.Combine(go.Root, "bin");
        var expected = Directory.GetFiles(dir).Order().ToArray();
        var reports = new List<GoBinaryReport>();
        await foreach (var r in GoBinaryAnalyzer.AnalyzeMany(new[] { dir }, 4))
        {
            reports.Add(r);
        }
        Assert.Equal(expected, reports.Select(r => r.Path).Order().ToArray());
        Assert.All(reports, r => Assert.True(r.IsGo));
        var blocking = GoBinaryAnalyzer.AnalyzeManyBlocking(new[] { dir, "/etc/hostname" }, 2).ToList();
        Assert.Equal(expected.Length + 1, blocking.Count);
    }

    [SkippableFact]
    public void Analysis_is_faster_than_go_version_m()
    {
        go.RequireGo();
        var file = go["boring"];
        GoBinaryAnalyzer.Analyze(file);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            GoBinaryAnalyzer.Analyze(file);
        }
        var ours = watch.Elapsed / 20;
        watch.Restart();
        go.RunGo(go.Root, null, "version", "-m", file);
        var theirs = watch.Elapsed;
        Assert.True(ours < theirs, $"analyze {ours.TotalMilliseconds:F1} ms vs go version -m {theirs.TotalMilliseconds:F1} ms");
    }
}

/// <summary>Parses `go version -m` output and compares it with the analyzer's report.</summary>
internal static class GoVersionM
{
    public static void AssertMatches(GoToolchainFixture go, string path)
    {
        var output = go.RunGo(go.Root, null, "version", "-m", path);
        var report = GoBinaryAnalyzer.Analyze(path);
        var lines = output.Split('\n');
        Assert.StartsWith(path + ": ", lines[0]);
        Assert.Equal(lines[0][(path.Length + 2)..], report.GoVersion);
        var settings = new List<KeyValuePair<string, string>>();
        var deps = new List<string>();
        string? mainPath = null;
        string? main = null;
        foreach (var raw in lines.Skip(1))
        {
            if (!raw.StartsWith('\t'))
            {
                continue;
            }
            var line = raw[1..];
            var f = line.Split('\t');
            switch (f[0])
            {
                case "path":
                    mainPath = line[5..];
                    break;
                case "mod":
                    main = Module(f[1], f[2]);
                    break;
                case "dep":
                    deps.Add(Module(f[1], f[2]));
                    break;
                case "=>":
                    var replaced = Module(f[1], f[2]);
                    if (deps.Count > 0)
                    {
                        deps[^1] += " => " + replaced;
                    }
                    else
                    {
                        main += " => " + replaced;
                    }
                    break;
                case "build":
                    Assert.True(GoBuildInfo.TryParseSetting(line.AsSpan(6), out var k, out var v), line);
                    settings.Add(new(k, v));
                    break;
            }
        }
        Assert.Equal(mainPath, report.MainPath);
        Assert.Equal(main, report.MainModule);
        Assert.Equal(deps, report.Modules);
        Assert.Equal(settings, report.BuildSettings.ToList());
    }

    private static string Module(string path, string version) => version.Length == 0 ? path : path + "@" + version;
}
