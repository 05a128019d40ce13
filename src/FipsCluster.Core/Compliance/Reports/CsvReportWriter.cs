using System.Globalization;
using System.Text;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// One row per target and check (RFC 4180: comma-separated, every field quoted, quotes doubled, a header row), so that
/// Import-Csv and spreadsheets read it back as written. A target that could not be examined has one row with an empty
/// CheckId and its errors as Actual. Evidence entries are joined by newlines inside their field.
/// </summary>
public sealed class CsvReportWriter : IComplianceReportWriter
{
    public static readonly string[] Columns =
    {
        "Target", "TargetKind", "Cluster", "TargetStatus", "Profile", "ProfileHash", "CheckId", "Title", "Status", "Severity", "Required",
        "Expected", "Actual", "Evidence", "Remediation", "Standard", "Reference", "Timestamp", "JudgedBy",
    };

    public void Write(ComplianceReportSet reports, ReportDocumentInfo info, Stream output, CancellationToken cancellation)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        Row(writer, Columns);
        foreach (var target in reports.WorstFirst())
        {
            cancellation.ThrowIfCancellationRequested();
            var stamp = target.Timestamp is { } t ? StatusGlyphs.Time(t) : "";
            if (target.Checks.Count == 0)
            {
                Row(writer, new[]
                {
                    target.Name, target.Kind.ToString(), target.Cluster, target.Status.ToString(), target.Profile, target.ProfileHash, "", "",
                    target.Status is ComplianceStatus.Error ? "Error" : "", "", "", "", string.Join("; ", target.Errors), "", "", target.Standard, "", stamp, target.JudgedBy,
                });
                continue;
            }
            foreach (var check in target.Checks)
            {
                Row(writer, new[]
                {
                    target.Name, target.Kind.ToString(), target.Cluster, target.Status.ToString(), target.Profile, target.ProfileHash,
                    check.CheckId, check.Title, check.Status.ToString(), check.Severity.ToString(), check.Required ? "True" : "False",
                    check.Expected, check.Actual, string.Join("\n", check.Evidence.Select(e => $"{e.Source}: {e.Excerpt ?? "(absent)"}")), check.Remediation,
                    check.Standard, check.Reference, stamp, target.JudgedBy,
                });
            }
        }
    }

    private static void Row(TextWriter writer, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }
            writer.Write('"');
            writer.Write(fields[i].Replace("\"", "\"\"", StringComparison.Ordinal));
            writer.Write('"');
        }
        writer.Write(writer.NewLine);
    }
}
