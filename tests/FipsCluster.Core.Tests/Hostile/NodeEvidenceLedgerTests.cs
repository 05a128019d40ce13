using FipsCluster.Core.Providers.Kubernetes;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>K8S-NODE-01's ledger: a report is credited to a node only when it is that node's own, never by count.</summary>
public sealed class NodeEvidenceLedgerTests
{
    private static NodeComplianceReport Report(string name, bool compliant = true) => new() { ComputerName = name, Compliant = compliant, Status = compliant ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant };

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5")]
    [InlineData("10.0.0.5", "::ffff:10.0.0.5")]
    [InlineData("10.0.0.5", "[::ffff:10.0.0.5]")]
    [InlineData("fd00::5", "FD00:0:0::5")]
    [InlineData("fd00::5", "fd00::5%eth0")]
    [InlineData("ip-10-0-0-5.ec2.internal", "IP-10-0-0-5.EC2.INTERNAL.")]
    public void Two_spellings_of_one_address_are_one_claim_scanned_once_and_credited_to_neither(string first, string second)
    {
        var ledger = new NodeEvidenceLedger();
        ledger.AddNode("node-0");
        ledger.AddNode("node-1");
        Assert.Equal(first, ledger.Claim("node-0", "InternalIP", first, first));
        Assert.Null(ledger.Claim("node-1", "InternalIP", second, second)); // not scanned again
        var credited = ledger.Credit(new[] { Report(first) }, byAddress: true);
        Assert.All(credited, n =>
        {
            Assert.Null(n.Report);
            Assert.False(n.Compliant);
            Assert.NotNull(n.Conflict);
        });
        Assert.Contains("is also reported by node-1", credited[0].Problem);
        Assert.Contains("is also reported by node-0", credited[1].Problem);
    }

    [Fact]
    public void Distinct_addresses_are_each_credited_with_their_own_report_and_a_failing_one_stays_failing()
    {
        var ledger = new NodeEvidenceLedger();
        foreach (var (node, address) in new[] { ("node-0", "10.0.0.5"), ("node-1", "10.0.0.6"), ("node-2", "10.0.0.7") })
        {
            ledger.AddNode(node);
            Assert.Equal($"{address}:2222", ledger.Claim(node, "InternalIP", address, $"{address}:2222"));
        }
        var credited = ledger.Credit(new[] { Report("10.0.0.7:2222", compliant: false), Report("10.0.0.5:2222") }, byAddress: true);
        Assert.True(credited[0].Compliant);
        Assert.True(credited[1].Missing); // its host did not report: never a pass
        Assert.False(credited[2].Compliant);
        Assert.Equal("10.0.0.7:2222", credited[2].Report!.ComputerName);
    }

    [Fact]
    public void By_pods_a_node_is_credited_only_with_one_report_of_its_own_name()
    {
        var ledger = new NodeEvidenceLedger();
        Assert.True(ledger.AddNode("node-0"));
        Assert.True(ledger.AddNode("node-1"));
        Assert.True(ledger.AddNode("node-2"));
        Assert.False(ledger.AddNode("node-2")); // listed twice
        var credited = ledger.Credit(new[] { Report("node-0"), Report("node-0"), Report("node-2"), Report("node-9") }, byAddress: false);
        Assert.Equal(new[] { "node-0", "node-1", "node-2" }, credited.Select(n => n.Node));
        Assert.Contains("2 reports claim node node-0", credited[0].Problem);
        Assert.True(credited[1].Missing);
        Assert.Contains("listed more than once", credited[2].Problem);
        Assert.DoesNotContain(credited, n => n.Compliant);
    }
}
