using System.IO.Compression;
using System.Text;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Providers;
using k8s;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 19: node-check pods compress their output. What a node sends is controlled by whoever controls the node, so
/// a compressed log that inflates without end (a decompression bomb) is that node's NodeOutputTooLarge after one node's
/// worth of bytes — never the scanner's memory — and one that is not base64 of gzip is that node's malformed facts.
/// </summary>
public sealed class CompressedPodLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-bomb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The envelope around gzip of <paramref name="zeros"/> zero bytes (256 MiB deflate to a quarter MiB).</summary>
    private static byte[] Bomb(long zeros)
    {
        var gzip = new MemoryStream();
        using (var deflate = new GZipStream(gzip, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var chunk = new byte[1 << 20];
            for (long written = 0; written < zeros; written += chunk.Length)
            {
                deflate.Write(chunk);
            }
        }
        return Encoding.ASCII.GetBytes($"{PodFactsLog.CompressedStart}\n{Convert.ToBase64String(gzip.ToArray(), Base64FormattingOptions.InsertLineBreaks)}\n{PodFactsLog.CompressedEnd}\n");
    }

    [Fact]
    public void A_decompression_bomb_stops_after_one_nodes_facts_with_memory_to_match()
    {
        var log = Bomb(256L << 20);
        Assert.True(log.Length < 1 << 20, $"{log.Length} bytes"); // what the API relays is small: only inflating is the danger
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<FipsClusterException>(() => PodFactsLog.Text(log, "node-7"));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(ErrorIds.NodeOutputTooLarge, error.ErrorId);
        Assert.Equal("node-7: its pod log, decompressed, exceeded 16 MiB, the most the module reads from one node; it was not judged and the read was stopped.", error.Message);
        Assert.True(allocated < 3L * NodeReadLimits.FactsBytes, $"{allocated >> 20} MiB allocated"); // not the 256 MiB it inflates to
    }

    [Theory]
    [InlineData("@@FC z\n!!! not base64 !!!\n@@FC zend\n")]
    [InlineData("@@FC z\nbm90IGd6aXA=\n@@FC zend\n")] // base64 of "not gzip"
    public void A_compressed_log_that_is_not_base64_of_gzip_is_that_nodes_malformed_facts(string log)
    {
        var error = Assert.Throws<FipsClusterException>(() => PodFactsLog.Text(Encoding.ASCII.GetBytes(log), "node-3"));
        Assert.Equal(ErrorIds.NodeFactsMalformed, error.ErrorId);
        Assert.StartsWith("node-3: its compressed pod log is not base64 of gzip", error.Message);
    }

    [SkippableFact]
    public async Task A_pod_that_prints_a_decompression_bomb_is_its_nodes_NodeOutputTooLarge_and_the_other_nodes_are_judged()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the stub runs the pods' commands with /bin/sh");
        var bomb = Path.Combine(_dir, "bomb.log");
        await File.WriteAllBytesAsync(bomb, Bomb(64L << 20));
        using var api = new KubernetesApiStub();
        using var client = KubernetesStubClient.Create(api);
        api.NodeRunner = (index, command) => index == 1 ? new[] { "/bin/sh", "-c", "cat \"$1\"", "fc", bomb } : command;

        var report = await KubernetesClusterCompliance.TestAsync(client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default) { DaemonSet = new DaemonSetNodeCheck(DaemonSetNodeProbe.DefaultImage, TimeSpan.FromSeconds(60)) }, OperationContext.None);

        var bombed = report.Nodes.Single(n => n.ComputerName == "node-1");
        Assert.Equal(ComplianceStatus.Error, bombed.Status);
        Assert.Equal(ErrorIds.NodeOutputTooLarge, bombed.ErrorId);
        Assert.Equal("node-1: its pod log, decompressed, exceeded 16 MiB, the most the module reads from one node; it was not judged and the read was stopped.", Assert.Single(bombed.Errors));
        Assert.All(report.Nodes.Where(n => n.ComputerName != "node-1"), n =>
        {
            Assert.NotEqual(ComplianceStatus.Error, n.Status);
            Assert.Empty(n.Errors);
        });
        Assert.Empty(api.LiveNamespaces);
    }
}
