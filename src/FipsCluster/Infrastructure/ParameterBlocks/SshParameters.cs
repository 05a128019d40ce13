using System.Management.Automation;
using System.Security;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Infrastructure.ParameterBlocks;

/// <summary>
/// How every cmdlet that reaches a node over SSH logs in: one set of names and one place for the defaults (the key
/// ssh would use without -i, ~/.ssh/known_hosts, strict host keys, port 22). A password login (-SshCredential) and a
/// key login (-UserName, -KeyFilePath, -KeyPassphrase) are two ways in: giving both is refused, not guessed.
/// </summary>
public sealed class SshParameters : ParameterBlock
{
    /// <summary>Password login: the SSH user and password.</summary>
    [Parameter]
    [Credential]
    public PSCredential? SshCredential { get; set; }

    /// <summary>Key login: the SSH user; default the current user.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>Key login: the private key; default the first of ~/.ssh/id_ecdsa, id_rsa, id_ed25519.</summary>
    [Parameter]
    [Alias("IdentityFilePath")]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter]
    public SecureString? KeyPassphrase { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    [Parameter]
    public HostKeyPolicy HostKeyPolicy { get; set; } = HostKeyPolicy.Strict;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int SshPort { get; set; } = 22;

    /// <summary>The port the user chose; null lets a rule decide (e.g. the port an AWS cluster was created with).</summary>
    public int? GivenSshPort => IsBound(nameof(SshPort)) ? SshPort : null;

    /// <summary>As ssh does without -i: the first default identity that exists (ECDSA and RSA first: they work with FIPS-only servers).</summary>
    public static string? DefaultKeyFile()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new[] { "id_ecdsa", "id_rsa", "id_ed25519" }.Select(n => Path.Combine(home, ".ssh", n)).FirstOrDefault(File.Exists);
    }

    /// <summary>The SSH options these parameters describe; null when neither a password login nor a key (given or default) exists.</summary>
    public SshOptions? ToOptions(PSCmdlet cmdlet, TimeSpan? timeout = null)
    {
        SshLogin login;
        if (SshCredential is { } credential && credential != PSCredential.Empty)
        {
            var keyParameters = new[] { nameof(UserName), nameof(KeyFilePath), nameof(KeyPassphrase) }.Where(IsBound).ToList();
            if (keyParameters.Count > 0)
            {
                throw new FipsClusterException(ErrorIds.SshLoginConflict, FipsErrorCategory.InvalidArgument,
                    $"-SshCredential is a password login, and -{string.Join(", -", keyParameters)} {(keyParameters.Count == 1 ? "belongs" : "belong")} to a key login: give one of the two.", keyParameters[0])
                {
                    RecommendedAction = "Use -SshCredential alone for a password login, or -UserName with -KeyFilePath (and -KeyPassphrase) for a key login.",
                };
            }
            login = new SshLogin { UserName = credential.UserName.TrimStart('\\'), Password = credential.Password };
        }
        else
        {
            var key = KeyFilePath is null ? DefaultKeyFile() : cmdlet.GetUnresolvedProviderPathFromPSPath(KeyFilePath);
            if (key is null)
            {
                return null;
            }
            login = new SshLogin { UserName = UserName ?? Environment.UserName, KeyFilePath = key, KeyPassphrase = KeyPassphrase };
        }
        return new SshOptions
        {
            Login = login,
            HostKeyPolicy = HostKeyPolicy,
            KnownHostsPath = KnownHostsPath is null ? SshOptions.DefaultKnownHostsPath : cmdlet.GetUnresolvedProviderPathFromPSPath(KnownHostsPath),
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>As <see cref="ToOptions"/>, for work that cannot go on without SSH: says what needed it.</summary>
    public SshOptions RequireOptions(PSCmdlet cmdlet, string purpose, TimeSpan? timeout = null) =>
        ToOptions(cmdlet, timeout) ?? throw new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
            $"{purpose} needs an SSH login: -SshCredential, -KeyFilePath, or a key in ~/.ssh (id_ecdsa, id_rsa, id_ed25519).", "KeyFilePath");
}
