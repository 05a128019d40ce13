using System.Net.Sockets;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Tokens;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// Gathers a node's facts over SSH in one exec: the batched fact script, run by /bin/sh on the node.
/// The host key is checked against known_hosts before authentication; a changed key is always refused.
/// </summary>
public sealed class SshFactCollector
{
    private readonly SshOptions _options;
    private readonly KnownHosts _knownHosts;
    private readonly byte[]? _keyFile;
    private readonly string _command;

    public SshFactCollector(SshOptions options)
    {
        _options = options;
        _command = "/bin/sh -c " + ShellFactScript.Quote(ShellFactScript.ScriptFor(options.Scope));
        _knownHosts = KnownHosts.Load(options.KnownHostsPath);
        if (options.Login.KeyFilePath is { } keyPath)
        {
            try
            {
                _keyFile = File.ReadAllBytes(keyPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.ReadError, $"The SSH key file '{keyPath}' could not be read: {ex.Message}", keyPath, ex);
            }
            // Parse once up front so a wrong passphrase or a bad file fails the command, not every node.
            _ = CreateKey();
        }
    }

    /// <summary>Raised (from any thread) before a retry: why, and when.</summary>
    public event Action<string>? Retrying;

    /// <summary>Raised (from any thread) when a new host key was accepted under AcceptNew: (host, SHA256 fingerprint).</summary>
    public event Action<string, string>? HostKeyAccepted;

    private PrivateKeyFile CreateKey()
    {
        try
        {
            using var stream = new MemoryStream(_keyFile!, writable: false);
            return _options.Login.KeyPassphrase is { } passphrase
                ? SecretText.Use(passphrase, text => new PrivateKeyFile(stream, new string(text)))
                : new PrivateKeyFile(stream);
        }
        catch (Exception ex) when (ex is SshException or SshPassPhraseNullOrEmptyException or InvalidOperationException or ArgumentException or FormatException or NotSupportedException)
        {
            // The parser's message names the problem (format, passphrase); it never contains the key.
            throw new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidData,
                $"The SSH key file '{_options.Login.KeyFilePath}' could not be loaded: {ex.Message}", _options.Login.KeyFilePath, ex);
        }
    }

    private AuthenticationMethod CreateAuthentication()
    {
        var user = _options.Login.UserName;
        if (_keyFile is not null)
        {
            return new PrivateKeyAuthenticationMethod(user, CreateKey());
        }
        if (_options.Login.Password is { } password)
        {
            return SecretText.Use(password, text => new PasswordAuthenticationMethod(user, System.Text.Encoding.UTF8.GetBytes(text.ToArray())));
        }
        throw new FipsClusterException(ErrorIds.InvalidNodeTarget, FipsErrorCategory.InvalidArgument, "SSH needs -KeyFilePath or -Credential.", user);
    }

    /// <summary>Connects, verifies the host key, runs the script, parses its output. Throws <see cref="FipsClusterException"/> with a specific id on failure.</summary>
    public async Task<NodeFacts> CollectAsync(HostEndpoint endpoint, CancellationToken cancellation)
    {
        var host = endpoint.ToString();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.Timeout);
        var attempt = 0;
        while (true)
        {
            attempt++;
            try
            {
                return await CollectOnceAsync(endpoint, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout,
                    $"{host}: no answer within {_options.Timeout.TotalSeconds:0.#} s (connect, authenticate and gather facts).", host);
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < _options.MaxAttempts && !timeout.IsCancellationRequested)
            {
                // sshd drops connections past MaxStartups before its banner; back off (exponential, capped at 2 s,
                // with jitter so a fleet does not come back in lockstep) and try again within the node's timeout.
                var backoff = Math.Min(2000, 100 << Math.Min(attempt, 5));
                var delay = TimeSpan.FromMilliseconds(backoff / 2 + Random.Shared.Next(0, backoff));
                Retrying?.Invoke($"{host}: {ex.Message.TrimEnd('.')}; attempt {attempt + 1} in {delay.TotalMilliseconds:0} ms.");
                try
                {
                    await Task.Delay(delay, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    throw Classify(host, ex);
                }
            }
            catch (FipsClusterException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Classify(host, ex);
            }
        }
    }

    private async Task<NodeFacts> CollectOnceAsync(HostEndpoint endpoint, CancellationToken cancellation)
    {
        var (host, port) = endpoint;
        var connection = new ConnectionInfo(host, port, _options.Login.UserName, CreateAuthentication())
        {
            Timeout = _options.Timeout,
        };
        FipsSshAlgorithms.Apply(connection);
        PreferKnownHostKeyTypes(connection, host, port);
        string? hostKeyProblem = null;
        string? problemId = null;
        using var client = new SshClient(connection);
        client.HostKeyReceived += (_, e) =>
        {
            var verdict = _knownHosts.Verify(host, port, e.HostKey);
            switch (verdict)
            {
                case HostKeyVerdict.Trusted:
                    e.CanTrust = true;
                    break;
                case HostKeyVerdict.Unknown when _options.HostKeyPolicy is HostKeyPolicy.AcceptNew:
                    _knownHosts.Add(host, port, KeyType(e.HostKey) ?? e.HostKeyName, e.HostKey);
                    HostKeyAccepted?.Invoke(KnownHosts.HostName(host, port), "SHA256:" + e.FingerPrintSHA256);
                    e.CanTrust = true;
                    break;
                case HostKeyVerdict.Unknown:
                    e.CanTrust = false;
                    problemId = ErrorIds.SshHostKeyUnknown;
                    hostKeyProblem = $"{host}: host key {e.HostKeyName} SHA256:{e.FingerPrintSHA256} is not in {_options.KnownHostsPath}. "
                        + "Add it (ssh-keyscan, or connect once with ssh) or use -HostKeyPolicy AcceptNew.";
                    break;
                default:
                    e.CanTrust = false;
                    problemId = ErrorIds.SshHostKeyMismatch;
                    hostKeyProblem = $"{host}: the host key {e.HostKeyName} SHA256:{e.FingerPrintSHA256} does not match {_options.KnownHostsPath}"
                        + (verdict is HostKeyVerdict.Revoked ? " (it is marked @revoked)" : " (the host key has changed: possible man-in-the-middle)") + ".";
                    break;
            }
        };
        try
        {
            await client.ConnectAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception) when (hostKeyProblem is not null)
        {
            throw new FipsClusterException(problemId!, FipsErrorCategory.SecurityError, hostKeyProblem, host);
        }
        using var command = client.CreateCommand(_command);
        command.CommandTimeout = _options.Timeout;
        await command.ExecuteAsync(cancellation).ConfigureAwait(false);
        var facts = ShellFactScript.Parse(command.Result, NodeTransport.Ssh);
        client.Disconnect();
        return facts;
    }

    /// <summary>As OpenSSH does: when the host is known, negotiate only the key types known_hosts holds for it.</summary>
    private void PreferKnownHostKeyTypes(ConnectionInfo connection, string host, int port)
    {
        var known = _knownHosts.KeyTypesFor(host, port);
        if (known.Count == 0)
        {
            return;
        }
        var allowed = new HashSet<string>(known, StringComparer.Ordinal);
        if (allowed.Contains("ssh-rsa"))
        {
            allowed.UnionWith(new[] { "rsa-sha2-512", "rsa-sha2-256" });
        }
        foreach (var name in connection.HostKeyAlgorithms.Keys.ToList())
        {
            if (!allowed.Contains(name) && !allowed.Any(k => name.StartsWith(k + "-cert", StringComparison.Ordinal)))
            {
                connection.HostKeyAlgorithms.Remove(name);
            }
        }
    }

    /// <summary>The key type named inside an SSH public key blob (its first string).</summary>
    private static string? KeyType(byte[] blob)
    {
        if (blob.Length < 4)
        {
            return null;
        }
        var length = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
        return length > 0 && length <= blob.Length - 4 ? System.Text.Encoding.ASCII.GetString(blob, 4, length) : null;
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        SshConnectionException connection => connection.Message.Contains("identification string", StringComparison.OrdinalIgnoreCase)
                                             || connection.Message.Contains("connection was closed", StringComparison.OrdinalIgnoreCase),
        SocketException socket => socket.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted,
        IOException io => io.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted },
        _ => false,
    };

    private static FipsClusterException Classify(string host, Exception ex) => ex switch
    {
        SshAuthenticationException => new FipsClusterException(ErrorIds.SshAuthenticationFailed, FipsErrorCategory.AuthenticationError,
            $"{host}: authentication failed ({ex.Message}).", host, ex),
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => new FipsClusterException(ErrorIds.NodeUnreachable, FipsErrorCategory.ConnectionError,
            $"{host}: connection refused (no SSH server listening).", host, ex),
        SocketException socket => new FipsClusterException(ErrorIds.NodeUnreachable, FipsErrorCategory.ConnectionError,
            $"{host}: {socket.SocketErrorCode} ({socket.Message}).", host, ex),
        SshOperationTimeoutException => new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout,
            $"{host}: {ex.Message}", host, ex),
        SshConnectionException => new FipsClusterException(ErrorIds.SshConnectionFailed, FipsErrorCategory.ConnectionError,
            $"{host}: the SSH connection failed ({ex.Message}).", host, ex),
        _ => new FipsClusterException(ErrorIds.SshConnectionFailed, FipsErrorCategory.ConnectionError,
            $"{host}: {ex.GetType().Name}: {ex.Message}", host, ex),
    };
}
