using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Reports how private keys are stored (format, encryption scheme, KDF parameters, file mode) and judges it against FIPS rules. Never reads key material into any output.</summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsPrivateKey", DefaultParameterSetName = PathSet)]
[OutputType(typeof(PrivateKeyReport), typeof(bool))]
public sealed class TestFipsPrivateKeyCommand : FipsVerdictCmdlet
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
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }


    protected override void ProcessRecordCore()
    {
        foreach (var path in Paths.SelectMany(Resolve))
        {
            try
            {
                var report = PrivateKeyAnalyzer.Analyze(path, ComplianceProfile ?? ComplianceProfiles.Default);
                WriteVerdict(report, report.Status is CheckStatus.Pass or CheckStatus.Warning);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
        }
    }

    private IReadOnlyList<string> Resolve(string path)
    {
        var resolved = ProviderPaths.ResolveExisting(this, path, Literal, ErrorIds.PrivateKeyFileNotFound, "private key file");
        if (resolved.Failure is { } failure)
        {
            WriteItemFailure(failure);
        }
        return resolved.Paths;
    }

}
