using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;
using static FipsCluster.Core.Tests.Artifacts.GoBinaries.SyntheticBinaries;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>Hand-assembled containers: every format and build-info form the Go toolchain has written is read.</summary>
public sealed class SyntheticBinaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-gosyn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GoBinaryReport Analyze(byte[] bytes, string name = "bin")
    {
        var path = Path.Combine(_dir, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllBytes(path, bytes);
        return GoBinaryAnalyzer.Analyze(path);
    }

    private const string Std = "path\texample.com/cmd\nbuild\tCGO_ENABLED=1\nbuild\tGOARCH=amd64\n";

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Pointer_form_build_info_of_go_1_17_is_dereferenced(bool is64, bool bigEndian)
    {
        var report = Analyze(ElfWithPointerForm("go1.16.15b7", ModInfo("path\texample.com/old\nmod\texample.com/old\tv1.2.3\th1:x=\ndep\tgithub.com/a/b\tv0.1.0\th1:y=\n"), is64, bigEndian,
            new[] { BoringMarker }));
        Assert.True(report.IsGo, report.Reason);
        Assert.Equal("go1.16.15b7", report.GoVersion);
        Assert.Equal("example.com/old", report.MainPath);
        Assert.Equal("example.com/old@v1.2.3", report.MainModule);
        Assert.Equal(new[] { "github.com/a/b@v0.1.0" }, report.Modules);
        Assert.Empty(report.BuildSettings); // settings exist only from Go 1.18
        Assert.Contains(report.Evidence, e => e.Excerpt?.StartsWith("pointer form", StringComparison.Ordinal) == true);
        if (is64 && !bigEndian)
        {
            // amd64: the b-suffixed dev.boringcrypto toolchain confirmed by its marker.
            Assert.Equal(GoCryptoModule.BoringCrypto, report.CryptoModule);
            Assert.Equal(CheckStatus.Pass, report.Status);
        }
    }

    [Fact]
    public void Pointer_form_without_module_info_is_a_gopath_build()
    {
        var report = Analyze(ElfWithPointerForm("go1.13", Array.Empty<byte>()));
        Assert.True(report.IsGo);
        Assert.Equal("go1.13", report.GoVersion);
        Assert.Null(report.MainPath);
        Assert.Empty(report.Modules);
    }

    [Fact]
    public void Pointer_to_an_unmapped_address_is_an_error_not_a_crash()
    {
        var bytes = ElfWithPointerForm("go1.17", ModInfo(Std));
        var at = FindHeader(bytes);
        BitConverter.GetBytes(0x7777_0000_0000UL).CopyTo(bytes, at + 16);
        var report = Analyze(bytes);
        Assert.True(report.IsGo);
        Assert.Equal(CheckStatus.Error, report.Status);
        Assert.Equal(GoCryptoModule.Unknown, report.CryptoModule);
        Assert.Contains("not in the file", report.Reason);
    }

    [Theory]
    [InlineData(true, false, (ushort)62, "amd64")]
    [InlineData(true, true, (ushort)21, "ppc64")]
    [InlineData(false, false, (ushort)3, "386")]
    [InlineData(false, true, (ushort)8, "mips")]
    public void Inline_build_info_in_every_elf_class_and_byte_order(bool is64, bool bigEndian, ushort machine, string arch)
    {
        var report = Analyze(ElfWithInline("go1.22.5", $"path\texample.com/cmd\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH={arch}\n", is64: is64, bigEndian: bigEndian, machine: machine,
            symbols: new[] { "crypto/sha256.(*digest).Write", "main.main" }));
        Assert.Equal("ELF", report.Format);
        Assert.Equal("go1.22.5", report.GoVersion);
        Assert.Equal(arch, report.BuildSettings["GOARCH"]);
        Assert.Equal(GoCryptoModule.Standard, report.CryptoModule);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pe_with_inline_build_info(bool pe32Plus)
    {
        var report = Analyze(Pe("go1.21.0 X:boringcrypto", "path\texample.com/win\nbuild\tCGO_ENABLED=1\nbuild\tGOARCH=amd64\nbuild\tGOEXPERIMENT=boringcrypto\n",
            new[] { BoringMarker }, pe32Plus));
        Assert.Equal("PE", report.Format);
        Assert.Equal("example.com/win", report.MainPath);
        if (pe32Plus)
        {
            Assert.Equal(GoCryptoModule.BoringCrypto, report.CryptoModule);
            Assert.Equal(new[] { "BoringCrypto" }, report.Markers);
        }
        else
        {
            Assert.Empty(report.Markers); // 386: no marker search
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MachO_with_inline_build_info_by_section_or_rw_segment(bool namedSection)
    {
        var report = Analyze(MachO("go1.22.1", Std, new[] { StandardMarker }, namedSection));
        Assert.Equal("MachO", report.Format);
        Assert.Equal("go1.22.1", report.GoVersion);
        Assert.Equal(GoCryptoModule.Standard, report.CryptoModule);
        Assert.Equal(new[] { "StandardCrypto" }, report.Markers);
    }

    [Fact]
    public void Fat_MachO_reads_the_first_arch()
    {
        var first = MachO("go1.22.1 X:boringcrypto", "build\tCGO_ENABLED=1\nbuild\tGOEXPERIMENT=boringcrypto\n", new[] { BoringMarker, FipsOnlyMarker });
        var second = MachO("go1.20.0", Std, new[] { StandardMarker }, cpu: 0x0100000C);
        var report = Analyze(Fat(first, second));
        Assert.Equal("MachO", report.Format);
        Assert.Equal("go1.22.1 X:boringcrypto", report.GoVersion);
        Assert.Equal(GoCryptoModule.BoringCryptoFipsOnly, report.CryptoModule);
    }

    [Fact]
    public void Java_class_with_the_fat_magic_is_not_go()
    {
        var cls = new byte[] { 0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x34, 0x00, 0x1D, 0x0A, 0x00, 0x06, 0x00, 0x0F, 0x09 }.Concat(new byte[200]).ToArray();
        var report = Analyze(cls);
        Assert.Equal(GoCryptoModule.NotGo, report.CryptoModule);
        Assert.Equal(CheckStatus.NotApplicable, report.Status);
    }

    [Fact]
    public void Gofips140_v1_0_0_with_fips140_on_is_the_validated_module()
    {
        var report = Analyze(ElfWithInline("go1.24.4", Settings("CGO_ENABLED=0", "GOARCH=amd64", "GOFIPS140=v1.0.0-c2097c7c", "DefaultGODEBUG=fips140=on,tlsmlkem=0"),
            new[] { StandardMarker }));
        Assert.Equal(GoCryptoModule.GoFips140, report.CryptoModule);
        Assert.Equal(CheckStatus.Pass, report.Status);
        Assert.Equal("v1.0.0-c2097c7c", report.Fips140ModuleVersion);
        Assert.Contains("5247", report.Reason);
        Assert.Contains(report.Evidence, e => e.Source.EndsWith("build GOFIPS140", StringComparison.Ordinal) && e.Excerpt == "v1.0.0-c2097c7c");
    }

    [Fact]
    public void Gofips140_latest_is_a_warning()
    {
        var report = Analyze(ElfWithInline("go1.25.0", Settings("GOARCH=amd64", "GOFIPS140=latest", "DefaultGODEBUG=fips140=on")));
        Assert.Equal(GoCryptoModule.GoFips140, report.CryptoModule);
        Assert.Equal(CheckStatus.Warning, report.Status);
        Assert.Equal("latest", report.Fips140ModuleVersion);
        Assert.Contains("not a validated module", report.Reason);
    }

    [Fact]
    public void Fips140_off_in_default_godebug_is_not_fips()
    {
        var report = Analyze(ElfWithInline("go1.24.4", Settings("GOARCH=amd64", "GOFIPS140=v1.0.0-c2097c7c", "DefaultGODEBUG=fips140=off"), new[] { StandardMarker }));
        Assert.NotEqual(GoCryptoModule.GoFips140, report.CryptoModule);
        Assert.Equal(CheckStatus.Fail, report.Status);
        Assert.Contains("fips140=off", report.Reason);
    }

    [Fact]
    public void Strictfipsruntime_is_openssl_backed()
    {
        var report = Analyze(ElfWithInline("go1.23.10 (Red Hat 1.23.10-10.el9) X:strictfipsruntime", Settings("CGO_ENABLED=1", "GOARCH=amd64", "GOEXPERIMENT=strictfipsruntime")));
        Assert.Equal(GoCryptoModule.OpenSSLBacked, report.CryptoModule);
        Assert.Equal(CheckStatus.Warning, report.Status);
    }

    [Fact]
    public void A_go_section_without_a_readable_header_is_go_of_unknown_crypto()
    {
        var bytes = ElfWithInline("go1.22.0", Std);
        var at = FindHeader(bytes);
        bytes[at] = 0; // break the magic: the section still says Go
        var report = Analyze(bytes);
        Assert.True(report.IsGo);
        Assert.Equal(GoCryptoModule.Unknown, report.CryptoModule);
        Assert.Equal(CheckStatus.Error, report.Status);
    }

    [Fact]
    public void Unaligned_magic_is_ignored_and_the_aligned_one_used()
    {
        var info = InlineBuildInfo("go1.22.0", ModInfo(Std));
        var decoy = new byte[48];
        Magic.CopyTo(decoy, 3); // not 16-byte aligned
        var blob = decoy.Concat(info).ToArray();
        var bytes = Elf(true, false, 62, new[]
        {
            new ElfSection(".text", 1, ShfAlloc | ShfExec, _ => Text(StandardMarker), Text(StandardMarker).Length),
            new ElfSection(".go.buildinfo", 1, ShfAlloc | ShfWrite, _ => blob, blob.Length),
        });
        Assert.Equal("go1.22.0", Analyze(bytes).GoVersion);
    }

    [Fact]
    public void Without_section_headers_the_writable_segment_and_executable_segment_are_used()
    {
        var info = InlineBuildInfo("go1.21.3", ModInfo(Std));
        var text = Text(StandardMarker);
        var bytes = Elf(true, false, 62, new[]
        {
            new ElfSection(".text", 1, ShfAlloc | ShfExec, _ => text, text.Length),
            new ElfSection(".data", 1, ShfAlloc | ShfWrite, _ => info, info.Length),
        }, sectionHeaders: false);
        var report = Analyze(bytes);
        Assert.Equal("go1.21.3", report.GoVersion);
        Assert.Equal(GoCryptoModule.Standard, report.CryptoModule);
        Assert.Equal(new[] { "StandardCrypto" }, report.Markers);
    }

    [Fact]
    public void Boring_claim_on_arm64_stripped_cannot_be_confirmed_and_says_so()
    {
        var report = Analyze(ElfWithInline("go1.22.5 X:boringcrypto", Settings("CGO_ENABLED=1", "GOARCH=arm64", "GOEXPERIMENT=boringcrypto"), machine: 183));
        Assert.Equal(GoCryptoModule.BoringCrypto, report.CryptoModule);
        Assert.Equal(CheckStatus.Warning, report.Status);
        Assert.Contains("cannot be confirmed", report.Reason);
    }

    [Fact]
    public void Boring_symbols_confirm_on_arm64()
    {
        var report = Analyze(ElfWithInline("go1.22.5 X:boringcrypto", Settings("CGO_ENABLED=1", "GOARCH=arm64", "GOEXPERIMENT=boringcrypto"), machine: 183,
            symbols: new[] { "_cgo_abc_Cfunc__goboringcrypto_FIPS_mode", "crypto/internal/boring._Cfunc__goboringcrypto_FIPS_mode", "crypto/sha256.New" }));
        Assert.Equal(GoCryptoModule.BoringCrypto, report.CryptoModule);
        Assert.Equal(CheckStatus.Pass, report.Status);
        Assert.Equal(2, report.BoringSymbols);
    }

    [Fact]
    public void Non_go_elf_is_not_go()
    {
        var text = Text();
        var report = Analyze(Elf(true, false, 62, new[] { new ElfSection(".text", 1, ShfAlloc | ShfExec, _ => text, text.Length) }));
        Assert.False(report.IsGo);
        Assert.Equal(GoCryptoModule.NotGo, report.CryptoModule);
        Assert.Equal(CheckStatus.NotApplicable, report.Status);
        Assert.Equal("ELF", report.Format);
    }

    internal static int FindHeader(byte[] bytes)
    {
        for (var i = 0; i + Magic.Length <= bytes.Length; i += 16)
        {
            if (bytes.AsSpan(i, Magic.Length).SequenceEqual(Magic))
            {
                return i;
            }
        }
        throw new InvalidOperationException("no header");
    }
}
