using System.Globalization;
using System.Text;
using System.Xml;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// One self-contained HTML page (XHTML-compatible HTML5 written by an XmlWriter, so every value is encoded): inline CSS and
/// SVG, no script, nothing from the network (its Content-Security-Policy forbids loading anything). A summary by profile with
/// a chart; one matrix per kind of target, targets × checks, worst first, each cell showing its status by colour, symbol and
/// title; then every check with its expected value, reference and the findings grouped by actual value and evidence, with the
/// remediation; and the targets that could not be examined.
/// </summary>
public sealed class HtmlReportWriter : IComplianceReportWriter
{
    /// <summary>A group of identical findings names its first targets inline and the rest behind a disclosure.</summary>
    private const int TargetsInline = 12;

    // No '<', '>' or '&' in here: a style element's text is raw in HTML, and the writer would encode them.
    private const string Css = """
        :root { color-scheme: light; --pass: #1f883d; --warn: #d4a72c; --fail: #cf222e; --error: #8250df; --unknown: #57606a; --na: #d0d7de; --info: #54aeff; }
        body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', 'Liberation Sans', sans-serif; margin: 0 24px 48px; color: #1f2328; background: #fff; }
        h1 { margin: 20px 0 4px; font-size: 24px; }
        h2 { margin-top: 32px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
        h3 { margin: 24px 0 6px; font-size: 16px; }
        .meta { color: #57606a; margin: 0; }
        table { border-collapse: collapse; }
        .summary th, .summary td, .results th, .results td, .errors th, .errors td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
        .summary td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .hash { font-family: ui-monospace, 'Liberation Mono', monospace; font-size: 12px; word-break: break-all; }
        .legend { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; padding: 0; list-style: none; }
        .legend li { display: flex; align-items: center; gap: 4px; }
        .legend span { display: inline-block; width: 18px; height: 18px; line-height: 18px; text-align: center; font-weight: 700; border-radius: 3px; }
        .scroll { overflow: auto; max-height: 85vh; border: 1px solid #d0d7de; }
        .matrix { font-size: 12px; }
        .matrix thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 2; }
        .matrix th.check { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; padding: 6px 2px; font-weight: 600; }
        .matrix th.check a { color: inherit; text-decoration: none; }
        .matrix th.target { position: sticky; left: 0; background: #fff; z-index: 1; text-align: left; font-weight: 400; white-space: nowrap; padding: 0 8px; max-width: 280px; overflow: hidden; text-overflow: ellipsis; }
        .matrix thead th.target { z-index: 3; background: #f6f8fa; }
        .matrix td { width: 16px; min-width: 16px; height: 16px; padding: 0; text-align: center; font-weight: 700; border: 1px solid #fff; line-height: 16px; }
        .matrix td.verdict { width: auto; padding: 0 6px; white-space: nowrap; font-weight: 600; }
        .s-Pass, .v-Compliant { background: var(--pass); color: #fff; }
        .s-Warning { background: var(--warn); color: #1f2328; }
        .s-Fail, .v-NonCompliant { background: var(--fail); color: #fff; }
        .s-Error, .v-Error { background: var(--error); color: #fff; }
        .s-Unknown { background: var(--unknown); color: #fff; }
        .s-NotApplicable { background: var(--na); color: #1f2328; }
        .s-Informational { background: var(--info); color: #1f2328; }
        .s-None { background: #fff; color: #8c959f; }
        .check-detail dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 4px 0 8px; }
        .check-detail dt { font-weight: 600; color: #57606a; }
        .check-detail dd { margin: 0; }
        .results td.st { white-space: nowrap; font-weight: 600; }
        .results ul { margin: 0; padding-left: 18px; }
        code { font-family: ui-monospace, 'Liberation Mono', monospace; font-size: 12px; background: #f6f8fa; padding: 0 3px; border-radius: 3px; word-break: break-all; }
        details summary { cursor: pointer; color: #0969da; }
        figure { margin: 12px 0; }
        figcaption { color: #57606a; font-size: 12px; }
        """;

    private static readonly CheckStatus[] LegendOrder =
        { CheckStatus.Pass, CheckStatus.Warning, CheckStatus.Fail, CheckStatus.Error, CheckStatus.Unknown, CheckStatus.NotApplicable, CheckStatus.Informational };

    public void Write(ComplianceReportSet reports, ReportDocumentInfo info, Stream output, CancellationToken cancellation)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false), OmitXmlDeclaration = true, Indent = false, CloseOutput = false, NewLineHandling = NewLineHandling.None,
        };
        using var xml = XmlWriter.Create(output, settings);
        var page = new HtmlPage(xml);
        xml.WriteDocType("html", null, null, null);
        xml.WriteStartElement("html", HtmlPage.XhtmlNamespace);
        xml.WriteAttributeString("lang", "en");

        page.Open("head");
        page.Void("meta", ("charset", "utf-8"));
        page.Void("meta", ("http-equiv", "Content-Security-Policy"), ("content", "default-src 'none'; style-src 'unsafe-inline'; img-src data:"));
        page.Void("meta", ("name", "viewport"), ("content", "width=device-width, initial-scale=1"));
        page.Void("meta", ("name", "generator"), ("content", info.Generator));
        page.Element("title", info.Title);
        page.Element("style", Css);
        page.Close();

        page.Open("body");
        page.Open("header");
        page.Element("h1", info.Title);
        var between = reports.JudgedBetween();
        page.Element("p", $"Generated {StatusGlyphs.Time(info.GeneratedAt)} by {info.GeneratedBy} with {info.Generator}.", ("class", "meta"));
        page.Element("p", (between is { } b ? $"Judged {StatusGlyphs.Time(b.First)} to {StatusGlyphs.Time(b.Last)}" : "Judged at an unrecorded time")
            + $" by {string.Join(", ", reports.JudgedBy().DefaultIfEmpty("(not recorded)"))}. {reports.Targets.Count} targets.", ("class", "meta"), ("id", "judged"));
        page.Close();

        WriteSummary(page, reports);
        foreach (var group in reports.ByKind())
        {
            cancellation.ThrowIfCancellationRequested();
            WriteMatrix(page, reports, group.Key, group.ToList(), cancellation);
        }
        WriteDetails(page, reports, cancellation);
        WriteUnexamined(page, reports);
        page.Close(); // body
        xml.WriteFullEndElement(); // html
        xml.WriteEndDocument();
    }

    private static void WriteSummary(HtmlPage page, ComplianceReportSet reports)
    {
        var summary = reports.Summary();
        page.Open("section", ("id", "summary"));
        page.Element("h2", "Summary");
        page.Open("table", ("class", "summary"));
        page.Open("thead");
        page.Open("tr");
        foreach (var heading in new[] { "Profile", "Profile definition (SHA-256)", "\u2713 Compliant", "\u2717 Non-compliant", "E Error", "Targets" })
        {
            page.Element("th", heading, ("scope", "col"));
        }
        page.Close();
        page.Close();
        page.Open("tbody");
        foreach (var profile in summary)
        {
            page.Open("tr", ("data-profile", profile.Profile));
            page.Element("th", profile.Profile, ("scope", "row"));
            page.Element("td", profile.Hashes.Count == 0 ? "-" : string.Join(" ", profile.Hashes), ("class", "hash"));
            page.Element("td", N(profile.Compliant), ("class", "n"), ("data-count", "Compliant"));
            page.Element("td", N(profile.NonCompliant), ("class", "n"), ("data-count", "NonCompliant"));
            page.Element("td", N(profile.Error), ("class", "n"), ("data-count", "Error"));
            page.Element("td", N(profile.Total), ("class", "n"));
            page.Close();
        }
        page.Close();
        page.Close();
        WriteChart(page, summary);
        page.Close();
    }

    /// <summary>One stacked bar per profile: compliant, non-compliant, error, each labelled with its count and titled.</summary>
    private static void WriteChart(HtmlPage page, IReadOnlyList<ProfileSummary> summary)
    {
        const int labelWidth = 220, barWidth = 560, rowHeight = 30, top = 8;
        var height = top * 2 + rowHeight * summary.Count + 24;
        var width = labelWidth + barWidth + 140;
        page.Open("figure");
        page.OpenSvg("svg", ("width", N(width)), ("height", N(height)), ("viewBox", $"0 0 {N(width)} {N(height)}"), ("role", "img"),
            ("aria-labelledby", "chart-title chart-desc"));
        page.SvgElement("title", "Targets by verdict and profile", ("id", "chart-title"));
        page.SvgElement("desc", string.Join("; ", summary.Select(s => $"{s.Profile}: {s.Compliant} compliant, {s.NonCompliant} non-compliant, {s.Error} error")), ("id", "chart-desc"));
        var y = top;
        foreach (var profile in summary)
        {
            page.SvgElement("text", profile.Profile, ("x", "0"), ("y", N(y + 19)), ("font-size", "13"), ("font-family", "sans-serif"), ("fill", "#1f2328"));
            var x = (double)labelWidth;
            foreach (var (count, status, colour) in new[] { (profile.Compliant, "Compliant", "#1f883d"), (profile.NonCompliant, "Non-compliant", "#cf222e"), (profile.Error, "Error", "#8250df") })
            {
                if (count == 0)
                {
                    continue;
                }
                var w = profile.Total == 0 ? 0 : barWidth * count / (double)profile.Total;
                page.OpenSvg("rect", ("x", D(x)), ("y", N(y + 4)), ("width", D(Math.Max(w, 1))), ("height", N(rowHeight - 8)), ("fill", colour), ("data-status", status));
                page.SvgElement("title", $"{profile.Profile}: {count} of {profile.Total} {status.ToLowerInvariant()}");
                page.CloseSvg();
                if (w >= 36)
                {
                    page.SvgElement("text", N(count), ("x", D(x + w / 2)), ("y", N(y + 19)), ("font-size", "12"), ("font-family", "sans-serif"), ("fill", "#ffffff"), ("text-anchor", "middle"));
                }
                x += w;
            }
            page.SvgElement("text", $"\u2713{N(profile.Compliant)} \u2717{N(profile.NonCompliant)} E{N(profile.Error)}", ("x", N(labelWidth + barWidth + 8)), ("y", N(y + 19)),
                ("font-size", "12"), ("font-family", "sans-serif"), ("fill", "#57606a"));
            y += rowHeight;
        }
        var legendX = labelWidth;
        foreach (var (label, colour) in new[] { ("\u2713 Compliant", "#1f883d"), ("\u2717 Non-compliant", "#cf222e"), ("E Error", "#8250df") })
        {
            page.OpenSvg("rect", ("x", N(legendX)), ("y", N(y + 8)), ("width", "12"), ("height", "12"), ("fill", colour));
            page.CloseSvg();
            page.SvgElement("text", label, ("x", N(legendX + 16)), ("y", N(y + 18)), ("font-size", "12"), ("font-family", "sans-serif"), ("fill", "#1f2328"));
            legendX += 140;
        }
        page.CloseSvg();
        page.Element("figcaption", "Targets by verdict, per profile (artifact reports per kind of check).");
        page.Close();
    }

    private static void WriteMatrix(HtmlPage page, ComplianceReportSet reports, ComplianceTargetKind kind, IReadOnlyList<JudgedTarget> targets, CancellationToken cancellation)
    {
        var columns = ComplianceReportSet.ColumnsOf(targets);
        var rows = reports.WorstFirst(targets);
        page.Open("section", ("id", "matrix-" + kind), ("class", "matrix-section"));
        page.Element("h2", $"{Plural(kind)} \u00d7 checks ({rows.Count} \u00d7 {columns.Count})");
        WriteLegend(page);
        page.Open("div", ("class", "scroll"));
        page.Open("table", ("class", "matrix"), ("data-kind", kind.ToString()), ("data-rows", N(rows.Count)), ("data-columns", N(columns.Count)));
        page.Element("caption", $"{Plural(kind)} (rows, worst first) against their checks (columns)", ("style", "caption-side: bottom; text-align: left; color: #57606a;"));
        page.Open("thead");
        page.Open("tr");
        page.Element("th", Singular(kind), ("scope", "col"), ("class", "target"));
        page.Element("th", "Verdict", ("scope", "col"));
        foreach (var column in columns)
        {
            page.Open("th", ("scope", "col"), ("class", "check"), ("title", $"{column.CheckId}: {column.Title}"));
            page.Element("a", column.CheckId, ("href", $"#check-{kind}-{column.CheckId}"));
            page.Close();
        }
        page.Close();
        page.Close();
        page.Open("tbody");
        foreach (var row in rows)
        {
            cancellation.ThrowIfCancellationRequested();
            var byId = new Dictionary<string, CheckResult>(StringComparer.Ordinal);
            foreach (var check in row.Checks)
            {
                byId.TryAdd(check.CheckId, check);
            }
            page.Open("tr", ("data-target", row.DisplayName));
            page.Element("th", row.DisplayName, ("scope", "row"), ("class", "target"), ("title", row.DisplayName));
            page.Element("td", $"{StatusGlyphs.Symbol(row.Status)} {row.Status}", ("class", "verdict v-" + row.Status), ("data-verdict", row.Status.ToString()));
            foreach (var column in columns)
            {
                if (byId.TryGetValue(column.CheckId, out var check))
                {
                    page.Element("td", StatusGlyphs.Symbol(check.Status), ("class", "s-" + check.Status), ("data-status", check.Status.ToString()),
                        ("title", $"{row.DisplayName} \u00b7 {column.CheckId}: {check.Status}"));
                }
                else
                {
                    page.Element("td", "\u00b7", ("class", "s-None"), ("data-status", "None"), ("title", $"{row.DisplayName} \u00b7 {column.CheckId}: not judged"));
                }
            }
            page.Close();
        }
        page.Close();
        page.Close();
        page.Close();
        page.Close();
    }

    private static void WriteLegend(HtmlPage page)
    {
        page.Open("ul", ("class", "legend"), ("aria-label", "Legend"));
        foreach (var status in LegendOrder)
        {
            page.Open("li");
            page.Element("span", StatusGlyphs.Symbol(status), ("class", "s-" + status), ("aria-hidden", "true"));
            page.Text(status.ToString());
            page.Close();
        }
        page.Open("li");
        page.Element("span", "\u00b7", ("class", "s-None"), ("aria-hidden", "true"));
        page.Text("not judged");
        page.Close();
        page.Close();
    }

    private static void WriteDetails(HtmlPage page, ComplianceReportSet reports, CancellationToken cancellation)
    {
        var catalogue = CheckCatalog.All.GroupBy(c => c.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        page.Open("section", ("id", "details"));
        page.Element("h2", "Checks in detail");
        foreach (var group in reports.ByKind())
        {
            var targets = group.ToList();
            foreach (var column in ComplianceReportSet.ColumnsOf(targets))
            {
                cancellation.ThrowIfCancellationRequested();
                var results = targets.SelectMany(t => t.Checks.Where(c => c.CheckId == column.CheckId).Select(c => (Target: t, Check: c))).ToList();
                page.Open("section", ("class", "check-detail"), ("id", $"check-{group.Key}-{column.CheckId}"));
                page.Element("h3", $"{column.CheckId}: {column.Title} ({Plural(group.Key).ToLowerInvariant()})");
                page.Open("dl");
                Definition(page, "Severity", column.Severity.ToString());
                Definition(page, "Standard", column.Standard);
                if (catalogue.TryGetValue(column.CheckId, out var entry))
                {
                    Definition(page, "Judges", entry.Judges);
                    Definition(page, "Reads", entry.Reads);
                }
                Definition(page, "Reference", column.Reference);
                Definition(page, "Expected", column.Expected);
                Definition(page, "Outcome", string.Join(", ", results.GroupBy(r => r.Check.Status).OrderBy(g => StatusGlyphs.Rank(g.Key))
                    .Select(g => $"{StatusGlyphs.Symbol(g.Key)} {g.Key} on {g.Count()}")));
                page.Close();

                page.Open("table", ("class", "results"));
                page.Open("thead");
                page.Open("tr");
                foreach (var heading in new[] { "Status", "Targets", "Actual", "Evidence", "Remediation" })
                {
                    page.Element("th", heading, ("scope", "col"));
                }
                page.Close();
                page.Close();
                page.Open("tbody");
                // Identical findings once, with every target that shows them: a fleet's 1,000 nodes mostly agree.
                var findings = results
                    .GroupBy(r => (r.Check.Status, r.Check.Actual, Evidence: string.Join("\n", r.Check.Evidence.Select(e => $"{e.Source}\u0000{e.Excerpt}")), r.Check.Remediation))
                    .OrderBy(g => StatusGlyphs.Rank(g.Key.Status)).ThenByDescending(g => g.Count());
                foreach (var finding in findings)
                {
                    var check = finding.First().Check;
                    page.Open("tr", ("data-status", finding.Key.Status.ToString()));
                    page.Element("td", $"{StatusGlyphs.Symbol(check.Status)} {check.Status}", ("class", "st s-" + check.Status));
                    page.Open("td");
                    var names = finding.Select(f => f.Target.DisplayName).ToList();
                    page.Text(string.Join(", ", names.Take(TargetsInline)));
                    if (names.Count > TargetsInline)
                    {
                        page.Open("details");
                        page.Element("summary", $"and {names.Count - TargetsInline} more ({names.Count} in all)");
                        page.Text(string.Join(", ", names.Skip(TargetsInline)));
                        page.Close();
                    }
                    page.Close();
                    page.Element("td", check.Actual);
                    page.Open("td");
                    if (check.Evidence.Count > 0)
                    {
                        page.Open("ul");
                        foreach (var evidence in check.Evidence)
                        {
                            page.Open("li");
                            page.Element("code", evidence.Source);
                            page.Text(": " + (evidence.Excerpt ?? "(absent)"));
                            page.Close();
                        }
                        page.Close();
                    }
                    page.Close();
                    page.Element("td", check.Remediation);
                    page.Close();
                }
                page.Close();
                page.Close();
                page.Close();
            }
        }
        page.Close();
    }

    private static void WriteUnexamined(HtmlPage page, ComplianceReportSet reports)
    {
        var unexamined = reports.WorstFirst().Where(t => t.Status is ComplianceStatus.Error && (t.Checks.Count == 0 || t.Errors.Count > 0)).ToList();
        if (unexamined.Count == 0)
        {
            return;
        }
        page.Open("section", ("id", "errors"));
        page.Element("h2", "Targets that could not be examined");
        page.Open("table", ("class", "errors"));
        page.Open("thead");
        page.Open("tr");
        foreach (var heading in new[] { "Target", "Kind", "Error", "Why" })
        {
            page.Element("th", heading, ("scope", "col"));
        }
        page.Close();
        page.Close();
        page.Open("tbody");
        foreach (var target in unexamined)
        {
            page.Open("tr");
            page.Element("th", target.DisplayName, ("scope", "row"));
            page.Element("td", target.Kind.ToString());
            page.Element("td", target.ErrorId);
            page.Element("td", string.Join("; ", target.Errors));
            page.Close();
        }
        page.Close();
        page.Close();
        page.Close();
    }

    private static void Definition(HtmlPage page, string term, string value)
    {
        if (value.Length == 0)
        {
            return;
        }
        page.Element("dt", term);
        page.Element("dd", value);
    }

    private static string Singular(ComplianceTargetKind kind) => kind switch
    {
        ComplianceTargetKind.GoBinary => "Go binary",
        ComplianceTargetKind.PrivateKey => "Private key",
        ComplianceTargetKind.TlsEndpoint => "TLS endpoint",
        _ => kind.ToString(),
    };

    private static string Plural(ComplianceTargetKind kind) => kind switch
    {
        ComplianceTargetKind.GoBinary => "Go binaries",
        ComplianceTargetKind.PrivateKey => "Private keys",
        ComplianceTargetKind.TlsEndpoint => "TLS endpoints",
        _ => kind + "s",
    };

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string D(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
