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
    private readonly BuildInfoWindowCache? _windows;

    /// <summary>With <paramref name="windows"/> (shared by the collectors of one scan), each build-info window is fetched from one node only.</summary>
    public SshFactCollector(SshOptions options, BuildInfoWindowCache? windows = null)
    {
        _windows = options.Scope.HasFlag(FactScope.Binaries) ? windows : null;
        _command = "/bin/sh -c " + ShellFactScript.Quote(ShellFactScript.ScriptFor(options.Scope, _windows is null ? BuildInfoWindows.Send : BuildInfoWindows.Ask));
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
        // One deadline for the node: connecting, running, waiting for windows other nodes send, and parsing.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(_timeout);
        var owned = new List<string>();
        var pending = new List<(string Digest, Task<byte[]?> Window)>();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var dialogue = _windows is null ? null : new SshDialogue(ShellFactScript.AskLine, soFar => Ask(soFar, owned, pending),
                    ShellFactScript.AskForAllWindows, TimeSpan.FromTicks(Math.Min(_timeout.Ticks / 3, TimeSpan.FromSeconds(10).Ticks)));
                var result = await _runner.RunAsync(endpoint, new SshCommand(_command, "connect, authenticate and gather facts") { Dialogue = dialogue }, cancellation).ConfigureAwait(false);
                var facts = ShellFactScript.Parse(result.Output, NodeTransport.Ssh, endpoint.ToString(), _windows is null ? null : _windows.Known, deadline.Token);
                // Deliver first, then wait: two nodes each owning a window the other waits for never wait on each other.
                foreach (var (digest, bytes) in facts.ReceivedWindows)
                {
                    if (owned.Contains(digest) && !_windows!.Deliver(digest, bytes))
                    {
                        facts.CollectionErrors.Add($"A build-info window does not hash to the SHA-256 the node offered it under ({digest}).");
                    }
                }
                if (pending.Count == 0)
                {
                    return facts;
                }
                // Windows other nodes were asked for (each owner's run ends within its own deadline).
                var missing = false;
                foreach (var (_, window) in pending)
                {
                    missing |= await window.WaitAsync(deadline.Token).ConfigureAwait(false) is null;
                }
                pending.Clear();
                if (missing && attempt == 1)
                {
                    // An owner could not deliver: ask this node again, for what is still not known.
                    continue;
                }
                facts = ShellFactScript.Parse(result.Output, NodeTransport.Ssh, endpoint.ToString(), _windows!.Known, deadline.Token);
                return facts;
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout,
                $"{endpoint}: its facts were not gathered and parsed within {_timeout.TotalSeconds:0.#} s.", endpoint.ToString());
        }
        finally
        {
            // Whatever this node was to deliver and did not: the nodes waiting for it ask their own.
            foreach (var digest in owned)
            {
                _windows!.Abandon(digest);
            }
        }
    }

    /// <summary>The answer to the node's question: the "offset path" of each offered window no node has delivered or owns.</summary>
    private string Ask(string soFar, List<string> owned, List<(string, Task<byte[]?>)> pending)
    {
        var answer = new System.Text.StringBuilder();
        foreach (var (offset, digest, path) in ShellFactScript.OfferedWindows(soFar))
        {
            if (digest.Length == 0)
            {
                answer.Append(offset).Append(' ').Append(path).Append('\n');
                continue;
            }
            var (owner, window) = _windows!.Claim(digest);
            if (owner)
            {
                owned.Add(digest);
                answer.Append(offset).Append(' ').Append(path).Append('\n');
            }
            else if (window is not null)
            {
                pending.Add((digest, window));
            }
        }
        return answer.Append('\n').ToString();
    }
}
