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
[Cmdlet(VerbsData.ConvertTo, "FipsPrivateKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PrivateKeyConversionResult))]
public sealed class ConvertToFipsPrivateKeyCommand : FipsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

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
    public ComplianceProfile? Profile { get; set; }

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
        foreach (var path in Path)
        {
            var resolved = GetUnresolvedProviderPathFromPSPath(path);
            try
            {
                var result = PrivateKeyConverter.Convert(resolved, Passphrase, NewPassphrase ?? Passphrase, Backup, (target, action) => ShouldProcess(target, action),
                    Iterations, (Profile ?? ComplianceProfiles.Default).Standard, Force, WriteWarning);
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
}
