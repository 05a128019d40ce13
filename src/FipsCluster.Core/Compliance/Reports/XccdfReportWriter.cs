using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// An XCCDF 1.2 Benchmark that OpenSCAP and other SCAP tools read: one Rule per check the reports name (with its
/// catalogue description and remediation), one Profile per compliance profile (or kind of artifact check) selecting its
/// rules, and one TestResult per target whose rule-results reference those Rules. Statuses map to XCCDF results: Pass and
/// Warning are pass (a Warning keeps a warning message), Fail fail, Error error, Unknown unknown, NotApplicable
/// notapplicable, Informational informational. A target that could not be examined has every rule of its profile as error.
/// Ids follow XCCDF 1.2's xccdf_&lt;reverse DNS&gt;_&lt;type&gt;_&lt;name&gt; form.
/// </summary>
public sealed partial class XccdfReportWriter : IComplianceReportWriter
{
    public const string Namespace = "http://checklists.nist.gov/xccdf/1.2";
    private const string IdPrefix = "xccdf_io.github.fipscluster_";
    private const string FactPrefix = "urn:fipscluster:fact:";
    private const string DublinCore = "http://purl.org/dc/elements/1.1/";

    public static string RuleId(string checkId) => IdPrefix + "rule_" + IdPart(checkId);

    public void Write(ComplianceReportSet reports, ReportDocumentInfo info, Stream output, CancellationToken cancellation)
    {
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, CloseOutput = false };
        using var xml = XmlWriter.Create(output, settings);
        var catalogue = CheckCatalog.All.GroupBy(c => c.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rules = ComplianceReportSet.ColumnsOf(reports.Targets);
        var profileIds = new HashSet<string>(StringComparer.Ordinal);
        var profiles = reports.Targets.GroupBy(t => t.ProfileLabel, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Label: g.Key, Id: Unique(profileIds, $"{IdPrefix}profile_{IdPart(g.Key)}"), Targets: g.ToList(),
                Rules: ComplianceReportSet.ColumnsOf(g).Select(c => c.CheckId).ToList()))
            .ToList();

        xml.WriteStartDocument();
        xml.WriteStartElement("Benchmark", Namespace);
        xml.WriteAttributeString("id", IdPrefix + "benchmark_" + IdPart(info.Title));
        xml.WriteAttributeString("resolved", "true");
        xml.WriteAttributeString("style", "SCAP_1.2");
        xml.WriteAttributeString("xml", "lang", null, "en-US");
        xml.WriteStartElement("status", Namespace);
        xml.WriteAttributeString("date", info.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        xml.WriteString("accepted");
        xml.WriteEndElement();
        xml.WriteElementString("title", Namespace, info.Title);
        xml.WriteElementString("description", Namespace,
            $"FIPS 140 compliance verdicts of {reports.Targets.Count} targets, judged by {string.Join(", ", reports.JudgedBy().DefaultIfEmpty("(not recorded)"))}; "
            + $"generated {StatusGlyphs.Time(info.GeneratedAt)} by {info.GeneratedBy} with {info.Generator}.");
        xml.WriteElementString("version", Namespace, info.GeneratorVersion);
        xml.WriteStartElement("metadata", Namespace);
        xml.WriteElementString("creator", DublinCore, info.Generator);
        xml.WriteElementString("contributor", DublinCore, info.GeneratedBy);
        xml.WriteElementString("date", DublinCore, info.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        xml.WriteEndElement();

        foreach (var profile in profiles)
        {
            xml.WriteStartElement("Profile", Namespace);
            xml.WriteAttributeString("id", profile.Id);
            xml.WriteElementString("title", Namespace, profile.Label);
            var hashes = profile.Targets.Select(t => t.ProfileHash).Where(h => h.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            xml.WriteElementString("description", Namespace, hashes.Count > 0
                ? $"Compliance profile {profile.Label}, definition {string.Join(", ", hashes)}."
                : $"{profile.Label}: the module's own checks, selected by no profile.");
            foreach (var rule in profile.Rules)
            {
                xml.WriteStartElement("select", Namespace);
                xml.WriteAttributeString("idref", RuleId(rule));
                xml.WriteAttributeString("selected", "true");
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }

        foreach (var rule in rules)
        {
            catalogue.TryGetValue(rule.CheckId, out var entry);
            xml.WriteStartElement("Rule", Namespace);
            xml.WriteAttributeString("id", RuleId(rule.CheckId));
            xml.WriteAttributeString("selected", "true");
            xml.WriteAttributeString("severity", Severity(rule.Severity));
            xml.WriteElementString("title", Namespace, $"{rule.CheckId}: {rule.Title}");
            xml.WriteElementString("description", Namespace, entry is { Judges.Length: > 0 } ? entry.Judges : rule.Expected);
            if (rule.Reference.Length > 0)
            {
                xml.WriteElementString("reference", Namespace, rule.Reference);
            }
            if (entry is { Reads.Length: > 0 })
            {
                xml.WriteElementString("rationale", Namespace, $"Evidence read: {entry.Reads}. Expected: {rule.Expected}");
            }
            xml.WriteStartElement("ident", Namespace);
            xml.WriteAttributeString("system", "urn:fipscluster:check");
            xml.WriteString(rule.CheckId);
            xml.WriteEndElement();
            var fix = Remediation(reports.Targets, rule.CheckId);
            if (fix.Length > 0)
            {
                xml.WriteElementString("fixtext", Namespace, fix);
            }
            xml.WriteEndElement();
        }

        var number = 0;
        foreach (var profile in profiles)
        {
            // A target that could not be examined is in error on the rules its kind is judged by under this profile.
            var rulesByKind = profile.Targets.GroupBy(t => t.Kind).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)ComplianceReportSet.ColumnsOf(g).Select(c => c.CheckId).ToList());
            foreach (var target in reports.WorstFirst(profile.Targets))
            {
                cancellation.ThrowIfCancellationRequested();
                WriteTestResult(xml, target, ++number, profile.Id, rulesByKind[target.Kind], info);
            }
        }
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteTestResult(XmlWriter xml, JudgedTarget target, int number, string profileId, IReadOnlyList<string> profileRules, ReportDocumentInfo info)
    {
        var end = target.Timestamp ?? info.GeneratedAt;
        xml.WriteStartElement("TestResult", Namespace);
        xml.WriteAttributeString("id", $"{IdPrefix}testresult_{number:D4}_{IdPart(target.DisplayName)}");
        xml.WriteAttributeString("start-time", XmlConvert.ToString(end - target.Duration));
        xml.WriteAttributeString("end-time", XmlConvert.ToString(end));
        xml.WriteAttributeString("test-system", $"cpe:/a:fipscluster:fipscluster:{info.GeneratorVersion}");
        xml.WriteAttributeString("version", info.GeneratorVersion);
        xml.WriteElementString("title", Namespace, $"{target.Kind} {target.DisplayName}: {target.Status}");
        if (target.JudgedBy.Length > 0)
        {
            xml.WriteStartElement("identity", Namespace);
            xml.WriteAttributeString("authenticated", "false");
            xml.WriteAttributeString("privileged", "false");
            xml.WriteString(target.JudgedBy);
            xml.WriteEndElement();
        }
        xml.WriteStartElement("profile", Namespace);
        xml.WriteAttributeString("idref", profileId);
        xml.WriteEndElement();
        xml.WriteElementString("target", Namespace, target.DisplayName);
        xml.WriteStartElement("target-facts", Namespace);
        Fact(xml, "kind", target.Kind.ToString());
        Fact(xml, "status", target.Status.ToString());
        Fact(xml, "cluster", target.Cluster);
        Fact(xml, "profile", target.Profile);
        Fact(xml, "profile-hash", target.ProfileHash);
        Fact(xml, "standard", target.Standard);
        Fact(xml, "error-id", target.ErrorId);
        foreach (var error in target.Errors)
        {
            Fact(xml, "error", error);
        }
        xml.WriteEndElement();

        var judged = 0;
        var passed = 0;
        if (target.Checks.Count == 0 && target.Status is ComplianceStatus.Error)
        {
            var why = target.Errors.Count > 0 ? string.Join("; ", target.Errors) : "the target could not be examined";
            foreach (var rule in profileRules)
            {
                RuleResult(xml, RuleId(rule), null, "error", end, "error", why);
                judged++;
            }
        }
        foreach (var check in target.Checks)
        {
            var result = Result(check.Status);
            RuleResult(xml, RuleId(check.CheckId), Severity(check.Severity), result, end,
                check.Status switch { CheckStatus.Fail or CheckStatus.Error or CheckStatus.Unknown => "error", CheckStatus.Warning => "warning", _ => "info" },
                check.Evidence.Count == 0 ? check.Actual : $"{check.Actual} (evidence: {string.Join("; ", check.Evidence.Select(e => $"{e.Source}: {e.Excerpt ?? "(absent)"}"))})");
            if (result is "pass" or "fail" or "error" or "unknown")
            {
                judged++;
                passed += result == "pass" ? 1 : 0;
            }
        }
        xml.WriteStartElement("score", Namespace);
        xml.WriteAttributeString("system", "urn:xccdf:scoring:default");
        xml.WriteAttributeString("maximum", "100");
        xml.WriteString((judged == 0 ? 100m : Math.Round(100m * passed / judged, 2)).ToString("0.00", CultureInfo.InvariantCulture));
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void RuleResult(XmlWriter xml, string ruleId, string? severity, string result, DateTimeOffset time, string messageSeverity, string message)
    {
        xml.WriteStartElement("rule-result", Namespace);
        xml.WriteAttributeString("idref", ruleId);
        if (severity is not null)
        {
            xml.WriteAttributeString("severity", severity);
        }
        xml.WriteAttributeString("time", XmlConvert.ToString(time));
        xml.WriteElementString("result", Namespace, result);
        if (message.Length > 0)
        {
            xml.WriteStartElement("message", Namespace);
            xml.WriteAttributeString("severity", messageSeverity);
            xml.WriteString(message);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    private static void Fact(XmlWriter xml, string name, string value)
    {
        if (value.Length == 0)
        {
            return;
        }
        xml.WriteStartElement("fact", Namespace);
        xml.WriteAttributeString("name", FactPrefix + name);
        xml.WriteAttributeString("type", "string");
        xml.WriteString(value);
        xml.WriteEndElement();
    }

    /// <summary>XCCDF's rule-result vocabulary for each status.</summary>
    public static string Result(CheckStatus status) => status switch
    {
        CheckStatus.Pass or CheckStatus.Warning => "pass",
        CheckStatus.Fail => "fail",
        CheckStatus.Error => "error",
        CheckStatus.Unknown => "unknown",
        CheckStatus.NotApplicable => "notapplicable",
        _ => "informational",
    };

    private static string Severity(CheckSeverity severity) => severity switch
    {
        CheckSeverity.None => "info",
        CheckSeverity.Low => "low",
        CheckSeverity.Medium => "medium",
        _ => "high",
    };

    private static string Remediation(IEnumerable<JudgedTarget> targets, string checkId) => targets.SelectMany(t => t.Checks)
        .Where(c => c.CheckId == checkId && c.Remediation.Length > 0)
        .Select(c => c.Remediation).Distinct(StringComparer.Ordinal).Take(3) is var fixes ? string.Join(" / ", fixes) : "";

    /// <summary>Two labels that differ only in characters an id cannot hold still get two ids.</summary>
    private static string Unique(HashSet<string> taken, string id)
    {
        var candidate = id;
        for (var n = 2; !taken.Add(candidate); n++)
        {
            candidate = $"{id}-{n}";
        }
        return candidate;
    }

    /// <summary>The name part of an id: characters an NCName allows, others as '-'; never empty.</summary>
    private static string IdPart(string text)
    {
        var part = NotNameCharacters().Replace(text, "-").Trim('-');
        return part.Length == 0 ? "unnamed" : part;
    }

    [GeneratedRegex(@"[^A-Za-z0-9._-]+")]
    private static partial Regex NotNameCharacters();
}
