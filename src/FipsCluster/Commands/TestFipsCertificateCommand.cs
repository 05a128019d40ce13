using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Judges certificates (PEM bundles, DER files, X509Certificate2 objects) against FIPS rules: key, signature, validity, swarm FIPS marker.</summary>
// The default set is the pipeline one: with Path as default, PowerShell refused certificate objects from the pipeline.
[Cmdlet(VerbsDiagnostic.Test, "FipsCertificate", DefaultParameterSetName = CertificateSet)]
[OutputType(typeof(CertificateReport), typeof(bool))]
public sealed class TestFipsCertificateCommand : FipsVerdictCmdlet
{
    private const string PathSet = "Path";
    private const string CertificateSet = "Certificate";
    // Strings by value too: otherwise PowerShell coerced a piped path with X509Certificate2's file constructor (only the
    // first certificate of a bundle, and relative to the process's directory instead of the current location).
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

    [Parameter]
    public SwitchParameter ExpectFips { get; set; }

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? Profile { get; set; }


    private CertificateCheckOptions Options => new()
    {
        Profile = Profile ?? ComplianceProfiles.Default,
        ExpectFips = ExpectFips.IsPresent ? true : null,
    };

    protected override void ProcessRecordCore()
    {
        if (ParameterSetName == CertificateSet)
        {
            foreach (var certificate in Certificate)
            {
                Write(CertificateAnalyzer.Analyze(certificate, Options));
            }
            return;
        }
        foreach (var path in Path)
        {
            try
            {
                foreach (var report in CertificateAnalyzer.AnalyzeFile(GetUnresolvedProviderPathFromPSPath(path), Options))
                {
                    Write(report);
                }
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
        }
    }

    private void Write(CertificateReport report) => WriteVerdict(report, report.Status is CheckStatus.Pass or CheckStatus.Warning);

}
