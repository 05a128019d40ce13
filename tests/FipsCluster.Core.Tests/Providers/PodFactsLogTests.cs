using System.Security.Cryptography;
using System.Text;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Providers.Kubernetes;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// What a node-check pod prints, run for real on this host: the digests-only script and the compressed envelope give
/// the facts the plain sending script gives, in a fraction of the bytes.
/// </summary>
public sealed class PodFactsLogTests
{
    private static string Run(string script, params string[] before) =>
        Encoding.UTF8.GetString(BinarySet.Output(before.Concat(new[] { "/bin/sh", "-c", script }).ToList()));

    private static string Describe(RemoteBinaryFact b) =>
        $"{b.Path} @{b.BuildInfoOffset} {Convert.ToHexString(SHA256.HashData(b.BuildInfo))} {string.Join(",", b.Markers)} {b.BoringSymbols}";

    [Fact]
    public void The_digests_only_script_sends_no_window_and_with_the_windows_known_gives_the_facts_of_the_sending_script()
    {
        Assert.Contains(LinuxFactCatalog.ComponentBinaries, File.Exists); // CI installs dockerd and containerd
        var sent = ShellFactScript.Parse(Run(ShellFactScript.ScriptFor(FactScope.All, BuildInfoWindows.Send)), NodeTransport.KubernetesPod);
        var offerOutput = Run(ShellFactScript.ScriptFor(FactScope.All, BuildInfoWindows.Offer));
        Assert.DoesNotContain("@@FC bi ", offerOutput);
        Assert.Contains("@@FC bh ", offerOutput);
        // Shorter by the windows: a digest line replaces each "bi" line and its base64 body.
        var sendOutput = Run(ShellFactScript.ScriptFor(FactScope.All, BuildInfoWindows.Send));
        var windowText = sendOutput.Split("\n@@FC ").Where(b => b.StartsWith("bi ", StringComparison.Ordinal)).Sum(b => b.Length);
        Assert.True(windowText > 0);
        Assert.True(offerOutput.Length < sendOutput.Length - windowText + 100 * 64, $"{offerOutput.Length} against {sendOutput.Length} with {windowText} of windows");

        // The sending script's windows are hashed on arrival; with them known, the digests give the same binaries.
        var known = sent.ReceivedWindows.DistinctBy(w => w.Digest).ToDictionary(w => w.Digest, w => w.Bytes); // /usr/bin/runc is /usr/sbin/runc
        Assert.All(sent.ReceivedWindows, w => Assert.Equal(Convert.ToHexString(SHA256.HashData(w.Bytes)).ToLowerInvariant(), w.Digest));
        var offered = ShellFactScript.Parse(offerOutput, NodeTransport.KubernetesPod, "n", known.GetValueOrDefault, CancellationToken.None);
        Assert.Empty(offered.MissingWindows);
        Assert.Empty(offered.ReceivedWindows);
        Assert.Equal(sent.RemoteBinaries.Values.Select(Describe).Order(), offered.RemoteBinaries.Values.Select(Describe).Order());

        // Nothing known: every window is missing, by the digest the node offered, and no binary has one.
        var alone = ShellFactScript.Parse(offerOutput, NodeTransport.KubernetesPod, "n", _ => null, CancellationToken.None);
        Assert.Equal(known.Keys.Order(), alone.MissingWindows.Select(w => w.Digest).Distinct().Order());
        Assert.All(alone.RemoteBinaries.Values, b => Assert.Empty(b.BuildInfo));
    }

    [Fact]
    public void The_compressed_envelope_decodes_to_the_plain_output_and_a_node_without_gzip_prints_plain()
    {
        var script = ShellFactScript.ScriptFor(FactScope.All, BuildInfoWindows.Offer);
        var plain = ShellFactScript.Parse(Run(script), NodeTransport.KubernetesPod);
        var log = Encoding.ASCII.GetBytes(Run(PodFactsLog.Compressed(script)));
        Assert.StartsWith(PodFactsLog.CompressedStart + "\n", Encoding.ASCII.GetString(log));
        Assert.EndsWith("\n" + PodFactsLog.CompressedEnd + "\n", Encoding.ASCII.GetString(log));
        Assert.True(PodFactsLog.EndsInChunk(log, log.Length, 100));
        Assert.True(log.Length < 24 * 1024, $"{log.Length} bytes");
        var text = PodFactsLog.Text(log, "n");
        Assert.True(ShellFactScript.IsComplete(text));
        var decoded = ShellFactScript.Parse(text, NodeTransport.KubernetesPod);
        Assert.Equal(plain.Files.Keys.Order(), decoded.Files.Keys.Order());
        Assert.Equal(plain.RemoteBinaries.Keys.Order(), decoded.RemoteBinaries.Keys.Order());
        Assert.Equal(plain.MissingWindows.Select(w => w.Digest).Order(), decoded.MissingWindows.Select(w => w.Digest).Order());

        // gzip that does not work (here /bin/false mounted over it): the same script, plain.
        var gzip = new[] { "/usr/bin/gzip", "/bin/gzip" }.Select(p => new FileInfo(p).ResolveLinkTarget(true)?.FullName ?? p).First(File.Exists);
        var fallback = Run(PodFactsLog.Compressed(script), "unshare", "-m", "--propagation", "private", "/bin/sh", "-c", "mount --bind /bin/false \"$1\" && shift && exec \"$@\"", "fc", gzip);
        Assert.DoesNotContain(PodFactsLog.CompressedStart, fallback);
        Assert.True(ShellFactScript.IsComplete(PodFactsLog.Text(Encoding.UTF8.GetBytes(fallback), "n")));
        Assert.Equal(plain.Files.Keys.Order(), ShellFactScript.Parse(fallback, NodeTransport.KubernetesPod).Files.Keys.Order());
    }

    [Fact]
    public void Any_base64_wrapping_decodes_and_a_gzip_trailer_that_lies_about_the_length_changes_nothing()
    {
        var output = Run(ShellFactScript.ScriptFor(FactScope.Os));
        var gzip = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(gzip, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(Encoding.UTF8.GetBytes(output));
        }
        byte[] Log(byte[] body, int width)
        {
            var b64 = Convert.ToBase64String(body);
            var wrapped = string.Join("\r\n", Enumerable.Range(0, (b64.Length + width - 1) / width).Select(i => b64.Substring(i * width, Math.Min(width, b64.Length - i * width))));
            return Encoding.ASCII.GetBytes(PodFactsLog.CompressedStart + "\n" + wrapped + "\n" + PodFactsLog.CompressedEnd + "\n");
        }
        foreach (var width in new[] { 61, 76, 7, 100_000 })
        {
            Assert.Equal(output, PodFactsLog.Text(Log(gzip.ToArray(), width), "n"));
        }
        // ISIZE (the last 4 bytes) says 1 byte, then 2 GiB: the output is read whole all the same, or refused by the limit.
        foreach (var size in new[] { 1u, 0x80000000u })
        {
            var lying = gzip.ToArray();
            BitConverter.GetBytes(size).CopyTo(lying, lying.Length - 4);
            var ex = Record.Exception(() => PodFactsLog.Text(Log(lying, 76), "n"));
            // GZipStream checks ISIZE at the end: a lie is malformed data, never a wrong or oversized buffer.
            Assert.True(ex is null ? false : ((FipsClusterException)ex).ErrorId == ErrorIds.NodeFactsMalformed, ex?.ToString());
        }
        var truncated = gzip.ToArray()[..^20];
        // Cut short: what inflates is output that ended early, never complete (so never compliant).
        var cut = PodFactsLog.Text(Log(truncated, 76), "n");
        Assert.StartsWith(cut, output, StringComparison.Ordinal);
        Assert.False(ShellFactScript.IsComplete(cut));
        Assert.Equal(ErrorIds.NodeFactsMalformed, Assert.Throws<FipsClusterException>(() => PodFactsLog.Text(Encoding.ASCII.GetBytes(PodFactsLog.CompressedStart + "\nnot*base64!\n" + PodFactsLog.CompressedEnd + "\n"), "n")).ErrorId);
    }
}
