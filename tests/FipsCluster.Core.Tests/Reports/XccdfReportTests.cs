using System.Xml.Linq;
using FipsCluster.Core.Compliance.Reports;
using Xunit;

namespace FipsCluster.Core.Tests.Reports;

/// <summary>The XCCDF export passes OpenSCAP's own validation (schema and Schematron) and references only Rules it defines.</summary>
public sealed class XccdfReportTests
{
    private static readonly XNamespace Xccdf = XccdfReportWriter.Namespace;

    private static IReadOnlyList<object> Mixed() => ReportFleet.Nodes(40).Cast<object>().Concat(ReportFleet.Artifacts()).Append(ReportFleet.Cluster()).ToList();

    [SkippableFact]
    public void Oscap_xccdf_validate_accepts_it()
    {
        var oscap = ReportTools.Require("oscap", "openscap-scanner");
        var file = Path.Combine(Directory.CreateTempSubdirectory("fc-xccdf-").FullName, "results.xml");
        try
        {
            File.WriteAllText(file, ReportTools.Export(ComplianceReportFormat.Xccdf, Mixed()));
            var (exit, output, error) = ReportTools.Run(oscap, new[] { "xccdf", "validate", file }, TimeSpan.FromMinutes(2));
            Assert.True(exit == 0, $"oscap exited {exit}:\n{output}\n{error}");
            Assert.DoesNotContain("Error", output + error, StringComparison.Ordinal);

            // The validator is real: a rule-result that references no Rule of the Benchmark is refused.
            var broken = File.ReadAllText(file).Replace("idref=\"xccdf_io.github.fipscluster_rule_LNX-FIPS-01\"", "idref=\"xccdf_io.github.fipscluster_rule_NOSUCH-01\"", StringComparison.Ordinal);
            File.WriteAllText(file, broken);
            var refused = ReportTools.Run(oscap, new[] { "xccdf", "validate", file }, TimeSpan.FromMinutes(2));
            Assert.NotEqual(0, refused.ExitCode);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public void Rules_are_the_checks_and_each_target_has_a_TestResult_with_statuses_mapped()
    {
        var reports = Mixed();
        var set = ComplianceReportSet.From(reports);
        var benchmark = XDocument.Parse(ReportTools.Export(ComplianceReportFormat.Xccdf, reports)).Root!;
        var rules = benchmark.Elements(Xccdf + "Rule").Select(r => (string)r.Attribute("id")!).ToHashSet();
        Assert.Equal(set.Targets.SelectMany(t => t.Checks).Select(c => XccdfReportWriter.RuleId(c.CheckId)).ToHashSet(), rules);
        Assert.All(rules, id => Assert.Matches("^xccdf_[^_]+_rule_.+$", id));
        var results = benchmark.Elements(Xccdf + "TestResult").ToList();
        Assert.Equal(set.Targets.Count, results.Count);
        Assert.Equal(results.Count, results.Select(r => (string)r.Attribute("id")!).Distinct().Count());
        foreach (var target in set.Targets.Where(t => t.Checks.Count > 0))
        {
            var result = Assert.Single(results, r => (string?)r.Element(Xccdf + "target") == target.DisplayName);
            foreach (var check in target.Checks)
            {
                var ruleResult = Assert.Single(result.Elements(Xccdf + "rule-result"), r => (string)r.Attribute("idref")! == XccdfReportWriter.RuleId(check.CheckId));
                var expected = check.Status switch
                {
                    CheckStatus.Pass or CheckStatus.Warning => "pass",
                    CheckStatus.Fail => "fail",
                    CheckStatus.Error => "error",
                    CheckStatus.Unknown => "unknown",
                    CheckStatus.NotApplicable => "notapplicable",
                    _ => "informational",
                };
                Assert.Equal(expected, (string?)ruleResult.Element(Xccdf + "result"));
            }
        }
        // Every rule-result references a Rule of this Benchmark (what OpenSCAP's Schematron demands).
        Assert.All(results.SelectMany(r => r.Elements(Xccdf + "rule-result")), r => Assert.Contains((string)r.Attribute("idref")!, rules));
        // A node that could not be examined: every rule of its profile is error.
        var unreachable = set.Targets.First(t => t.Checks.Count == 0);
        var errors = Assert.Single(results, r => (string?)r.Element(Xccdf + "target") == unreachable.DisplayName).Elements(Xccdf + "rule-result").ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, r => Assert.Equal("error", (string?)r.Element(Xccdf + "result")));
    }
}
