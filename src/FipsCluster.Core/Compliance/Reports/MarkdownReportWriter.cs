using System.Globalization;
using System.Text;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// Markdown for a wiki page or a pull request comment: a summary table by profile, then the failing checks (Fail, Error,
/// Unknown) grouped by check and finding, with the targets that show it. Every value is escaped, so report text renders as
/// text: it can neither break a table nor become a link, an image or HTML.
/// </summary>
public sealed class MarkdownReportWriter : IComplianceReportWriter
{
    /// <summary>How many target names a failing group lists before "and N more".</summary>
    public const int TargetsListed = 20;

    public void Write(ComplianceReportSet reports, ReportDocumentInfo info, Stream output, CancellationToken cancellation)
    {
        using var md = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        md.WriteLine("# " + Escape(info.Title));
        md.WriteLine();
        var between = reports.JudgedBetween();
        md.WriteLine(Escape($"Generated {StatusGlyphs.Time(info.GeneratedAt)} by {info.GeneratedBy} with {info.Generator}. ")
            + Escape(between is { } b ? $"Judged {StatusGlyphs.Time(b.First)} to {StatusGlyphs.Time(b.Last)}" : "Judged at an unrecorded time")
            + Escape($" by {string.Join(", ", reports.JudgedBy().DefaultIfEmpty("(not recorded)"))}; {reports.Targets.Count} targets."));
        md.WriteLine();
        md.WriteLine("## Summary");
        md.WriteLine();
        md.WriteLine("| Profile | Definition | Compliant | Non-compliant | Error | Targets |");
        md.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var profile in reports.Summary())
        {
            md.WriteLine($"| {Escape(profile.Profile)} | {Escape(string.Join(", ", profile.Hashes.DefaultIfEmpty("-")))} | {N(profile.Compliant)} | {N(profile.NonCompliant)} | {N(profile.Error)} | {N(profile.Total)} |");
        }
        md.WriteLine();

        var failing = reports.Targets
            .SelectMany(t => t.Checks.Where(c => ReportText.IsFailing(c.Status)).Select(c => (Target: t, Check: c)))
            .GroupBy(x => (x.Check.CheckId, x.Check.Status, x.Check.Actual))
            .OrderBy(g => StatusGlyphs.Rank(g.Key.Status)).ThenByDescending(g => g.Count()).ThenBy(g => g.Key.CheckId, StringComparer.Ordinal)
            .ToList();
        var unexamined = reports.WorstFirst().Where(t => t.Checks.Count == 0 && t.Status is ComplianceStatus.Error).ToList();
        md.WriteLine("## Failing checks");
        md.WriteLine();
        if (failing.Count == 0 && unexamined.Count == 0)
        {
            md.WriteLine("No check failed, erred or was unknown.");
            return;
        }
        if (failing.Count > 0)
        {
            md.WriteLine("| Check | Status | Targets | Actual | Remediation |");
            md.WriteLine("| --- | --- | --- | --- | --- |");
            foreach (var group in failing)
            {
                cancellation.ThrowIfCancellationRequested();
                var first = group.First().Check;
                md.WriteLine($"| {Escape($"{first.CheckId} {first.Title}")} | {Escape($"{StatusGlyphs.Symbol(group.Key.Status)} {group.Key.Status}")} | "
                    + $"{Escape(Names(group.Select(x => x.Target.DisplayName).ToList()))} | {Escape(group.Key.Actual)} | {Escape(first.Remediation)} |");
            }
            md.WriteLine();
        }
        if (unexamined.Count > 0)
        {
            md.WriteLine("### Not examined");
            md.WriteLine();
            md.WriteLine("| Target | Error | Why |");
            md.WriteLine("| --- | --- | --- |");
            foreach (var target in unexamined)
            {
                md.WriteLine($"| {Escape(target.DisplayName)} | {Escape(target.ErrorId)} | {Escape(string.Join("; ", target.Errors))} |");
            }
            md.WriteLine();
        }
    }

    private static string Names(IReadOnlyList<string> names) => names.Count <= TargetsListed
        ? string.Join(", ", names)
        : string.Join(", ", names.Take(TargetsListed)) + $" and {names.Count - TargetsListed} more";

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Text as text in CommonMark/GFM: the punctuation that starts emphasis, code, links, images, HTML, entities, autolinked
    /// addresses, strikethrough, math or a table cell is backslash-escaped; line breaks become spaces (a table row is one line).
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // GFM autolinks "www." and "scheme://" in plain text: escaping the dot or the colon keeps them text.
            if ((c == '.' && i >= 3 && text.AsSpan(i - 3, 3).Equals("www", StringComparison.OrdinalIgnoreCase))
                || (c == ':' && text.AsSpan(i + 1).StartsWith("//", StringComparison.Ordinal)))
            {
                escaped.Append('\\').Append(c);
            }
            else if (c is '\r' or '\n')
            {
                escaped.Append(' ');
            }
            else if (c is '\\' or '`' or '*' or '_' or '{' or '}' or '[' or ']' or '<' or '>' or '(' or ')' or '#' or '!' or '|' or '~' or '&' or '$' or '@')
            {
                escaped.Append('\\').Append(c);
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }
}
