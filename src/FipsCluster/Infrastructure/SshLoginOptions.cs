using System.Management.Automation;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Infrastructure;

/// <summary>How every cmdlet that reads a node over SSH turns its parameters into SSH options: one place for the defaults.</summary>
internal static class SshLoginOptions
{
    /// <summary>As ssh does without -i: the first default identity that exists (ECDSA and RSA first: they work with FIPS-only servers).</summary>
    public static string? DefaultKeyFile()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new[] { "id_ecdsa", "id_rsa", "id_ed25519" }.Select(n => Path.Combine(home, ".ssh", n)).FirstOrDefault(File.Exists);
    }

    /// <summary>Password login when a credential is given, else key login (the given key or the default one); null when neither exists.</summary>
    public static SshOptions? Build(PSCmdlet cmdlet, PSCredential? credential, string? userName, string? keyFilePath, System.Security.SecureString? keyPassphrase,
        string? knownHostsPath, HostKeyPolicy policy, TimeSpan? timeout = null)
    {
        SshLogin login;
        if (credential is not null && credential != PSCredential.Empty)
        {
            login = new SshLogin { UserName = credential.UserName.TrimStart('\\'), Password = credential.Password };
        }
        else
        {
            var key = keyFilePath is null ? DefaultKeyFile() : cmdlet.GetUnresolvedProviderPathFromPSPath(keyFilePath);
            if (key is null)
            {
                return null;
            }
            login = new SshLogin { UserName = userName ?? Environment.UserName, KeyFilePath = key, KeyPassphrase = keyPassphrase };
        }
        return new SshOptions
        {
            Login = login,
            HostKeyPolicy = policy,
            KnownHostsPath = knownHostsPath is null ? SshOptions.DefaultKnownHostsPath : cmdlet.GetUnresolvedProviderPathFromPSPath(knownHostsPath),
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
    }
}
