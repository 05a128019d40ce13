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
    // Piped files bind to -LiteralPath by PSPath/FullName, so a name holding '[' is never read as a wildcard.
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Paths taken as written (a name with '[' or '*'); Get-Item and Get-ChildItem output binds here by PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

    [Parameter]
    public SwitchParameter ExpectFips { get; set; }

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }


    private CertificateCheckOptions Options => new()
    {
        Profile = ComplianceProfile ?? ComplianceProfiles.Default,
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
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var path in (literal ? LiteralPath : Path).SelectMany(p => Resolve(p, literal)))
        {
            try
            {
                foreach (var report in CertificateAnalyzer.AnalyzeFile(path, Options))
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

    private IReadOnlyList<string> Resolve(string path, bool literal)
    {
        var resolved = ProviderPaths.ResolveExisting(this, path, literal, ErrorIds.CertificateFileNotFound, "certificate file");
        if (resolved.Failure is { } failure)
        {
            WriteItemFailure(failure);
        }
        return resolved.Paths;
    }

    private void Write(CertificateReport report) => WriteVerdict(report, report.Status is CheckStatus.Pass or CheckStatus.Warning);

}
