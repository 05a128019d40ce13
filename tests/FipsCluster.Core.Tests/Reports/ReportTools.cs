using FipsCluster.Core.Compliance.Reports;
using Xunit;

namespace FipsCluster.Core.Tests.Reports;

/// <summary>Exports for the tests, and the external readers they are checked with (Chromium, oscap): under CI=true a missing one fails.</summary>
internal static class ReportTools
{
    public static readonly DateTimeOffset GeneratedAt = new(2026, 3, 5, 6, 7, 8, TimeSpan.Zero);

    public static string Export(ComplianceReportFormat format, IEnumerable<object> reports, string title = "Fleet FIPS report") =>
        ComplianceReportExporter.Export(new ComplianceReportExportRequest
        {
            Reports = reports.ToList(), Format = format, Title = title, GeneratedAt = GeneratedAt, GeneratedBy = "exporter@report-host",
        }).Text!;

    /// <summary>The tool's full path; skips the test locally and fails it with CI=true when the tool is not installed.</summary>
    public static string Require(string tool, string package)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            var why = $"{tool} is not installed (Debian package {package})";
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "CI=true: " + why);
            Skip.If(true, why);
        }
        return path!;
    }

    public static (int ExitCode, string Output, string Error) Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var (code, output, error) = ProcessRunner.Run(file, arguments, timeout: timeout);
        return (code, output, error);
    }
}
