using System.Management.Automation;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Reads which cryptography Go binaries really use (BoringCrypto, Go FIPS 140-3, OpenSSL-backed, standard) from the files themselves, without Go.</summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsBinary", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GoBinaryReport), typeof(bool))]
public sealed class TestFipsBinaryCommand : FipsVerdictCmdlet
{
    /// <summary>Paths with wildcards, as the FileSystem cmdlets' -Path. Piped files bind to -LiteralPath instead.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Paths taken as written (a name with '[' or '*'); Get-Item and Get-ChildItem output binds here by PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private bool Literal => ParameterSetName == LiteralPathSet;

    private string[] Paths => Literal ? LiteralPath : Path;

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = GoBinaryAnalyzer.DefaultThreads;


    /// <summary>Each file is judged once per invocation, whatever names (hard links) and pipeline inputs reach it.</summary>
    private readonly GoBinaryJudgements _judged = new();

    protected override void ProcessRecordCore()
    {
        foreach (var resolved in Paths.SelectMany(Resolve))
        {
            // A directory lists its Go binaries (as `go version -m dir` does); a file named explicitly always gets a report.
            var directory = Directory.Exists(resolved);
            var reports = directory
                ? GoBinaryAnalyzer.AnalyzeManyBlocking(new[] { resolved }, ThrottleLimit, Recurse, _judged, StopToken)
                : new[] { GoBinaryAnalyzer.Analyze(resolved, _judged, StopToken) };
            foreach (var report in reports)
            {
                if (directory && report.CryptoModule is GoCryptoModule.NotGo)
                {
                    continue;
                }
                WriteVerdict(report, report.Status is CheckStatus.Pass or CheckStatus.NotApplicable);
            }
        }
    }

    private IReadOnlyList<string> Resolve(string path)
    {
        var resolved = ProviderPaths.ResolveExisting(this, path, Literal, ErrorIds.BinaryNotFound, "binary");
        if (resolved.Failure is { } failure)
        {
            WriteItemFailure(failure);
        }
        return resolved.Paths;
    }

}
