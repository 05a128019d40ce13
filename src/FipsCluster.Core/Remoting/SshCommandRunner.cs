using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using FipsCluster.Core.Tokens;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace FipsCluster.Core.Remoting;

/// <summary>What a remote command left: its exit status (null when it died by a signal) and its output.</summary>
public sealed record SshCommandResult(int? ExitStatus, string Output, string Error)
{
    /// <summary>The output may be a secret (e.g. a join command): never shown.</summary>
    public override string ToString() => $"exit {ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(signal)"}";
}

/// <summary>
/// A question the remote command asks on its output (a whole line, e.g. "\n@@FC ask\n") and how to answer it from the
/// output so far. The answer must not throw; it runs on the thread that reads the command's output. When the question
/// has not arrived after <see cref="Patience"/> (a wrapper on the node that buffers the command's output would hide it
/// until the command ends, and the command waits for the answer), <see cref="Fallback"/> is sent instead: it must be
/// an answer that is always right, only less economical.
/// </summary>
public sealed record SshDialogue(byte[] Question, Func<string, string> Answer, string Fallback, TimeSpan Patience);

/// <summary>
/// Runs one command on a node over SSH — the one place that connects: only FIPS-approved algorithms
/// (<see cref="FipsSshAlgorithms"/>), the host key checked against known_hosts before authentication (a changed key is
/// always refused), key or password login, transient connection drops retried with backoff within the timeout.
/// Messages and exceptions never contain the command, its input or its output.
/// </summary>
public sealed class SshCommandRunner
{
    private readonly SshOptions _options;
    private readonly KnownHosts _knownHosts;
    private readonly byte[]? _keyFile;

    public SshCommandRunner(SshOptions options)
    {
        _options = options;
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

    public SshOptions Options => _options;

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
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // The parsers throw many kinds (SshException, FormatException, BouncyCastle's InvalidCipherTextException for a
            // wrong PKCS#8 passphrase…): each means this key cannot be used.
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
            return SecretText.Use(password, text => new PasswordAuthenticationMethod(user, Encoding.UTF8.GetBytes(text.ToArray())));
        }
        throw new FipsClusterException(ErrorIds.InvalidNodeTarget, FipsErrorCategory.InvalidArgument, "SSH needs -KeyFilePath or -Credential.", user);
    }

    /// <summary>
    /// Connects, verifies the host key, runs the command (with its input on stdin, then end of input; with a dialogue,
    /// stdin stays open until the output asks the dialogue's question, whose answer is then written and stdin closed)
    /// and returns what it left, whatever its exit status. Connection drops before the command was sent are retried;
    /// once sent, a command is never sent twice. Throws <see cref="FipsClusterException"/> with a specific id on
    /// connection failures; <see cref="SshCommand.What"/> names the work in the timeout message.
    /// </summary>
    public async Task<SshCommandResult> RunAsync(HostEndpoint endpoint, SshCommand ssh, CancellationToken cancellation)
    {
        var (command, input, timeout, what, dialogue) = (ssh.Command, ssh.Input, ssh.Timeout, ssh.What, ssh.Dialogue);
        var host = endpoint.ToString();
        var limit = timeout ?? _options.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(limit);
        var attempt = 0;
        while (true)
        {
            attempt++;
            var sent = new StrongBox<bool>();
            try
            {
                return await RunOnceAsync(endpoint, command, input, dialogue, limit, sent, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout,
                    $"{host}: no answer within {limit.TotalSeconds:0.#} s ({what}).", host);
            }
            catch (Exception ex) when (IsTransient(ex) && !sent.Value && attempt < _options.MaxAttempts && !deadline.IsCancellationRequested)
            {
                // sshd drops connections past MaxStartups before its banner; back off (exponential, capped at 2 s,
                // with jitter so a fleet does not come back in lockstep) and try again within the node's timeout.
                var backoff = Math.Min(2000, 100 << Math.Min(attempt, 5));
                var delay = TimeSpan.FromMilliseconds(backoff / 2 + Random.Shared.Next(0, backoff));
                Retrying?.Invoke($"{host}: {ex.Message.TrimEnd('.')}; attempt {attempt + 1} in {delay.TotalMilliseconds:0} ms.");
                try
                {
                    await Task.Delay(delay, deadline.Token).ConfigureAwait(false);
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

    private sealed class StrongBox<T>
    {
        public T? Value { get; set; }
    }

    private async Task<SshCommandResult> RunOnceAsync(HostEndpoint endpoint, string commandText, string? input, SshDialogue? dialogue, TimeSpan limit, StrongBox<bool> sent, CancellationToken cancellation)
    {
        var (host, port) = endpoint;
        var connection = new ConnectionInfo(host, port, _options.Login.UserName, CreateAuthentication())
        {
            Timeout = _options.Timeout < limit ? _options.Timeout : limit,
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
                    try
                    {
                        // The key type inside the blob is the server's text: KnownHosts refuses any that could break the line.
                        _knownHosts.Add(host, port, KeyType(e.HostKey) ?? e.HostKeyName, e.HostKey);
                    }
                    catch (FipsClusterException refused)
                    {
                        e.CanTrust = false;
                        problemId = refused.ErrorId;
                        hostKeyProblem = refused.Message;
                        break;
                    }
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
        using var command = client.CreateCommand(commandText);
        command.CommandTimeout = limit;
        sent.Value = true;
        var running = command.ExecuteAsync(cancellation);
        // SSH.NET buffers a command's output without bound: drain stdout and stderr as they arrive, within one budget
        // for the node. Past it the command is killed and its channel closed (the connection with it, below).
        var budget = new NodeOutput.Budget(NodeReadLimits.FactsBytes);
        void Exceeded()
        {
            try
            {
                command.CancelAsync(forceKill: true, millisecondsTimeout: 0);
            }
            catch (Exception ex) when (ex is InvalidOperationException or SshException or ObjectDisposedException)
            {
                // Already finished or disconnected: nothing more will arrive.
            }
        }
        // The dialogue's stdin is opened before the output is read, so the answer can be written from the reading thread
        // the moment the question arrives (the node waits for it).
        var dialogueInput = dialogue is null ? null : command.CreateInputStream();
        var asked = false;
        var answering = new object();
        void Reply(Func<string> answer)
        {
            lock (answering)
            {
                if (asked)
                {
                    return;
                }
                asked = true;
                try
                {
                    var bytes = Encoding.UTF8.GetBytes(answer());
                    dialogueInput!.Write(bytes);
                    dialogueInput.Flush();
                }
                catch (Exception ex) when (ex is IOException or SshException or ObjectDisposedException or InvalidOperationException)
                {
                    // The channel ended under the answer: the command's output says what happened.
                }
                finally
                {
                    dialogueInput!.Dispose();
                }
            }
        }
        void Observe(byte[] buffer, int length, int read)
        {
            if (!Volatile.Read(ref asked) && NodeOutput.InLastChunk(buffer, length, read, dialogue!.Question))
            {
                Reply(() => dialogue.Answer(Encoding.UTF8.GetString(buffer, 0, length)));
            }
        }
        using var impatience = new CancellationTokenSource();
        if (dialogue is not null)
        {
            _ = Task.Delay(dialogue.Patience, impatience.Token).ContinueWith(_ => Reply(() => dialogue.Fallback),
                impatience.Token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
        var stdout = NodeOutput.DrainAsync(command.OutputStream, budget, Exceeded, dialogue is null ? null : Observe);
        var stderr = NodeOutput.DrainAsync(command.ExtendedOutputStream, budget, Exceeded);
        if (input is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(input);
            try
            {
                using var stdin = command.CreateInputStream();
                await stdin.WriteAsync(bytes, cancellation).ConfigureAwait(false);
            }
            catch (Exception) when (budget.IsExceeded)
            {
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception) when (budget.IsExceeded)
        {
        }
        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        impatience.Cancel();
        if (dialogueInput is not null)
        {
            Reply(() => "");
        }
        if (budget.IsExceeded || output is not { } outputBytes || error is not { } errorBytes)
        {
            throw NodeReadLimits.TooLarge(endpoint.ToString(), "its output", NodeReadLimits.FactsBytes);
        }
        var result = new SshCommandResult(command.ExitStatus, Encoding.UTF8.GetString(outputBytes), Encoding.UTF8.GetString(errorBytes));
        client.Disconnect();
        return result;
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
        return length > 0 && length <= blob.Length - 4 ? Encoding.ASCII.GetString(blob, 4, length) : null;
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
