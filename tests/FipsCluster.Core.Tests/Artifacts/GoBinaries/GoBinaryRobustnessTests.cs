using System.Diagnostics;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;
using static FipsCluster.Core.Tests.Artifacts.GoBinaries.SyntheticBinaries;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>Hostile and broken files: every one yields a report (never an exception, never a hang).</summary>
[Collection(GoToolchainCollection.Name)]
public sealed class GoBinaryRobustnessTests(GoToolchainFixture go) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-gorob-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(byte[] bytes, string name = "f")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Zero_length_file_is_not_go()
    {
        var report = GoBinaryAnalyzer.Analyze(Write(Array.Empty<byte>()));
        Assert.Equal(GoCryptoModule.NotGo, report.CryptoModule);
        Assert.Equal(CheckStatus.NotApplicable, report.Status);
        Assert.Contains("empty", report.Reason);
    }

    [Fact]
    public void Text_file_is_not_go()
    {
        var report = GoBinaryAnalyzer.Analyze(Write("#!/bin/sh\necho hello\n"u8.ToArray()));
        Assert.False(report.IsGo);
        Assert.Equal(CheckStatus.NotApplicable, report.Status);
        Assert.Equal("Unknown", report.Format);
    }

    [Fact]
    public void Missing_file_and_directory_are_errors()
    {
        var missing = GoBinaryAnalyzer.Analyze(Path.Combine(_dir, "nope"));
        Assert.Equal(CheckStatus.Error, missing.Status);
        Assert.False(string.IsNullOrEmpty(missing.Reason));
        Assert.Equal(CheckStatus.Error, GoBinaryAnalyzer.Analyze(_dir).Status);
    }

    [SkippableFact]
    public void Fifo_does_not_block()
    {
        Skip.IfNot(OperatingSystem.IsLinux());
        var fifo = Path.Combine(_dir, "fifo");
        using (var p = Process.Start("mkfifo", fifo))
        {
            p.WaitForExit();
        }
        var task = Task.Run(() => GoBinaryAnalyzer.Analyze(fifo));
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "analyzing a FIFO hung");
        Assert.False(task.Result.IsGo);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(17)]
    [InlineData(63)]
    public void Truncated_headers_are_reported(int length)
    {
        foreach (var full in new[] { ElfWithInline("go1.22.0", "build\tGOARCH=amd64\n"), Pe("go1.22.0", ""), MachO("go1.22.0", "") })
        {
            var report = GoBinaryAnalyzer.Analyze(Write(full[..Math.Min(length, full.Length)]));
            Assert.False(report.IsGo && report.Status == CheckStatus.Pass);
            Assert.False(string.IsNullOrEmpty(report.Reason));
        }
    }

    [Fact]
    public void Random_bytes_are_not_go()
    {
        var random = new Random(7);
        for (var i = 0; i < 50; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            var report = GoBinaryAnalyzer.Analyze(Write(bytes, "r" + i));
            Assert.False(report.IsGo && report.Status == CheckStatus.Pass, report.Reason);
        }
    }

    [Fact]
    public void Varint_length_past_the_end_is_an_error()
    {
        var bytes = ElfWithInline("go1.22.0", "build\tGOARCH=amd64\n");
        var at = SyntheticBinaryTests.FindHeader(bytes) + 32;
        // length 0x0fffffff as a uvarint
        new byte[] { 0xFF, 0xFF, 0xFF, 0x7F }.CopyTo(bytes, at);
        var report = GoBinaryAnalyzer.Analyze(Write(bytes));
        Assert.True(report.IsGo);
        Assert.Equal(CheckStatus.Error, report.Status);
        Assert.Contains("past the end", report.Reason);
    }

    [Fact]
    public void Varint_longer_than_ten_bytes_is_an_error()
    {
        var bytes = ElfWithInline("go1.22.0" + new string('x', 16), "build\tGOARCH=amd64\n");
        var at = SyntheticBinaryTests.FindHeader(bytes) + 32;
        for (var i = 0; i < 11; i++)
        {
            bytes[at + i] = 0x80;
        }
        var report = GoBinaryAnalyzer.Analyze(Write(bytes));
        Assert.Equal(CheckStatus.Error, report.Status);
        Assert.Contains("uvarint", report.Reason);
    }

    [Fact]
    public void Huge_counts_and_offsets_in_headers_are_survived()
    {
        var bytes = ElfWithInline("go1.22.0", "build\tGOARCH=amd64\n");
        // e_phoff, e_shoff far past the end; e_phnum/e_shnum at maximum.
        BitConverter.GetBytes(0x7FFF_FFFF_FFFF_FFF0UL).CopyTo(bytes, 32);
        BitConverter.GetBytes(ulong.MaxValue).CopyTo(bytes, 40);
        BitConverter.GetBytes((ushort)0xFFFF).CopyTo(bytes, 56);
        BitConverter.GetBytes((ushort)0xFFFF).CopyTo(bytes, 60);
        var report = GoBinaryAnalyzer.Analyze(Write(bytes));
        Assert.False(report.IsGo);
        Assert.False(string.IsNullOrEmpty(report.Reason));
    }

    /// <summary>≥ 10,000 mutated copies of a real Go binary (or, without go, of a synthetic one): bit flips, truncations, spliced ranges, corrupted header fields.</summary>
    [Fact]
    public void Fuzzed_binaries_always_yield_a_report_quickly()
    {
        var seeds = new List<byte[]>
        {
            ElfWithInline("go1.22.0 X:boringcrypto", Settings("CGO_ENABLED=1", "GOARCH=amd64", "GOEXPERIMENT=boringcrypto", "-ldflags=\"-X a=b\""), new[] { BoringMarker }, new[] { "_cgo_Cfunc__goboringcrypto_x" }),
            ElfWithPointerForm("go1.16.15b7", ModInfo(Settings())),
            ElfWithPointerForm("go1.17", ModInfo(Settings()), is64: false, bigEndian: true),
            Pe("go1.22.0", Settings("GOARCH=amd64"), new[] { StandardMarker }),
            MachO("go1.22.0", Settings("GOARCH=amd64"), new[] { StandardMarker }),
            Fat(MachO("go1.22.0", Settings()), MachO("go1.21.0", Settings())),
        };
        // The real binary is the main seed: 10,000 mutations of it, plus 3,000 of the synthetic containers.
        var real = go.Unavailable is null ? File.ReadAllBytes(go["nocrypto-stripped"]) : null;
        var random = new Random(20261123);
        var statuses = Enum.GetValues<CheckStatus>().ToHashSet();
        var modules = Enum.GetValues<GoCryptoModule>().ToHashSet();
        var watch = Stopwatch.StartNew();
        var path = Path.Combine(_dir, "fuzz");
        var iterations = real is null ? 10_000 : 13_000;
        var histogram = new Dictionary<CheckStatus, int>();
        for (var i = 0; i < iterations; i++)
        {
            var seed = real is not null && i < 10_000 ? real : seeds[i % seeds.Count];
            var bytes = Mutate(random, seed);
            // Overwrite in place (no truncate-and-reallocate per iteration): most of the run is then analysis.
            using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1 << 16))
            {
                stream.Write(bytes);
                stream.SetLength(bytes.Length);
            }
            GoBinaryReport report;
            try
            {
                report = GoBinaryAnalyzer.Analyze(path);
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i}: {ex}");
                return;
            }
            Assert.Contains(report.Status, statuses);
            Assert.Contains(report.CryptoModule, modules);
            Assert.False(string.IsNullOrEmpty(report.Reason), $"iteration {i}: empty reason");
            histogram[report.Status] = histogram.GetValueOrDefault(report.Status) + 1;
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{iterations} analyses took {watch.Elapsed}");
        Assert.True(histogram.Count >= 3, string.Join(", ", histogram));
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        var rounds = random.Next(1, 4);
        for (var r = 0; r < rounds; r++)
        {
            switch (random.Next(7))
            {
                case 6: // an ELF section or program header entry
                    if (bytes.Length >= 64 && bytes[0] == 0x7F && bytes[4] == 2)
                    {
                        var table = random.Next(2) == 0 ? BitConverter.ToUInt64(bytes, 40) : BitConverter.ToUInt64(bytes, 32);
                        var entries = (ulong)random.Next(0, 40);
                        var at = table + entries * 64 + (ulong)random.Next(0, 64);
                        if (at + 8 <= (ulong)bytes.Length)
                        {
                            BitConverter.GetBytes(random.Next(3) == 0 ? ulong.MaxValue : (ulong)random.NextInt64()).CopyTo(bytes, (int)at);
                        }
                    }
                    break;
                case 0: // bit flips
                    for (var k = random.Next(1, 16); k > 0; k--)
                    {
                        var at = random.Next(bytes.Length);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }
                    break;
                case 1: // truncation
                    bytes = bytes[..random.Next(bytes.Length + 1)];
                    if (bytes.Length == 0)
                    {
                        return bytes;
                    }
                    break;
                case 2: // splice a range from elsewhere
                    {
                        var len = random.Next(1, Math.Min(4096, bytes.Length) + 1);
                        var from = random.Next(bytes.Length - len + 1);
                        var to = random.Next(bytes.Length - len + 1);
                        Array.Copy(bytes, from, bytes, to, len);
                        break;
                    }
                case 3: // header fields: overwrite a word in the first 256 bytes with an extreme value
                    {
                        var at = random.Next(Math.Max(1, Math.Min(256, bytes.Length) - 8));
                        var value = random.Next(4) switch { 0 => ulong.MaxValue, 1 => 0UL, 2 => (ulong)random.NextInt64(), _ => 0x7FFFFFF0UL };
                        var width = new[] { 1, 2, 4, 8 }[random.Next(4)];
                        for (var k = 0; k < width && at + k < bytes.Length; k++)
                        {
                            bytes[at + k] = (byte)(value >> (8 * k));
                        }
                        break;
                    }
                case 4: // corrupt around the build info header
                    {
                        var at = IndexOfMagic(bytes);
                        if (at >= 0)
                        {
                            var target = at + random.Next(0, 64);
                            if (target < bytes.Length)
                            {
                                bytes[target] = (byte)random.Next(256);
                            }
                        }
                        break;
                    }
                default: // random tail growth
                    {
                        var extra = new byte[random.Next(1, 512)];
                        random.NextBytes(extra);
                        bytes = bytes.Concat(extra).ToArray();
                        break;
                    }
            }
        }
        return bytes;
    }

    private static int IndexOfMagic(byte[] bytes) => bytes.AsSpan().IndexOf(Magic);
}
