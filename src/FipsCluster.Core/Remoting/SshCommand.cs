namespace FipsCluster.Core.Remoting;

/// <summary>
/// One command for <see cref="SshCommandRunner.RunAsync"/>: what runs, what it is called in messages, and what it is
/// given. A class, not a record: its input can hold secrets (a join token), and ToString names only the work.
/// </summary>
public sealed class SshCommand(string command, string what)
{
    /// <summary>The command line the remote shell runs.</summary>
    public string Command { get; } = command;

    /// <summary>The work, as a timeout or failure message names it ("kubeadm join").</summary>
    public string What { get; } = what;

    /// <summary>Written to the command's stdin, then end of input; null sends nothing.</summary>
    public string? Input { get; init; }

    /// <summary>How long the whole run may take; null takes the runner's timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Keeps stdin open until the output asks its question, then answers it (see <see cref="SshDialogue"/>).</summary>
    public SshDialogue? Dialogue { get; init; }

    public override string ToString() => What;
}
