using System.Management.Automation;
using FipsCluster.Core.Compliance.Reports;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>
/// Writes compliance reports (node, cluster and artifact reports; live or re-imported) as a document: HTML for people, JUnit
/// for CI, XCCDF for SCAP tools, CSV or Markdown. Without -Path the text goes to the pipeline; with -Path the file is written
/// atomically, an existing file only with -Force, and -PassThru returns it.
/// </summary>
[Cmdlet(VerbsData.Export, "FipsComplianceReport", SupportsShouldProcess = true, DefaultParameterSetName = TextSet)]
[OutputType(typeof(string), ParameterSetName = new[] { TextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportFipsComplianceReportCommand : FipsCmdlet
{
    private const string TextSet = "Text";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly List<object> _reports = new();
    private int _inputs;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject InputObject { get; set; } = null!;

    [Parameter(Position = 0)]
    public ComplianceReportFormat Format { get; set; } = ComplianceReportFormat.Html;

    /// <summary>The file to write; wildcards, as Out-File's -FilePath, must match exactly one existing file.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string Path { get; set; } = "";

    /// <summary>The file to write, taken as written (a name with '[' or '*').</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = ReportDocumentInfo.DefaultTitle;

    protected override void ProcessRecordCore()
    {
        try
        {
            _reports.AddRange(ReportInputs.Reports(InputObject, $"Input #{++_inputs}"));
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }

    protected override void EndProcessingCore()
    {
        string? target = null;
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            var literal = ParameterSetName == LiteralPathSet;
            var resolved = ProviderPaths.ResolveOutput(this, literal ? LiteralPath : Path, literal, ErrorIds.ComplianceReportWriteFailed, "report file");
            if (resolved.Failure is { } failure)
            {
                ThrowFailure(failure);
                return;
            }
            target = resolved.Paths[0];
        }
        var export = ComplianceReportExporter.Export(new ComplianceReportExportRequest
        {
            Reports = _reports,
            Format = Format,
            Title = Title,
            Path = target,
            Overwrite = Force.IsPresent,
            ShouldProcess = (target, action) => ShouldProcess(target, action),
        }, StopToken);
        if (export.Text is { } text)
        {
            WriteObject(text);
        }
        else if (export.File is { } file && PassThru.IsPresent)
        {
            WriteObject(file);
        }
    }
}
