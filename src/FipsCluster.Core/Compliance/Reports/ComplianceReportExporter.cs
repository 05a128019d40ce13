using System.Reflection;
using System.Text;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>What to export, in which format, and where (no path: the text is returned).</summary>
public sealed class ComplianceReportExportRequest
{
    public required IReadOnlyList<object> Reports { get; init; }

    public ComplianceReportFormat Format { get; init; } = ComplianceReportFormat.Html;

    public string Title { get; init; } = ReportDocumentInfo.DefaultTitle;

    /// <summary>The file to write (a full file system path); null returns the text.</summary>
    public string? Path { get; init; }

    /// <summary>Replace an existing file (-Force); without it an existing file is refused.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Asked before the file is written ("should I?", wired to ShouldProcess): target, action.</summary>
    public Func<string, string, bool> ShouldProcess { get; init; } = (_, _) => true;

    public DateTimeOffset GeneratedAt { get; init; } = DateTimeOffset.UtcNow;

    public string GeneratedBy { get; init; } = Judgement.By;
}

/// <summary>The text (no path), the file written, or neither (ShouldProcess declined).</summary>
public sealed record ComplianceReportExport(string? Text, FileInfo? File);

/// <summary>
/// Export-FipsComplianceReport's service: normalizes the reports once (<see cref="ComplianceReportSet"/>), renders the
/// format, and either returns the text or writes the file atomically — into a temporary file beside the target, flushed to
/// disk, then renamed over it — so a reader never sees half a report and a failed export leaves the old file as it was.
/// </summary>
public static class ComplianceReportExporter
{
    public static string Version { get; } = typeof(ComplianceReportExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ComplianceReportExporter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static IComplianceReportWriter WriterFor(ComplianceReportFormat format) => format switch
    {
        ComplianceReportFormat.Html => new HtmlReportWriter(),
        ComplianceReportFormat.JUnit => new JUnitReportWriter(),
        ComplianceReportFormat.Xccdf => new XccdfReportWriter(),
        ComplianceReportFormat.Csv => new CsvReportWriter(),
        ComplianceReportFormat.Markdown => new MarkdownReportWriter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an export format"),
    };

    public static ComplianceReportExport Export(ComplianceReportExportRequest request, CancellationToken cancellation = default)
    {
        if (request.Reports.Count == 0)
        {
            throw new FipsClusterException(ErrorIds.ComplianceReportRequired, FipsErrorCategory.InvalidArgument,
                "No compliance report was given: pipe reports from Test-FipsNode, Test-FipsCluster, Test-FipsBinary, Test-FipsCertificate, Test-FipsPrivateKey or Test-FipsTlsEndpoint (or re-imported ones).");
        }
        var info = new ReportDocumentInfo(string.IsNullOrWhiteSpace(request.Title) ? ReportDocumentInfo.DefaultTitle : ReportText.Clean(request.Title),
            request.GeneratedAt, ReportText.Clean(request.GeneratedBy), Version);
        var writer = WriterFor(request.Format);
        if (request.Path is null)
        {
            var set = ComplianceReportSet.From(request.Reports, cancellation);
            using var buffer = new MemoryStream();
            writer.Write(set, info, buffer, cancellation);
            return new ComplianceReportExport(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        var path = System.IO.Path.GetFullPath(request.Path);
        if (!request.ShouldProcess(path, $"Write the {request.Format} compliance report of {request.Reports.Count} report(s)"))
        {
            return new ComplianceReportExport(null, null);
        }
        return new ComplianceReportExport(null, WriteFile(path, request.Overwrite, stream => writer.Write(ComplianceReportSet.From(request.Reports, cancellation), info, stream, cancellation)));
    }

    private static FileInfo WriteFile(string path, bool overwrite, Action<Stream> write)
    {
        var folder = System.IO.Path.GetDirectoryName(path) ?? throw WriteFailed(path, "it has no folder");
        if (Directory.Exists(path))
        {
            throw WriteFailed(path, "it is a folder");
        }
        if (!Directory.Exists(folder))
        {
            throw WriteFailed(path, $"the folder '{folder}' does not exist");
        }
        if (!overwrite && File.Exists(path))
        {
            throw Exists(path);
        }
        var temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite);
            return new FileInfo(path);
        }
        catch (IOException) when (!overwrite && File.Exists(path) && File.Exists(temporary))
        {
            throw Exists(path); // it appeared while the report was written
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(path, ex.Message, ex);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static FipsClusterException Exists(string path) =>
        new(ErrorIds.ComplianceReportExists, FipsErrorCategory.ResourceExists, $"'{path}' already exists: give -Force to replace it.", path);

    private static FipsClusterException WriteFailed(string path, string why, Exception? inner = null) =>
        new(ErrorIds.ComplianceReportWriteFailed, FipsErrorCategory.WriteError, $"The compliance report could not be written to '{path}': {why}", path, inner);
}
