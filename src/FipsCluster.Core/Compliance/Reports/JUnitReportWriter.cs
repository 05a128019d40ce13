using System.Globalization;
using System.Text;
using System.Xml;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// JUnit XML as CI systems read it (the shape of Jenkins' xUnit junit-10.xsd): one testsuite per target, one testcase per
/// check. Fail is a failure; Error and Unknown are errors; NotApplicable is skipped; Pass, Warning and Informational pass
/// (a Warning says so in system-out). A target that could not be examined gets one testcase that is an error.
/// </summary>
public sealed class JUnitReportWriter : IComplianceReportWriter
{
    public void Write(ComplianceReportSet reports, ReportDocumentInfo info, Stream output, CancellationToken cancellation)
    {
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, CloseOutput = false };
        using var xml = XmlWriter.Create(output, settings);
        var targets = reports.WorstFirst();
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", info.Title);
        xml.WriteAttributeString("tests", Count(targets.Sum(CaseCount)));
        xml.WriteAttributeString("failures", Count(targets.Sum(t => t.Checks.Count(c => c.Status is CheckStatus.Fail))));
        xml.WriteAttributeString("errors", Count(targets.Sum(ErrorCount)));
        xml.WriteAttributeString("time", Seconds(targets.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration)));
        var id = 0;
        foreach (var target in targets)
        {
            cancellation.ThrowIfCancellationRequested();
            WriteSuite(xml, target, id++);
        }
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteSuite(XmlWriter xml, JudgedTarget target, int id)
    {
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", target.DisplayName);
        xml.WriteAttributeString("tests", Count(CaseCount(target)));
        xml.WriteAttributeString("failures", Count(target.Checks.Count(c => c.Status is CheckStatus.Fail)));
        xml.WriteAttributeString("errors", Count(ErrorCount(target)));
        xml.WriteAttributeString("skipped", Count(target.Checks.Count(c => c.Status is CheckStatus.NotApplicable)));
        xml.WriteAttributeString("time", Seconds(target.Duration));
        if (target.Timestamp is { } stamp)
        {
            xml.WriteAttributeString("timestamp", StatusGlyphs.Time(stamp));
        }
        if (target.Kind is ComplianceTargetKind.Node or ComplianceTargetKind.TlsEndpoint)
        {
            xml.WriteAttributeString("hostname", target.Name);
        }
        xml.WriteAttributeString("id", Count(id));
        xml.WriteAttributeString("package", $"FipsCluster.{target.Kind}");

        xml.WriteStartElement("properties");
        Property(xml, "kind", target.Kind.ToString());
        Property(xml, "status", target.Status.ToString());
        Property(xml, "cluster", target.Cluster);
        Property(xml, "profile", target.Profile);
        Property(xml, "profileHash", target.ProfileHash);
        Property(xml, "standard", target.Standard);
        Property(xml, "judgedBy", target.JudgedBy);
        Property(xml, "errorId", target.ErrorId);
        xml.WriteEndElement();

        var classname = $"{target.Kind}.{target.DisplayName}";
        if (target.Checks.Count == 0 && target.Status is not ComplianceStatus.Compliant)
        {
            // Nothing was judged: CI must still see the target as broken, not as an empty suite that passed.
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("name", "examination");
            xml.WriteAttributeString("classname", classname);
            xml.WriteAttributeString("time", Seconds(target.Duration));
            var why = target.Errors.Count > 0 ? string.Join("; ", target.Errors) : $"the {target.Kind.ToString().ToLowerInvariant()} could not be judged";
            xml.WriteStartElement("error");
            xml.WriteAttributeString("type", target.ErrorId.Length > 0 ? target.ErrorId : target.Status.ToString());
            xml.WriteAttributeString("message", why);
            xml.WriteString(why);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        foreach (var check in target.Checks)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("name", $"{check.CheckId} {check.Title}");
            xml.WriteAttributeString("classname", classname);
            xml.WriteAttributeString("time", "0");
            var element = check.Status switch
            {
                CheckStatus.Fail => "failure",
                CheckStatus.Error or CheckStatus.Unknown => "error",
                CheckStatus.NotApplicable => "skipped",
                _ => null,
            };
            if (element is not null)
            {
                xml.WriteStartElement(element);
                xml.WriteAttributeString("type", check.Status.ToString());
                xml.WriteAttributeString("message", Message(check));
                xml.WriteString(Detail(check));
                xml.WriteEndElement();
            }
            else if (check.Status is CheckStatus.Warning or CheckStatus.Informational)
            {
                xml.WriteElementString("system-out", $"{check.Status}: {Detail(check)}");
            }
            xml.WriteEndElement();
        }
        if (target.Errors.Count > 0 && target.Checks.Count > 0)
        {
            xml.WriteElementString("system-err", string.Join("\n", target.Errors));
        }
        xml.WriteEndElement();
    }

    /// <summary>One line a CI summary shows: what was found and how to fix it.</summary>
    private static string Message(CheckResult check) =>
        check.Remediation.Length > 0 && check.Status is not CheckStatus.NotApplicable
            ? $"{check.Actual} | Remediation: {check.Remediation}"
            : check.Actual;

    private static string Detail(CheckResult check)
    {
        var text = new StringBuilder();
        text.Append("Check: ").Append(check.CheckId).Append(" (").Append(check.Severity).Append(check.Required ? ", required" : ", optional").Append(")\n");
        if (check.Expected.Length > 0)
        {
            text.Append("Expected: ").Append(check.Expected).Append('\n');
        }
        text.Append("Actual: ").Append(check.Actual).Append('\n');
        foreach (var evidence in check.Evidence)
        {
            text.Append("Evidence: ").Append(evidence.Source).Append(": ").Append(evidence.Excerpt ?? "(absent)").Append('\n');
        }
        if (check.Remediation.Length > 0)
        {
            text.Append("Remediation: ").Append(check.Remediation).Append('\n');
        }
        if (check.Reference.Length > 0)
        {
            text.Append("Reference: ").Append(check.Reference).Append('\n');
        }
        return text.ToString();
    }

    private static void Property(XmlWriter xml, string name, string value)
    {
        if (value.Length == 0)
        {
            return;
        }
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", value);
        xml.WriteEndElement();
    }

    private static int CaseCount(JudgedTarget target) => target.Checks.Count == 0 && target.Status is not ComplianceStatus.Compliant ? 1 : target.Checks.Count;

    private static int ErrorCount(JudgedTarget target) => target.Checks.Count == 0 && target.Status is not ComplianceStatus.Compliant
        ? 1
        : target.Checks.Count(c => c.Status is CheckStatus.Error or CheckStatus.Unknown);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
