using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// esbuild's npm binary: a real Go 1.26 program whose .go.buildinfo section is gone ('go version -m' cannot read it),
/// while its runtime.modinfo blob, runtime.buildVersion string and StandardCrypto marker are still in the file.
/// Fetched as the npm registry serves it ('npm pack @esbuild/linux-x64@version') and cached under /tmp/fc-cache; under
/// CI=true a failure to fetch fails the tests instead of skipping them.
/// </summary>
public sealed class EsbuildBinary
{
    public const string Version = "0.28.2";

    public EsbuildBinary()
    {
        var cache = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fc-cache", "esbuild-" + Version);
        Path = System.IO.Path.Combine(cache, "package", "bin", "esbuild");
        try
        {
            if (!File.Exists(Path))
            {
                Fetch(cache);
            }
        }
        catch (Exception ex)
        {
            Unavailable = $"npm pack @esbuild/linux-x64@{Version} failed: {ex.Message}";
        }
    }

    public string Path { get; }

    public string? Unavailable { get; }

    public void Require()
    {
        if (Unavailable is null)
        {
            return;
        }
        if (GoToolchainFixture.InCi)
        {
            Assert.Fail("CI=true and esbuild could not be fetched from npm: " + Unavailable);
        }
        Skip.If(true, Unavailable);
    }

    private static void Fetch(string cache)
    {
        var work = cache + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(work);
        try
        {
            var start = new ProcessStartInfo("npm") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "pack", $"@esbuild/linux-x64@{Version}", "--silent" })
            {
                start.ArgumentList.Add(a);
            }
            using (var npm = Process.Start(start)!)
            {
                var stderr = npm.StandardError.ReadToEndAsync();
                npm.StandardOutput.ReadToEnd();
                if (!npm.WaitForExit(300_000) || npm.ExitCode != 0)
                {
                    throw new InvalidOperationException(stderr.Result.Trim());
                }
            }
            var tarball = Directory.GetFiles(work, "*.tgz").Single();
            using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
            {
                TarFile.ExtractToDirectory(gz, work, overwriteFiles: true);
            }
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }
            Directory.Move(work, cache);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }
}

public sealed class EsbuildBinaryTests(EsbuildBinary esbuild) : IClassFixture<EsbuildBinary>
{
    [SkippableFact]
    public void Has_no_build_info_header_as_shipped()
    {
        esbuild.Require();
        var bytes = File.ReadAllBytes(esbuild.Path);
        Assert.True(bytes.AsSpan().IndexOf("\xff Go buildinf:"u8) < 0, "the npm binary unexpectedly carries a .go.buildinfo header: this test no longer covers the case");
    }

    [SkippableFact]
    public void Is_judged_from_its_module_info_and_markers_not_reported_as_an_error()
    {
        esbuild.Require();
        var report = GoBinaryAnalyzer.Analyze(esbuild.Path);
        Assert.True(report.IsGo);
        Assert.NotEqual(CheckStatus.Error, report.Status);
        Assert.Equal(GoCryptoModule.Standard, report.CryptoModule);
        Assert.Equal(CheckStatus.Fail, report.Status);
        Assert.StartsWith("go1.", report.GoVersion);
        Assert.Equal("github.com/evanw/esbuild/cmd/esbuild", report.MainPath);
        Assert.Contains(CryptoScanner.StandardCrypto, report.Markers);
        Assert.Contains("no .go.buildinfo header", report.Reason);
        Assert.Contains("runtime.modinfo", report.Reason);
        Assert.Contains("sig markers", report.Reason);
        Assert.Contains(report.Evidence, e => e.Source.EndsWith("runtime.modinfo", StringComparison.Ordinal));
        Assert.True(report.BuildSettings.ContainsKey("DefaultGODEBUG"), "the modinfo blob's build settings were not read");
    }

    [SkippableFact]
    public void Without_its_module_info_the_module_is_unknown_not_an_error()
    {
        esbuild.Require();
        // The same binary with the modinfo sentinels overwritten: only Go structures and the markers remain.
        var copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fc-esbuild-nomod-" + Guid.NewGuid().ToString("N")[..8]);
        var bytes = File.ReadAllBytes(esbuild.Path);
        var start = bytes.AsSpan().IndexOf(new byte[] { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6 });
        Assert.True(start >= 0);
        bytes.AsSpan(start, 16).Clear();
        File.WriteAllBytes(copy, bytes);
        try
        {
            var report = GoBinaryAnalyzer.Analyze(copy);
            Assert.True(report.IsGo);
            Assert.Equal(CheckStatus.Unknown, report.Status);
            Assert.Equal(GoCryptoModule.Unknown, report.CryptoModule);
            Assert.Contains("build settings are not recorded", report.Reason);
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
