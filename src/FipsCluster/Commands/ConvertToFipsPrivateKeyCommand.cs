using System.Management.Automation;
using System.Security;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>
/// Rewrites private keys as PKCS#8 encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), atomically, keeping the
/// original's owner, group and mode; no copy of the original remains unless -Backup.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "FipsPrivateKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(PrivateKeyConversionResult))]
public sealed class ConvertToFipsPrivateKeyCommand : FipsCmdlet
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

    [Parameter(Position = 1)]
    public SecureString? Passphrase { get; set; }

    [Parameter]
    public SecureString? NewPassphrase { get; set; }

    [Parameter]
    [ValidateRange(1000, 100_000_000)]
    public int Iterations { get; set; } = PrivateKeyConverter.DefaultIterations;

    /// <summary>Keeps the original as &lt;path&gt;.bak (same owner, group and mode). Without it no copy remains.</summary>
    [Parameter]
    public SwitchParameter Backup { get; set; }

    /// <summary>Converts a key that has other hard links, which keep the original content.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }

    protected override void BeginProcessingCore()
    {
        // Keys the module writes are always encrypted: an unencrypted input needs a new passphrase.
        if (Passphrase is null && NewPassphrase is null)
        {
            ThrowFailure(new FipsClusterException(ErrorIds.PrivateKeyPassphraseRequired, FipsErrorCategory.InvalidArgument,
                "Give -Passphrase (the key's current passphrase, kept for the new file) or -NewPassphrase: keys are written encrypted.", "NewPassphrase"));
        }
    }

    protected override void ProcessRecordCore()
    {
        foreach (var resolved in Paths.SelectMany(Resolve))
        {
            try
            {
                var options = new PrivateKeyConversionOptions
                {
                    Passphrase = Passphrase, NewPassphrase = NewPassphrase ?? Passphrase, Backup = Backup, Iterations = Iterations,
                    Standard = (ComplianceProfile ?? ComplianceProfiles.Default).Standard, Force = Force, Warning = WriteWarning,
                };
                var result = PrivateKeyConverter.Convert(resolved, options, (target, action) => ShouldProcess(target, action));
                if (result is not null)
                {
                    if (result.BackupPath is { } backup)
                    {
                        WriteVerbose($"{resolved}: the original is kept at {backup}.");
                    }
                    WriteObject(result);
                }
            }
            catch (FipsClusterException ex)
            {
                WriteFailure(ex);
            }
        }
    }

    private IReadOnlyList<string> Resolve(string path)
    {
        var resolved = ProviderPaths.ResolveExisting(this, path, Literal, ErrorIds.PrivateKeyFileNotFound, "private key file");
        if (resolved.Failure is { } failure)
        {
            WriteFailure(failure);
        }
        return resolved.Paths;
    }
}
