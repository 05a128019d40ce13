using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>modinfo text as runtime/debug.ParseBuildInfo reads it.</summary>
public sealed class GoBuildInfoParseTests
{
    [Fact]
    public void Lines_of_every_kind()
    {
        var info = GoBuildInfo.Parse("go1.22.5", string.Join("\n",
            "path\texample.com/cmd/app",
            "mod\texample.com\tv1.0.0\th1:main=",
            "dep\tgithub.com/a/b\tv1.2.3\th1:ab=",
            "dep\tgithub.com/c/d\tv0.0.1",
            "=>\tgithub.com/fork/d\tv0.0.2\th1:fork=",
            "dep\tgolang.org/x/crypto\tv0.31.0\th1:xc=",
            "build\t-buildmode=exe",
            "build\t-ldflags=\"-s -w -X main.v=1\"",
            "build\tCGO_ENABLED=1",
            "build\t\"key with space\"=`raw value`",
            "build\tDefaultGODEBUG=fips140=on,tlsmlkem=0",
            "build\tvcs.modified=",
            "unknown\tline is ignored",
            "build\tTRAILING=not terminated"));
        Assert.Equal("example.com/cmd/app", info.Path);
        Assert.Equal("example.com@v1.0.0", info.Main!.ToString());
        Assert.Equal(new[] { "github.com/a/b@v1.2.3", "github.com/c/d@v0.0.1 => github.com/fork/d@v0.0.2", "golang.org/x/crypto@v0.31.0" }, info.Deps.Select(d => d.ToString()));
        Assert.Equal("h1:fork=", info.Deps[1].Replace!.Sum);
        var settings = info.Settings.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("-s -w -X main.v=1", settings["-ldflags"]);
        Assert.Equal("raw value", settings["key with space"]);
        Assert.Equal("fips140=on,tlsmlkem=0", settings["DefaultGODEBUG"]);
        Assert.Equal("", settings["vcs.modified"]);
        Assert.False(settings.ContainsKey("TRAILING"));
        Assert.Empty(info.Problems);
    }

    [Theory]
    [InlineData("\"a\\tb\\\"c\\\\d\"", "a\tb\"c\\d")]
    [InlineData("\"\\x41\\101\\u00e9\\U0001F600\"", "AAé😀")]
    [InlineData("`a\\tb`", "a\\tb")]
    [InlineData("\"\\xe2\\x82\\xac\"", "€")]
    public void Go_quoted_values(string quoted, string expected)
    {
        Assert.True(GoBuildInfo.TryParseSetting("K=" + quoted, out var k, out var v));
        Assert.Equal("K", k);
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("=v")]
    [InlineData("novalue")]
    [InlineData("\"unterminated=v")]
    [InlineData("\"k\"v")]
    [InlineData("K=\"bad\\q\"")]
    [InlineData("K=\"\\x4\"")]
    public void Malformed_settings_are_rejected(string kv)
    {
        Assert.False(GoBuildInfo.TryParseSetting(kv, out _, out _));
    }

    [Fact]
    public void Malformed_lines_are_noted_and_the_rest_kept()
    {
        var info = GoBuildInfo.Parse("go1.22.5", "=>\tx\ty\tz\ndep\tonly-one-column\nbuild\tnovalue\nbuild\tGOARCH=amd64\n");
        Assert.Equal(3, info.Problems.Count);
        Assert.Equal("amd64", info.Settings.Single().Value);
    }

    [Fact]
    public void Sentinels_are_stripped_and_their_absence_means_no_modinfo()
    {
        var framed = SyntheticBinaries.ModInfo("path\tx\n");
        Assert.Equal("path\tx\n", BuildInfoReader.StripSentinels(framed));
        Assert.Equal("", BuildInfoReader.StripSentinels("path\tx\n"u8));
        Assert.Equal("", BuildInfoReader.StripSentinels(framed.AsSpan(0, framed.Length - 1)));
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL, 1)]
    [InlineData(new byte[] { 0x7F }, 127UL, 1)]
    [InlineData(new byte[] { 0x80, 0x01 }, 128UL, 2)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, ulong.MaxValue, 10)]
    public void Uvarints(byte[] bytes, ulong value, int used)
    {
        Assert.True(BuildInfoReader.TryUvarint(bytes, out var v, out var n));
        Assert.Equal(value, v);
        Assert.Equal(used, n);
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    [InlineData(new byte[0])]
    public void Bad_uvarints(byte[] bytes)
    {
        Assert.False(BuildInfoReader.TryUvarint(bytes, out _, out _));
    }
}
