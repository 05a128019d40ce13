using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Reports how private keys are stored (format, encryption scheme, KDF parameters, file mode) and judges it against FIPS rules. Never reads key material into any output.</summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsPrivateKey")]
[OutputType(typeof(PrivateKeyReport), typeof(bool))]
public sealed class TestFipsPrivateKeyCommand : FipsVerdictCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? Profile { get; set; }


    protected override void ProcessRecordCore()
    {
        foreach (var path in Path)
        {
            try
            {
                var report = PrivateKeyAnalyzer.Analyze(GetUnresolvedProviderPathFromPSPath(path), Profile ?? ComplianceProfiles.Default);
                WriteVerdict(report, report.Status is CheckStatus.Pass or CheckStatus.Warning);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
        }
    }

}
