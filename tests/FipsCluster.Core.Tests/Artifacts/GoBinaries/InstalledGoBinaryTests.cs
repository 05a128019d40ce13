using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// The Go binaries Debian ships (docker.io, containerd, runc, etcd-server): standard crypto, go1.19.8, cgo.
/// Without the packages the tests skip — except with CI=true, where that is a failure.
/// </summary>
[Collection(GoToolchainCollection.Name)]
public sealed class InstalledGoBinaryTests(GoToolchainFixture go)
{
    public static TheoryData<string> Installed => new() { "dockerd", "containerd", "runc", "etcd" };

    internal static string? Locate(string name) =>
        new[] { "/usr/sbin/", "/usr/bin/", "/usr/local/bin/", "/usr/local/sbin/" }.Select(d => d + name).FirstOrDefault(File.Exists);

    private static string Require(string name)
    {
        var path = Locate(name);
        if (path is null)
        {
            if (GoToolchainFixture.InCi)
            {
                Assert.Fail($"CI=true and {name} is not installed (apt-get install docker.io containerd runc etcd-server)");
            }
            Skip.If(true, $"{name} is not installed");
        }
        return path!;
    }

    [SkippableTheory]
    [MemberData(nameof(Installed))]
    public void Debian_builds_are_standard_crypto(string name)
    {
        var path = Require(name);
        var report = GoBinaryAnalyzer.Analyze(path);
        Assert.True(report.IsGo, report.Reason);
        Assert.Equal("ELF", report.Format);
        Assert.Equal("go1.19.8", report.GoVersion);
        Assert.Equal("1", report.BuildSettings["CGO_ENABLED"]);
        Assert.Equal("amd64", report.BuildSettings["GOARCH"]);
        Assert.Equal(GoCryptoModule.Standard, report.CryptoModule);
        Assert.Equal(CheckStatus.Fail, report.Status);
        Assert.Contains("StandardCrypto", report.Markers);
        Assert.Equal(0, report.BoringSymbols);
    }

    [SkippableTheory]
    [MemberData(nameof(Installed))]
    public void Build_info_matches_go_version_m(string name)
    {
        var path = Require(name);
        go.RequireGo();
        GoVersionM.AssertMatches(go, path);
    }

    [SkippableFact]
    public void Dockerd_quoted_ldflags_are_unquoted_exactly()
    {
        var path = Require("dockerd");
        var ldflags = GoBinaryAnalyzer.Analyze(path).BuildSettings["-ldflags"];
        Assert.Contains("\t-X \"github.com/docker/docker/dockerversion.Version=", ldflags);
        Assert.Contains("-w", ldflags);
        Assert.Equal("github.com/docker/docker/cmd/dockerd", GoBinaryAnalyzer.Analyze(path).MainPath);
        Assert.Equal("apparmor,seccomp,journald", GoBinaryAnalyzer.Analyze(path).BuildSettings["-tags"]);
    }
}
