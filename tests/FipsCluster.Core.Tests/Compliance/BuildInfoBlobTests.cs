using System.Globalization;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Testing;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>
/// The fact script sends a Go binary's build info by its real bounds (header + uvarint-prefixed version and modinfo),
/// not a fixed window: measured here by running the script's own shell function under dash on this machine's Go
/// binaries and on crafted headers, against the bounds .NET computes, and the verdicts against the old 64 KiB window.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuildInfoBlobTests : IDisposable
{
    private static readonly byte[] Magic = new byte[] { 0xFF, 0x20, 0x47, 0x6F, 0x20, 0x62, 0x75, 0x69, 0x6C, 0x64, 0x69, 0x6E, 0x66, 0x3A };
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-blob-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs the script's bw on (offset of "Go buildinf:", path) under dash with the given PATH; the bytes it printed.</summary>
    private byte[] Blob(long headerOffset, string path, string pathVariable = "/usr/local/bin:/usr/bin:/bin")
    {
        var output = Path.Combine(_dir, "blob");
        var script = ShellFactScript.BuildInfoBlobFunction + "\nbw \"$1\" \"$2\" > \"$3\"\n";
        var result = ProcessRunner.Run("/bin/dash", new[] { "-c", script, "bw", (headerOffset + 2).ToString(CultureInfo.InvariantCulture), path, output },
            environment: new Dictionary<string, string?> { ["PATH"] = pathVariable });
        Assert.True(result.ExitCode == 0, result.Error);
        return File.ReadAllBytes(output);
    }

    /// <summary>The blob's length as Go's debug/buildinfo reads it: the 32-byte header and two uvarint-prefixed strings.</summary>
    private static int ExpectedLength(byte[] file, int header)
    {
        var position = header + 32;
        for (var i = 0; i < 2; i++)
        {
            Assert.True(BuildInfoReader.TryUvarint(file.AsSpan(position), out var length, out var used));
            position += used + (int)length;
        }
        return position - header;
    }

    private static int HeaderOffset(byte[] file)
    {
        for (var at = file.AsSpan().IndexOf(Magic); at >= 0;)
        {
            if (at % 16 == 0)
            {
                return at;
            }
            var next = file.AsSpan(at + 1).IndexOf(Magic);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return -1;
    }

    private static string Verdict(string path, long offset, byte[] window)
    {
        var r = RemoteGoBinary.Judge(new RemoteBinaryFact(path, offset, window, Array.Empty<(long, string)>(), 0));
        return $"{r.Status} {r.CryptoModule} {r.GoVersion} {r.MainPath} {r.MainModule} {string.Join(",", r.Modules)} "
            + $"{string.Join(",", r.BuildSettings.Select(kv => kv.Key + "=" + kv.Value))} {r.Reason}";
    }

    public static TheoryData<string> MachineGoBinaries()
    {
        var data = new TheoryData<string>();
        foreach (var path in LinuxFactCatalog.ComponentBinaries.Append("/usr/lib/go/bin/go").Append("/usr/lib/go/bin/gofmt").Where(File.Exists).Distinct())
        {
            data.Add(path);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MachineGoBinaries))]
    public void A_real_go_binary_sends_exactly_its_build_info_and_is_judged_as_from_the_old_window(string path)
    {
        var file = File.ReadAllBytes(path);
        var header = HeaderOffset(file);
        Assert.True(header >= 0, $"{path} has no aligned .go.buildinfo header");

        var blob = Blob(header, path);

        Assert.Equal(ExpectedLength(file, header), blob.Length);
        Assert.True(file.AsSpan(header, blob.Length).SequenceEqual(blob));
        Assert.True(blob.Length < LinuxFactCatalog.BuildInfoFallbackWindow / 4, $"{path}: {blob.Length} bytes");
        var oldWindow = file.AsSpan(header, Math.Min(LinuxFactCatalog.BuildInfoFallbackWindow, file.Length - header)).ToArray();
        Assert.Equal(Verdict(path, header, oldWindow), Verdict(path, header, blob));
    }

    /// <summary>A crafted inline header at <paramref name="header"/> with a version and a modinfo of the given sizes.</summary>
    private string Crafted(int header, int modInfoLength, byte flags = 2, int tail = 100_000)
    {
        var version = "go1.22.4"u8.ToArray();
        var mod = new byte[modInfoLength];
        // modinfo is sentinel-wrapped text: 16 bytes, "path\t...\n", padding, 16 bytes.
        var text = "path\texample.com/big\nmod\texample.com/big\t(devel)\t\n"u8.ToArray();
        text.CopyTo(mod, 16);
        for (var i = 16 + text.Length; i < modInfoLength - 17; i++)
        {
            mod[i] = (byte)'\n';
        }
        var bytes = new List<byte>(new byte[header]);
        bytes.AddRange(Magic);
        bytes.Add(8);
        bytes.Add(flags);
        bytes.AddRange(new byte[16]);
        void Uvarint(int value)
        {
            var v = (uint)value;
            while (v >= 0x80)
            {
                bytes.Add((byte)(v | 0x80));
                v >>= 7;
            }
            bytes.Add((byte)v);
        }
        Uvarint(version.Length);
        bytes.AddRange(version);
        Uvarint(modInfoLength);
        bytes.AddRange(mod);
        bytes.AddRange(Enumerable.Repeat((byte)0xAB, tail));
        var path = Path.Combine(_dir, $"crafted-{modInfoLength}-{flags}");
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    [Fact]
    public void A_modinfo_larger_than_the_old_window_is_sent_whole_and_read()
    {
        var path = Crafted(4096, 70_000);
        var blob = Blob(4096, path);
        Assert.Equal(32 + 1 + 8 + 3 + 70_000, blob.Length);
        Assert.DoesNotContain("does not fit", Verdict(path, 4096, blob), StringComparison.Ordinal);
        // The old fixed window could not hold it.
        var old = File.ReadAllBytes(path).AsSpan(4096, LinuxFactCatalog.BuildInfoFallbackWindow).ToArray();
        Assert.Contains("does not fit", Verdict(path, 4096, old), StringComparison.Ordinal);
    }

    [Fact]
    public void The_pointer_form_sends_only_the_header()
    {
        var path = Crafted(512, 300, flags: 0);
        var blob = Blob(512, path);
        Assert.Equal(32, blob.Length);
        Assert.Contains("pointer-form", Verdict(path, 512, blob), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_od_on_the_node_the_fixed_window_is_sent_and_still_read()
    {
        var bin = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in new[] { "tail", "head" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), "/usr/bin/" + tool);
        }
        var path = Crafted(1024, 500);
        var blob = Blob(1024, path, bin);
        Assert.Equal(LinuxFactCatalog.BuildInfoFallbackWindow, blob.Length);
        Assert.Equal(Verdict(path, 1024, Blob(1024, path)), Verdict(path, 1024, blob));
    }

    [Fact]
    public void A_length_past_the_limit_or_past_the_end_falls_back_to_the_fixed_window()
    {
        var huge = Crafted(0, 200, tail: 10);
        var bytes = File.ReadAllBytes(huge);
        // The modinfo length uvarint (after the header and the 1 + 8 bytes of the version) claims 2 MiB.
        bytes[32 + 1 + 8] = 0x80;
        bytes[32 + 1 + 8 + 1] = 0x80;
        bytes[32 + 1 + 8 + 2] = 0x80;
        bytes[32 + 1 + 8 + 3] = 0x01;
        File.WriteAllBytes(huge, bytes);
        Assert.Equal(bytes.Length, Blob(0, huge).Length); // the fixed window, cut at the end of the file
        Assert.Contains("does not fit", Verdict(huge, 0, Blob(0, huge)), StringComparison.Ordinal);

        var cut = Path.Combine(_dir, "cut");
        File.WriteAllBytes(cut, File.ReadAllBytes(Crafted(0, 300)).AsSpan(0, 40).ToArray());
        Assert.Equal(40, Blob(0, cut).Length);
    }
}
