using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>The verdict as a pure function of the facts.</summary>
public sealed class GoCryptoVerdictTests
{
    private static GoBinaryFacts Facts(string version, string settings = "", string markers = "", int boringSymbols = 0, bool? linksCrypto = true, string arch = "amd64", bool searched = true) => new()
    {
        IsGo = true,
        GoVersion = version,
        Settings = settings.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToDictionary(p => p[0], p => p[1]),
        Architecture = arch,
        Markers = markers.Split(',', StringSplitOptions.RemoveEmptyEntries),
        MarkersSearched = searched && arch == "amd64",
        BoringSymbols = boringSymbols,
        BoringFunctions = boringSymbols,
        LinksCrypto = linksCrypto,
    };

    [Theory]
    // Standard Go.
    [InlineData("go1.22.5", "CGO_ENABLED=1 GOARCH=amd64", "StandardCrypto", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    // GOEXPERIMENT boringcrypto with cgo, confirmed by marker or by symbols.
    [InlineData("go1.22.5 X:boringcrypto", "CGO_ENABLED=1 GOARCH=amd64 GOEXPERIMENT=boringcrypto", "BoringCrypto", 0, GoCryptoModule.BoringCrypto, CheckStatus.Pass)]
    [InlineData("go1.22.5 X:boringcrypto", "CGO_ENABLED=1 GOARCH=amd64 GOEXPERIMENT=boringcrypto", "", 50, GoCryptoModule.BoringCrypto, CheckStatus.Pass)]
    [InlineData("go1.22.5 X:boringcrypto", "CGO_ENABLED=1 GOARCH=amd64 GOEXPERIMENT=boringcrypto", "BoringCrypto,FIPSOnly", 50, GoCryptoModule.BoringCryptoFipsOnly, CheckStatus.Pass)]
    // The version alone is not enough: cgo off means BoringCrypto is not linked.
    [InlineData("go1.22.5 X:boringcrypto", "CGO_ENABLED=0 GOARCH=amd64 GOEXPERIMENT=boringcrypto", "StandardCrypto", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("go1.22.5 X:boringcrypto", "CGO_ENABLED=0 GOARCH=amd64 GOEXPERIMENT=boringcrypto", "StandardCrypto,FIPSOnly", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    // Claimed but the standard marker is what is linked.
    [InlineData("go1.22.5 X:boringcrypto", "CGO_ENABLED=1 GOARCH=amd64", "StandardCrypto", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    // dev.boringcrypto toolchain (no settings before 1.18).
    [InlineData("go1.16.15b7", "", "BoringCrypto", 0, GoCryptoModule.BoringCrypto, CheckStatus.Pass)]
    [InlineData("go1.16.15b7", "", "StandardCrypto", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    // Both at once is contradictory.
    [InlineData("go1.22.5 X:boringcrypto", "CGO_ENABLED=1", "BoringCrypto,StandardCrypto", 0, GoCryptoModule.Unknown, CheckStatus.Unknown)]
    // Native FIPS.
    [InlineData("go1.24.4", "GOFIPS140=v1.0.0-c2097c7c DefaultGODEBUG=fips140=on", "", 0, GoCryptoModule.GoFips140, CheckStatus.Pass)]
    [InlineData("go1.24.4", "GOFIPS140=v1.0.0", "", 0, GoCryptoModule.GoFips140, CheckStatus.Pass)]
    [InlineData("go1.24.4", "GOFIPS140=latest DefaultGODEBUG=fips140=on", "", 0, GoCryptoModule.GoFips140, CheckStatus.Warning)]
    [InlineData("go1.26.0", "GOFIPS140=v1.26.0 DefaultGODEBUG=fips140=on", "", 0, GoCryptoModule.GoFips140, CheckStatus.Warning)]
    [InlineData("go1.24.4", "GOFIPS140=v1.0.0 DefaultGODEBUG=fips140=off", "", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("go1.24.4", "GOFIPS140=off", "", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    [InlineData("go1.24.4", "DefaultGODEBUG=fips140=only", "", 0, GoCryptoModule.GoFips140, CheckStatus.Warning)]
    // Platform crypto.
    [InlineData("go1.23.10 (Red Hat 1.23.10-10.el9) X:strictfipsruntime", "GOEXPERIMENT=strictfipsruntime CGO_ENABLED=1", "", 0, GoCryptoModule.OpenSSLBacked, CheckStatus.Warning)]
    [InlineData("go1.25.1", "GOEXPERIMENT=systemcrypto", "", 0, GoCryptoModule.OpenSSLBacked, CheckStatus.Warning)]
    [InlineData("go1.22.5 X:opensslcrypto", "", "", 0, GoCryptoModule.OpenSSLBacked, CheckStatus.Warning)]
    // An experiment turned off again does not count.
    [InlineData("go1.22.5", "GOEXPERIMENT=boringcrypto,noboringcrypto CGO_ENABLED=1", "StandardCrypto", 0, GoCryptoModule.Standard, CheckStatus.Fail)]
    public void Verdicts(string version, string settings, string markers, int symbols, GoCryptoModule module, CheckStatus status)
    {
        var j = GoCryptoVerdict.Judge(Facts(version, settings, markers, symbols));
        Assert.Equal(module, j.Module);
        Assert.Equal(status, j.Status);
        Assert.False(string.IsNullOrWhiteSpace(j.Reason));
        Assert.Contains(j.Evidence, e => e.Excerpt == version);
    }

    [Fact]
    public void No_crypto_at_all_is_not_applicable()
    {
        var j = GoCryptoVerdict.Judge(Facts("go1.22.5", "CGO_ENABLED=0 GOARCH=amd64", linksCrypto: false));
        Assert.Equal(GoCryptoModule.None, j.Module);
        Assert.Equal(CheckStatus.NotApplicable, j.Status);
        // amd64, stripped (names unknown), no marker: no crypto linked.
        Assert.Equal(GoCryptoModule.None, GoCryptoVerdict.Judge(Facts("go1.22.5", "GOARCH=amd64", linksCrypto: null)).Module);
    }

    [Fact]
    public void Stripped_non_amd64_without_a_claim_is_standard_and_says_why()
    {
        var j = GoCryptoVerdict.Judge(Facts("go1.22.5", "GOARCH=arm64", linksCrypto: null, arch: "arm64"));
        Assert.Equal(GoCryptoModule.Standard, j.Module);
        Assert.Contains("arm64", j.Reason);
    }

    [Fact]
    public void Stripped_arm64_boring_claim_is_a_warning_with_the_reason()
    {
        var j = GoCryptoVerdict.Judge(Facts("go1.22.5 X:boringcrypto", "CGO_ENABLED=1 GOARCH=arm64 GOEXPERIMENT=boringcrypto", linksCrypto: null, arch: "arm64"));
        Assert.Equal(GoCryptoModule.BoringCrypto, j.Module);
        Assert.Equal(CheckStatus.Warning, j.Status);
        Assert.Contains("cannot be confirmed", j.Reason);
    }

    [Fact]
    public void Boring_and_gofips_together_are_contradictory()
    {
        var j = GoCryptoVerdict.Judge(Facts("go1.24.0 X:boringcrypto", "GOFIPS140=v1.0.0 GOEXPERIMENT=boringcrypto CGO_ENABLED=1", "BoringCrypto"));
        Assert.Equal(GoCryptoModule.Unknown, j.Module);
    }

    [Fact]
    public void Not_go_and_unreadable_go()
    {
        Assert.Equal(GoCryptoModule.NotGo, GoCryptoVerdict.Judge(new GoBinaryFacts { IsGo = false }).Module);
        var j = GoCryptoVerdict.Judge(new GoBinaryFacts { IsGo = true, Problem = "bad uvarint" });
        Assert.Equal(GoCryptoModule.Unknown, j.Module);
        Assert.Equal(CheckStatus.Error, j.Status);
        Assert.Contains("bad uvarint", j.Reason);
    }

    [Theory]
    [InlineData("go1.22.5 X:boringcrypto,loopvar", null, "boringcrypto,loopvar")]
    [InlineData("go1.23.10 (Red Hat 1.23.10-10.el9) X:strictfipsruntime", null, "strictfipsruntime")]
    [InlineData("go1.22.5", "loopvar,boringcrypto", "boringcrypto,loopvar")]
    [InlineData("go1.22.5", "boringcrypto,noboringcrypto", "")]
    public void Experiments_are_read_from_version_and_setting(string version, string? setting, string expected)
    {
        Assert.Equal(expected, string.Join(",", GoCryptoVerdict.Experiments(version, setting).Order()));
    }

    [Theory]
    [InlineData("fips140=on,tlsmlkem=0", "on")]
    [InlineData("tlsmlkem=0, fips140=off", "off")]
    [InlineData("fips140=on,fips140=off", "off")]
    [InlineData("x509sha1=1", null)]
    [InlineData("", null)]
    public void Godebug_values(string list, string? expected)
    {
        Assert.Equal(expected, GoCryptoVerdict.GodebugValue(list, "fips140"));
    }
}
