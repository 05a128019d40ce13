using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Tokens;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// Gathers a node's facts over SSH in one exec: the batched fact script, run by /bin/sh on the node.
/// Connection, host-key policy, authentication and retries are <see cref="SshCommandRunner"/>'s.
/// </summary>
public sealed class SshFactCollector
{
    private readonly SshCommandRunner _runner;
    private readonly string _command;
    private readonly TimeSpan _timeout;

    public SshFactCollector(SshOptions options)
    {
        _command = "/bin/sh -c " + ShellFactScript.Quote(ShellFactScript.ScriptFor(options.Scope));
        _runner = new SshCommandRunner(options);
        _timeout = options.Timeout;
    }

    /// <summary>Raised (from any thread) before a retry: why, and when.</summary>
    public event Action<string>? Retrying
    {
        add => _runner.Retrying += value;
        remove => _runner.Retrying -= value;
    }

    /// <summary>Raised (from any thread) when a new host key was accepted under AcceptNew: (host, SHA256 fingerprint).</summary>
    public event Action<string, string>? HostKeyAccepted
    {
        add => _runner.HostKeyAccepted += value;
        remove => _runner.HostKeyAccepted -= value;
    }

    /// <summary>Connects, verifies the host key, runs the script, parses its output. Throws <see cref="FipsClusterException"/> with a specific id on failure.</summary>
    public async Task<NodeFacts> CollectAsync(HostEndpoint endpoint, CancellationToken cancellation)
    {
        // One deadline for the node: connecting, running and parsing what it sent.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(_timeout);
        var result = await _runner.RunAsync(endpoint, _command, null, null, "connect, authenticate and gather facts", cancellation).ConfigureAwait(false);
        try
        {
            return ShellFactScript.Parse(result.Output, NodeTransport.Ssh, endpoint.ToString(), deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout,
                $"{endpoint}: its facts were not parsed within {_timeout.TotalSeconds:0.#} s.", endpoint.ToString());
        }
    }
}
