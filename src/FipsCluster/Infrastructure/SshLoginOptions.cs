using System.Management.Automation;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Infrastructure;

/// <summary>The SSH options for cmdlets not yet on <see cref="SshParameters"/>: the same rules, through the block.</summary>
internal static class SshLoginOptions
{
    public static SshOptions? Build(PSCmdlet cmdlet, PSCredential? credential, string? userName, string? keyFilePath, System.Security.SecureString? keyPassphrase,
        string? knownHostsPath, HostKeyPolicy policy, TimeSpan? timeout = null)
    {
        var block = new SshParameters
        {
            SshCredential = credential,
            UserName = userName,
            KeyFilePath = keyFilePath,
            KeyPassphrase = keyPassphrase,
            KnownHostsPath = knownHostsPath,
            HostKeyPolicy = policy,
        };
        return block.ToOptions(cmdlet, timeout);
    }
}
