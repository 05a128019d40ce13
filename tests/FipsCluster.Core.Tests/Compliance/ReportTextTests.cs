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
        // The OS and the profile's hash are kept once too, and say what a report judged alone says.
        Assert.Same(a.Os, b.Os);
        Assert.Equal(alone.Os!.ToString(), a.Os!.ToString());
        Assert.Equal((alone.Os.Id, alone.Os.VersionId, alone.Os.Family, alone.Os.Kernel), (a.Os.Id, a.Os.VersionId, a.Os.Family, a.Os.Kernel));
        Assert.Same(a.ProfileHash, b.ProfileHash);
        Assert.Equal(Judgement.ProfileHash(ComplianceProfiles.Default), a.ProfileHash);
        Assert.Equal(alone.ProfileHash, a.ProfileHash);
        Assert.Empty(a.Errors);
    }

    [Fact]
    public void Nodes_with_different_systems_keep_their_own()
    {
        var text = new ReportText();
        NodeComplianceReport Node(string name, string osRelease)
        {
            var facts = new NodeFacts(NodeTransport.Local, offline: false);
            facts.AddFile(new FileFact("/etc/os-release", FileFactState.Present, System.Text.Encoding.UTF8.GetBytes(osRelease)));
            return NodeComplianceEvaluator.Evaluate(facts, ComplianceProfiles.Default, name, TimeSpan.Zero, text);
        }
        var rhel = Node("a", "ID=rhel\nVERSION_ID=9.4\n");
        var ubuntu = Node("b", "ID=ubuntu\nVERSION_ID=22.04\n");
        var rhelToo = Node("c", "ID=rhel\nVERSION_ID=9.4\n");
        Assert.Equal(("rhel", "9.4"), (rhel.Os!.Id, rhel.Os.VersionId));
        Assert.Equal(("ubuntu", "22.04"), (ubuntu.Os!.Id, ubuntu.Os.VersionId));
        Assert.Same(rhel.Os, rhelToo.Os);
        Assert.NotSame(rhel.Os, ubuntu.Os);
    }
}
