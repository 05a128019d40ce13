using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Remoting;

/// <summary>How the scanner takes SSH nodes: with their login, checked before the node is started.</summary>
public sealed class NodeScannerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-scanner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<List<NodeScanResult>> Drain(NodeScanner scanner)
    {
        scanner.Complete();
        var results = new List<NodeScanResult>();
        await foreach (var result in scanner.Results.ReadAllAsync())
        {
            results.Add(result);
        }
        return results;
    }

    [Fact]
    public async Task A_bad_key_throws_when_the_first_SSH_node_is_added_and_no_node_is_started()
    {
        var key = Path.Combine(_dir, "bad_key");
        File.WriteAllText(key, "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n");
        var ssh = new SshOptions { Login = new SshLogin { UserName = "u", KeyFilePath = key }, KnownHostsPath = Path.Combine(_dir, "known_hosts") };
        var scanner = new NodeScanner(ComplianceProfiles.Default, 4, TimeSpan.FromSeconds(5), OperationContext.None);

        var error = Assert.Throws<FipsClusterException>(() => scanner.AddSsh("127.0.0.1:1", 22, ssh));
        Assert.Equal(ErrorIds.SshKeyFileInvalid, error.ErrorId);
        Assert.Equal(0, scanner.Submitted);
        Assert.Empty(await Drain(scanner));
    }

    [Fact]
    public async Task A_node_that_cannot_be_examined_gets_an_Error_report_with_the_reason()
    {
        var scanner = new NodeScanner(ComplianceProfiles.Default, 4, TimeSpan.FromSeconds(5), OperationContext.None);
        scanner.AddUnavailable("10.0.0.9", NodeTransport.Ssh, new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument, "10.0.0.9: no SSH key", "10.0.0.9"));

        var result = Assert.Single(await Drain(scanner));
        Assert.Equal("10.0.0.9", result.Report.ComputerName);
        Assert.Equal(NodeTransport.Ssh, result.Report.Transport);
        Assert.Equal(ComplianceStatus.Error, result.Report.Status);
        Assert.False(result.Report.Compliant);
        Assert.Equal(ErrorIds.SshKeyFileInvalid, result.Report.ErrorId);
        Assert.Equal(ErrorIds.SshKeyFileInvalid, result.Error?.ErrorId);
    }
}
