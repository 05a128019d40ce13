using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>A fleet's reports keep each distinct text once; what a report says is unchanged, and a kept list cannot be changed through one report.</summary>
public sealed class ReportTextTests
{
    [Fact]
    public void Equal_texts_and_evidence_lists_are_kept_once_and_read_only()
    {
        var text = new ReportText();
        var first = text.Of(new string('x', 3) + "yz");
        Assert.Same(first, text.Of("xxx" + "yz"));
        Assert.Equal("xxxyz", first);

        var evidence = text.Of(new[] { new CheckEvidence("/etc/ssl/openssl.cnf", "fips = fips_sect"), new CheckEvidence("/proc/cmdline", null) });
        Assert.Same(evidence, text.Of(new[] { new CheckEvidence("/etc/ssl/openssl.cnf", "fips = fips_sect"), new CheckEvidence("/proc/cmdline", null) }));
        Assert.NotSame(evidence, text.Of(new[] { new CheckEvidence("/etc/ssl/openssl.cnf", "fips = fips_sect"), new CheckEvidence("/proc/cmdline", "fips=1") }));
        Assert.Throws<NotSupportedException>(() => ((IList<CheckEvidence>)evidence)[0] = new CheckEvidence("planted", "by one report"));
    }

    [Fact]
    public void Two_nodes_with_the_same_facts_get_the_same_report_but_for_their_names_sharing_its_text()
    {
        var facts = new NodeFacts(NodeTransport.Local, offline: false);
        facts.AddFile(new FileFact("/proc/sys/crypto/fips_enabled", FileFactState.Present, "0\n"u8.ToArray()));
        var text = new ReportText();
        var a = NodeComplianceEvaluator.Evaluate(facts, ComplianceProfiles.Default, "a", TimeSpan.Zero, text);
        var b = NodeComplianceEvaluator.Evaluate(facts, ComplianceProfiles.Default, "b", TimeSpan.Zero, text);
        var alone = NodeComplianceEvaluator.Evaluate(facts, ComplianceProfiles.Default, "a", TimeSpan.Zero);
        Assert.Equal(alone.Checks.Select(c => $"{c.CheckId} {c.Status} {c.Actual} {string.Join("|", c.Evidence)} {c.Remediation}"),
            a.Checks.Select(c => $"{c.CheckId} {c.Status} {c.Actual} {string.Join("|", c.Evidence)} {c.Remediation}"));
        Assert.All(a.Checks.Zip(b.Checks), pair =>
        {
            Assert.Same(pair.First.Actual, pair.Second.Actual);
            Assert.Same(pair.First.Evidence, pair.Second.Evidence);
            Assert.Equal("a", pair.First.Target);
            Assert.Equal("b", pair.Second.Target);
        });
    }
}
