using System.Security;

namespace FipsCluster.Core.Remoting;

/// <summary>How to log in to SSH nodes. Exactly one of a password or a key file; secrets stay in SecureString or on disk.</summary>
public sealed class SshLogin
{
    public required string UserName { get; init; }

    public SecureString? Password { get; init; }

    public string? KeyFilePath { get; init; }

    public SecureString? KeyPassphrase { get; init; }
}

/// <summary>Options of an SSH fact-gathering run.</summary>
public sealed class SshOptions
{
    public required SshLogin Login { get; init; }

    public HostKeyPolicy HostKeyPolicy { get; init; } = HostKeyPolicy.Strict;

    /// <summary>Which facts to gather (the profile's checks decide).</summary>
    public Compliance.Node.FactScope Scope { get; init; } = Compliance.Node.FactScope.All;

    /// <summary>The known_hosts file; default ~/.ssh/known_hosts.</summary>
    public string KnownHostsPath { get; init; } = DefaultKnownHostsPath;

    /// <summary>Per-node limit for connect + gather, retries included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts on a connection reset before the node is given up (sshd MaxStartups drops connections under load).</summary>
    public int MaxAttempts { get; init; } = 8;

    public static string DefaultKnownHostsPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");
}
