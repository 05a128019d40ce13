using System.Management.Automation;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Reads which cryptography Go binaries really use (BoringCrypto, Go FIPS 140-3, OpenSSL-backed, standard) from the files themselves, without Go.</summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsBinary")]
[OutputType(typeof(GoBinaryReport), typeof(bool))]
public sealed class TestFipsBinaryCommand : FipsVerdictCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;


    protected override void ProcessRecordCore()
    {
        foreach (var path in Path)
        {
            var resolved = GetUnresolvedProviderPathFromPSPath(path);
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                WriteItemFailure(new FipsClusterException(ErrorIds.BinaryNotFound, FipsErrorCategory.ObjectNotFound, $"'{path}' does not exist.", path));
                continue;
            }
            // A directory lists its Go binaries (as `go version -m dir` does); a file named explicitly always gets a report.
            var directory = Directory.Exists(resolved);
            var reports = directory ? GoBinaryAnalyzer.AnalyzeManyBlocking(new[] { resolved }, ThrottleLimit, Recurse, StopToken) : new[] { GoBinaryAnalyzer.Analyze(resolved, StopToken) };
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

}
