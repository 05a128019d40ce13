using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// Real builds from Go 1.24, Go 1.26 and the system's older Go, each classified as Go's documentation says, and each
/// read the same way as the toolchain that built it reads it ('go version -m').
/// </summary>
[Collection(GoFipsToolchainCollection.Name)]
public sealed class GoFipsToolchainMatrixTests(GoFipsToolchainMatrix matrix)
{
    public static TheoryData<string, string> Builds => new()
    {
        { "1.24", "standard" },
        { "1.24", "gofips140-v1.0.0" },
        { "1.24", "gofips140-v1.0.0-godebug-off" },
        { "1.24", "gofips140-v1.0.0-stripped-pie" },
        { "1.24", "gofips140-v1.0.0-arm64-stripped" },
        { "1.24", "gofips140-v1.0.0-windows" },
        { "1.24", "gofips140-off" },
        { "1.24", "gofips140-latest" },
        { "1.24", "godebug-fips140-on" },
        { "1.24", "gofips140-latest-godebug-off" },
        { "1.24", "gofips140-latest-stripped" },
        { "1.24", "gofips140-latest-arm64" },
        { "1.24", "nocrypto" },
        { "1.26", "standard" },
        { "1.26", "gofips140-latest" },
        { "1.26", "godebug-fips140-on" },
        { "1.26", "gofips140-latest-godebug-off" },
        { "1.26", "gofips140-latest-stripped" },
        { "1.26", "gofips140-latest-arm64" },
        { "1.26", "nocrypto" },
        { "system", "standard" },
        { "system", "boringcrypto" },
        { "system", "boringcrypto-nocgo" },
    };

    [SkippableTheory]
    [MemberData(nameof(Builds))]
    public void Each_build_is_classified_as_Gos_rules_say(string toolchain, string name)
    {
        matrix.Require();
        var build = matrix[toolchain, name];
        var report = GoBinaryAnalyzer.Analyze(build.Path);
        Assert.True(report.IsGo, report.Reason);
        Assert.True(build.Module == report.CryptoModule && build.Status == report.Status,
            $"{toolchain} {name}: expected {build.Module}/{build.Status}, got {report.CryptoModule}/{report.Status}: {report.Reason}");
        if (build.ModuleVersionPrefix is { } version)
        {
            Assert.StartsWith(version, report.Fips140ModuleVersion ?? "");
        }
        Assert.DoesNotContain(".go.buildinfo header", report.Reason); // every one of these has its build info
    }

    [SkippableTheory]
    [MemberData(nameof(Builds))]
    public void Version_and_FIPS_settings_agree_with_go_version_m(string toolchain, string name)
    {
        matrix.Require();
        var build = matrix[toolchain, name];
        var report = GoBinaryAnalyzer.Analyze(build.Path);
        var (version, settings) = matrix.GoVersionM(build);
        Assert.Equal(version, report.GoVersion);
        foreach (var key in new[] { "GOFIPS140", "DefaultGODEBUG", "CGO_ENABLED", "GOEXPERIMENT", "GOARCH", "GOOS" })
        {
            Assert.Equal(settings.GetValueOrDefault(key), report.BuildSettings.GetValueOrDefault(key));
        }
    }

    [SkippableFact]
    public void The_toolchains_are_the_ones_asked_for()
    {
        matrix.Require();
        Assert.StartsWith("go1.24", matrix.GoVersionM(matrix["1.24", "standard"]).Version);
        Assert.StartsWith("go1.26", matrix.GoVersionM(matrix["1.26", "standard"]).Version);
        var system = matrix.GoVersionM(matrix["system", "standard"]).Version;
        Assert.DoesNotContain(system, new[] { "go1.24", "go1.26" }.Where(system.StartsWith));
    }

    [SkippableFact]
    public void The_validated_module_is_named_with_its_certificate()
    {
        matrix.Require();
        var report = GoBinaryAnalyzer.Analyze(matrix["1.24", "gofips140-v1.0.0"].Path);
        Assert.Contains("CMVP #5247", report.Reason);
        var latest = GoBinaryAnalyzer.Analyze(matrix["1.26", "gofips140-latest"].Path);
        Assert.Contains("not a validated module", latest.Reason);
    }

    [SkippableFact]
    public void A_godebug_fips140_off_directive_turns_a_GOFIPS140_build_into_standard_crypto()
    {
        matrix.Require();
        var report = GoBinaryAnalyzer.Analyze(matrix["1.24", "gofips140-v1.0.0-godebug-off"].Path);
        Assert.Equal("off", GoCryptoVerdict.GodebugValue(report.BuildSettings["DefaultGODEBUG"], "fips140"));
        Assert.Contains("fips140=off", report.Reason);
    }
}
