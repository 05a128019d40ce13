using System.Globalization;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>What a document says about itself: its title, and when, by whom and with what it was generated.</summary>
public sealed record ReportDocumentInfo(string Title, DateTimeOffset GeneratedAt, string GeneratedBy, string GeneratorVersion)
{
    public const string DefaultTitle = "FIPS compliance report";

    public string Generator => $"FipsCluster {GeneratorVersion}";
}

/// <summary>One export format: writes the whole document to a stream, UTF-8.</summary>
public interface IComplianceReportWriter
{
    void Write(ComplianceReportSet reports, ReportDocumentInfo info, Stream output, CancellationToken cancellation);
}

/// <summary>How each status is shown wherever colour is used: a symbol and a word, never colour alone.</summary>
public static class StatusGlyphs
{
    public static string Symbol(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "\u2713",          // ✓
        CheckStatus.Warning => "!",
        CheckStatus.Fail => "\u2717",          // ✗
        CheckStatus.Error => "E",
        CheckStatus.Unknown => "?",
        CheckStatus.NotApplicable => "\u2013", // –
        _ => "i",
    };

    public static string Symbol(ComplianceStatus status) => status switch
    {
        ComplianceStatus.Compliant => "\u2713",
        ComplianceStatus.NonCompliant => "\u2717",
        _ => "E",
    };

    /// <summary>Worst first, the order of the detail groups and the legend.</summary>
    public static int Rank(CheckStatus status) => status switch
    {
        CheckStatus.Error => 0,
        CheckStatus.Fail => 1,
        CheckStatus.Unknown => 2,
        CheckStatus.Warning => 3,
        CheckStatus.Informational => 4,
        CheckStatus.NotApplicable => 5,
        _ => 6,
    };

    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
