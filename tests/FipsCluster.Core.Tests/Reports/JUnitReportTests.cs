using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using FipsCluster.Core.Compliance.Reports;
using Xunit;

namespace FipsCluster.Core.Tests.Reports;

/// <summary>The JUnit export validates against Jenkins' xUnit junit-10.xsd (a copy in Fixtures/report-schemas) and maps statuses as documented.</summary>
public sealed class JUnitReportTests
{
    private static readonly string Schema = Path.Combine(AppContext.BaseDirectory, "Fixtures", "report-schemas", "junit-10.xsd");

    private static IReadOnlyList<object> Mixed() => ReportFleet.Nodes(40).Cast<object>().Concat(ReportFleet.Artifacts()).Append(ReportFleet.Cluster()).ToList();

    [Fact]
    public void Validates_against_the_xUnit_junit_10_schema()
    {
        var xml = ReportTools.Export(ComplianceReportFormat.JUnit, Mixed());
        var errors = Validate(xml);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)));
    }

    [Fact]
    public void The_schema_check_catches_a_broken_document()
    {
        // The validator is real: a testsuite without its required counts is refused.
        var broken = ReportTools.Export(ComplianceReportFormat.JUnit, ReportFleet.Nodes(2)).Replace(" failures=\"", " fails=\"", StringComparison.Ordinal);
        Assert.NotEmpty(Validate(broken));
    }

    [Fact]
    public void One_suite_per_target_one_case_per_check_with_statuses_mapped()
    {
        var reports = Mixed();
        var set = ComplianceReportSet.From(reports);
        var document = XDocument.Parse(ReportTools.Export(ComplianceReportFormat.JUnit, reports));
        var suites = document.Root!.Elements("testsuite").ToList();
        Assert.Equal(set.Targets.Count, suites.Count);
        foreach (var target in set.Targets)
        {
            var suite = Assert.Single(suites, s => (string?)s.Attribute("name") == target.DisplayName);
            var cases = suite.Elements("testcase").ToList();
            if (target.Checks.Count == 0)
            {
                var only = Assert.Single(cases);
                Assert.NotNull(only.Element("error"));
                Assert.Contains("connection refused", (string)only.Element("error")!.Attribute("message")!);
                continue;
            }
            Assert.Equal(target.Checks.Count, cases.Count);
            foreach (var check in target.Checks)
            {
                var testcase = Assert.Single(cases, c => ((string)c.Attribute("name")!).StartsWith(check.CheckId + " ", StringComparison.Ordinal));
                var expected = check.Status switch
                {
                    CheckStatus.Fail => "failure",
                    CheckStatus.Error or CheckStatus.Unknown => "error",
                    CheckStatus.NotApplicable => "skipped",
                    _ => null,
                };
                var outcome = testcase.Elements().Select(e => e.Name.LocalName).FirstOrDefault(n => n is "failure" or "error" or "skipped");
                Assert.Equal(expected, outcome);
                if (outcome is "failure" or "error")
                {
                    var message = (string)testcase.Element(outcome)!.Attribute("message")!;
                    Assert.Contains(check.Actual, message);
                    Assert.Contains(check.Remediation, message);
                }
            }
            Assert.Equal(target.Checks.Count(c => c.Status is CheckStatus.Fail).ToString(), (string)suite.Attribute("failures")!);
            Assert.Equal(target.Checks.Count(c => c.Status is CheckStatus.NotApplicable).ToString(), (string)suite.Attribute("skipped")!);
        }
    }

    private static List<string> Validate(string xml)
    {
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema };
        settings.Schemas.Add(null, Schema);
        var errors = new List<string>();
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber})");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read())
        {
        }
        return errors;
    }
}
