using System.Text.RegularExpressions;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>How New-FipsCluster -Provider AWS turns booted instances into one Kubernetes cluster over SSH.</summary>
public sealed record KubeadmJoinOptions
{
    public required SshOptions Ssh { get; init; }

    /// <summary>The port sshd listens on at every instance.</summary>
    public int Port { get; init; } = 22;

    /// <summary>How long a node's cloud-init (on the first control plane: kubeadm init) may take. Default 20 minutes.</summary>
    public TimeSpan BootstrapTimeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>How long one kubeadm join may take. Default 10 minutes.</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The first wait between two cloud-init status polls; it doubles up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan FirstPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The kubeadm configuration API of the cluster's kubeadm (KubernetesVersions.KubeadmApiVersion): the JoinConfiguration's apiVersion.</summary>
    public string KubeadmApiVersion { get; init; } = KubernetesVersions.KubeadmV1Beta3;

    /// <summary>Workers joined at once (control planes join one at a time, as kubeadm requires for etcd).</summary>
    public int ThrottleLimit { get; init; } = 16;

    /// <summary>
    /// A FIPS cluster: the nodes' bootstrap starts with the FIPS check (FipsKubeletGuard.EarlyCheck), so a failed
    /// cloud-init is followed by a look at the node's kernel flag, and a node outside FIPS mode is reported as such.
    /// </summary>
    public bool Fips { get; init; }
}

/// <summary>An instance to bootstrap: its ID, the address SSH reaches it at, ControlPlane or Worker.</summary>
public sealed record KubeadmNode(string InstanceId, string Address, string Role);

/// <summary>What happened to a node: Initialized (the first control plane), Joined, or Failed with the error.</summary>
public sealed record KubeadmJoinOutcome(string InstanceId, string State, FipsClusterException? Error)
{
    public const string Initialized = nameof(Initialized);
    public const string Joined = nameof(Joined);
    public const string Failed = nameof(Failed);
}

/// <summary>
/// Bootstraps a kubeadm cluster over SSH — the bootstrap secret never travels in EC2 user data (readable through the
/// EC2 API and the instance metadata service). On the first control plane it waits (backoff, bounded, Ctrl+C honoured)
/// until cloud-init has finished — its last command is kubeadm init, so cloud-init's status is kubeadm init's
/// result — then asks for a join command with a one-hour token (and, for more control planes, uploads the
/// certificates for a certificate key); every other node, once its own cloud-init has finished (the kubelet FIPS
/// guard is in place), joins with a kubeadm JoinConfiguration (the printed command's endpoint, token and CA hash, and
/// the certificate key) that a script on stdin writes to a 0600 file and passes as `kubeadm join --config`, removing it
/// afterwards whatever happened — so the token and key are on no command line on the node (`ps` shows none). The token
/// is deleted afterwards. The token and certificate key never reach a message, stream, record or exception: remote
/// output quoted in errors is redacted before it is shortened.
/// </summary>
public sealed partial class KubeadmBootstrapper
{
    /// <summary>Asked on each node before anything else: the reason it must not join (e.g. its evidence), or null.</summary>
    public delegate string? Refusal(string instanceId);

    private readonly KubeadmJoinOptions _options;
    private readonly SshCommandRunner _ssh;
    private readonly OperationContext _context;

    public KubeadmBootstrapper(KubeadmJoinOptions options, OperationContext context)
    {
        _options = options;
        _context = context;
        _ssh = new SshCommandRunner(options.Ssh);
        _ssh.Retrying += message => context.Verbose(message);
        _ssh.HostKeyAccepted += (host, fingerprint) => context.Warning($"Trusted a new host key for {host} ({fingerprint}) and recorded it in {options.Ssh.KnownHostsPath}.");
    }

    /// <summary>
    /// Initializes and joins. A problem with the first control plane (kubeadm init failed or did not finish, no join
    /// command) throws: there is no cluster. A node that cannot join is a per-node outcome; the others go on.
    /// </summary>
    public async Task<IReadOnlyList<KubeadmJoinOutcome>> RunAsync(IReadOnlyList<KubeadmNode> controlPlanes, IReadOnlyList<KubeadmNode> workers, Refusal? refuse = null)
    {
        var first = controlPlanes[0];
        if (refuse?.Invoke(first.InstanceId) is { } firstRefused)
        {
            throw new FipsClusterException(ErrorIds.NodeNotFipsCompliant, FipsErrorCategory.SecurityError,
                $"{first.InstanceId}: the first control plane is refused ({firstRefused}); the cluster cannot be initialized on it.", first.InstanceId);
        }
        var status = await WaitForCloudInitAsync(first, "kubeadm init").ConfigureAwait(false);
        if (status is not null)
        {
            throw status.ErrorId switch
            {
                ErrorIds.NodeTimedOut => new FipsClusterException(ErrorIds.KubeadmInitTimedOut, FipsErrorCategory.OperationTimeout, $"{first.InstanceId}: kubeadm init did not finish: {status.Message}", first.InstanceId, status),
                ErrorIds.KubeadmInitFailed => new FipsClusterException(ErrorIds.KubeadmInitFailed, FipsErrorCategory.InvalidResult, $"{first.InstanceId}: kubeadm init did not succeed: {status.Message}", first.InstanceId, status)
                {
                    RecommendedAction = "Read /var/log/cloud-init-output.log on the first control plane (kubeadm init's output).",
                },
                _ => status, // SSH refused for good: host key or authentication
            };
        }
        _context.Verbose($"{first.InstanceId} ({Target(first)}): kubeadm init has finished.");
        var outcomes = new List<KubeadmJoinOutcome> { new(first.InstanceId, KubeadmJoinOutcome.Initialized, null) };
        var others = controlPlanes.Skip(1).Concat(workers).ToList();
        if (others.Count == 0)
        {
            return outcomes;
        }

        var secret = await JoinSecretAsync(first, controlPlanes.Count > 1).ConfigureAwait(false);
        try
        {
            // Control planes one at a time: each adds an etcd member.
            foreach (var node in controlPlanes.Skip(1))
            {
                outcomes.Add(await JoinAsync(node, secret, controlPlane: true, refuse).ConfigureAwait(false));
            }
            using var throttle = new SemaphoreSlim(Math.Max(1, _options.ThrottleLimit));
            outcomes.AddRange(await Task.WhenAll(workers.Select(async node =>
            {
                await throttle.WaitAsync(_context.Cancellation).ConfigureAwait(false);
                try
                {
                    return await JoinAsync(node, secret, controlPlane: false, refuse).ConfigureAwait(false);
                }
                finally
                {
                    throttle.Release();
                }
            })).ConfigureAwait(false));
        }
        finally
        {
            if (!_context.Cancellation.IsCancellationRequested)
            {
                await DeleteTokenAsync(first, secret).ConfigureAwait(false);
            }
        }
        return outcomes;
    }

    private string Target(KubeadmNode node) => new HostEndpoint(node.Address, _options.Port).ToString();

    /// <summary>
    /// Polls `cloud-init status` until done (null), or returns why not: error, timeout (NodeTimedOut), or an SSH problem
    /// that waiting cannot fix (host key, authentication). An instance whose sshd is not up yet is waited for.
    /// </summary>
    private async Task<FipsClusterException?> WaitForCloudInitAsync(KubeadmNode node, string what)
    {
        var endpoint = new HostEndpoint(node.Address, _options.Port);
        var host = endpoint.ToString();
        var deadline = DateTime.UtcNow + _options.BootstrapTimeout;
        var delay = _options.FirstPollInterval;
        string last = "no answer yet";
        while (true)
        {
            _context.Cancellation.ThrowIfCancellationRequested();
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout,
                    $"{host}: cloud-init ({what}) had not finished after {_options.BootstrapTimeout.TotalMinutes:0.#} min (last: {last}).", node.InstanceId);
            }
            try
            {
                var attemptLimit = left < _options.Ssh.Timeout ? left : _options.Ssh.Timeout;
                var result = await _ssh.RunAsync(endpoint, new SshCommand("cloud-init status", "cloud-init status") { Timeout = attemptLimit }, _context.Cancellation).ConfigureAwait(false);
                var state = StatusLine().Match(result.Output) is { Success: true } m ? m.Groups[1].Value : null;
                switch (state)
                {
                    case "done":
                        return null;
                    case "running" or "not started" or "not run":
                        last = $"cloud-init {state}";
                        break;
                    case "error" or "degraded error" or "degraded done" or "disabled":
                        if (_options.Fips && await FipsFlagAsync(endpoint) is { } flag and not "1")
                        {
                            return new FipsClusterException(ErrorIds.NodeNotFipsCompliant, FipsErrorCategory.SecurityError,
                                $"{host}: the host is not in FIPS mode (/proc/sys/crypto/fips_enabled: {flag}), so its bootstrap stopped at the FIPS check before kubeadm (cloud-init reports '{state}').", node.InstanceId)
                            {
                                RecommendedAction = "Boot the instance in FIPS mode (an AMI with fips=1 on the kernel command line), or create a cluster with -Fips:$false.",
                            };
                        }
                        return new FipsClusterException(ErrorIds.KubeadmInitFailed, FipsErrorCategory.InvalidResult,
                            $"{host}: cloud-init reports '{state}' (a step of the user data failed; read /var/log/cloud-init-output.log there).", node.InstanceId);
                    default:
                        return new FipsClusterException(ErrorIds.KubeadmInitFailed, FipsErrorCategory.InvalidResult,
                            $"{host}: 'cloud-init status' gave no status (exit {result.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "by signal"}): is this an image with cloud-init?", node.InstanceId);
                }
            }
            catch (FipsClusterException ex) when (ex.ErrorId is ErrorIds.NodeUnreachable or ErrorIds.NodeTimedOut or ErrorIds.SshConnectionFailed)
            {
                // A booting instance: sshd is not listening yet.
                last = ex.ErrorId;
            }
            catch (FipsClusterException ex)
            {
                return ex;
            }
            var pause = delay < deadline - DateTime.UtcNow ? delay : deadline - DateTime.UtcNow;
            _context.Verbose($"{node.InstanceId} ({host}): waiting for {what} ({last}); next check in {Math.Max(0, pause.TotalSeconds):0.#} s.");
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, _context.Cancellation).ConfigureAwait(false);
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxPollInterval.Ticks));
        }
    }

    /// <summary>
    /// The node's /proc/sys/crypto/fips_enabled ("missing" when the kernel has none), read after its cloud-init failed;
    /// null when it cannot be read over SSH (then the failure stays unexplained).
    /// </summary>
    private async Task<string?> FipsFlagAsync(HostEndpoint endpoint)
    {
        try
        {
            var read = await _ssh.RunAsync(endpoint, new SshCommand("cat /proc/sys/crypto/fips_enabled", "reading fips_enabled"), _context.Cancellation).ConfigureAwait(false);
            var value = read.Output.Trim();
            return read.ExitStatus == 0 && value.Length is > 0 and <= 8 ? value : read.ExitStatus is > 0 ? "missing" : null;
        }
        catch (FipsClusterException)
        {
            return null;
        }
    }

    /// <summary>A join command with a fresh one-hour token, and for control planes a certificate key. Throws: without it nothing can join.</summary>
    private async Task<JoinSecret> JoinSecretAsync(KubeadmNode first, bool controlPlanes)
    {
        var endpoint = new HostEndpoint(first.Address, _options.Port);
        var created = await _ssh.RunAsync(endpoint, new SshCommand("sudo -n kubeadm token create --ttl 1h --print-join-command", "kubeadm token create"), _context.Cancellation).ConfigureAwait(false);
        var match = JoinCommandPattern().Match(Regex.Replace(created.Output.Replace("\\\n", " ", StringComparison.Ordinal), @"\s+", " ").Trim());
        if (created.ExitStatus != 0 || !match.Success)
        {
            var redacted = Quote(created.Error, (JoinSecret?)null);
            throw new FipsClusterException(ErrorIds.KubeadmJoinCommandUnavailable, FipsErrorCategory.InvalidResult,
                created.ExitStatus != 0
                    ? $"{first.InstanceId}: 'kubeadm token create' failed (exit {created.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "by signal"}): {redacted}"
                    : $"{first.InstanceId}: 'kubeadm token create --print-join-command' printed no join command of the form 'kubeadm join <host:port> --token <id.secret> --discovery-token-ca-cert-hash sha256:<hex>'.",
                first.InstanceId);
        }
        var secret = new JoinSecret(match.Value, match.Groups["endpoint"].Value, match.Groups["id"].Value, match.Groups["secret"].Value, "sha256:" + match.Groups["hash"].Value);
        _context.Verbose($"{first.InstanceId}: created a bootstrap token (valid 1 h) for {match.Groups["endpoint"].Value}.");
        if (controlPlanes)
        {
            var upload = await _ssh.RunAsync(endpoint, new SshCommand("sudo -n kubeadm init phase upload-certs --upload-certs", "kubeadm init phase upload-certs"), _context.Cancellation).ConfigureAwait(false);
            var key = upload.Output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => CertificateKeyPattern().IsMatch(l));
            if (upload.ExitStatus != 0 || key is null)
            {
                var redacted = Quote(upload.Error, secret);
                await DeleteTokenAsync(first, secret).ConfigureAwait(false);
                throw new FipsClusterException(ErrorIds.KubeadmJoinCommandUnavailable, FipsErrorCategory.InvalidResult,
                    $"{first.InstanceId}: 'kubeadm init phase upload-certs --upload-certs' gave no certificate key (exit {upload.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "by signal"}): {redacted}", first.InstanceId);
            }
            secret.CertificateKey = key;
            _context.Verbose($"{first.InstanceId}: uploaded the control-plane certificates (kubeadm deletes them after 2 h).");
        }
        return secret;
    }

    private async Task<KubeadmJoinOutcome> JoinAsync(KubeadmNode node, JoinSecret secret, bool controlPlane, Refusal? refuse)
    {
        var role = controlPlane ? "control plane" : "worker";
        KubeadmJoinOutcome Fail(string id, FipsErrorCategory category, string message, Exception? inner = null)
        {
            var error = new FipsClusterException(id, category, message, node.InstanceId, inner);
            _context.Verbose($"{node.InstanceId}: not joined ({id}).");
            return new KubeadmJoinOutcome(node.InstanceId, KubeadmJoinOutcome.Failed, error);
        }

        if (refuse?.Invoke(node.InstanceId) is { } refused)
        {
            return Fail(ErrorIds.NodeNotFipsCompliant, FipsErrorCategory.SecurityError, $"{node.InstanceId}: not joined as a {role}: {refused}.");
        }
        var ready = await WaitForCloudInitAsync(node, "its cloud-init").ConfigureAwait(false);
        if (ready is not null)
        {
            return Fail(ready.ErrorId == ErrorIds.NodeNotFipsCompliant ? ErrorIds.NodeNotFipsCompliant : ErrorIds.KubeadmJoinFailed, ready.Category,
                $"{node.InstanceId}: not joined as a {role}: {ready.Message}", ready);
        }
        _context.Verbose($"{node.InstanceId} ({Target(node)}): joining as a {role}.");
        SshCommandResult result;
        try
        {
            // The secret goes to the shell's stdin and from there into a 0600 file, never into a command line; an
            // already-joined node is left alone.
            result = await _ssh.RunAsync(new HostEndpoint(node.Address, _options.Port), new SshCommand("sudo -n /bin/sh -s", "kubeadm join") { Input = secret.Script(controlPlane, _options.KubeadmApiVersion), Timeout = _options.JoinTimeout }, _context.Cancellation).ConfigureAwait(false);
        }
        catch (FipsClusterException ex)
        {
            return Fail(ErrorIds.KubeadmJoinFailed, ex.Category, $"{node.InstanceId}: not joined as a {role}: {ex.Message}", ex);
        }
        if (result.ExitStatus != 0)
        {
            var detail = Quote(result.Error.Length > 0 ? result.Error : result.Output, secret);
            return Fail(ErrorIds.KubeadmJoinFailed, FipsErrorCategory.InvalidResult,
                $"{node.InstanceId}: kubeadm join as a {role} failed (exit {result.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "by signal"}): {detail}");
        }
        _context.Verbose($"{node.InstanceId}: joined as a {role}.");
        return new KubeadmJoinOutcome(node.InstanceId, KubeadmJoinOutcome.Joined, null);
    }

    /// <summary>Best effort: the token is only needed while nodes join.</summary>
    private async Task DeleteTokenAsync(KubeadmNode first, JoinSecret secret)
    {
        try
        {
            // The token ID is its public half (kubeadm token list shows it); the secret half is not sent.
            var deleted = await _ssh.RunAsync(new HostEndpoint(first.Address, _options.Port), new SshCommand("sudo -n kubeadm token delete " + secret.TokenId, "kubeadm token delete"), CancellationToken.None).ConfigureAwait(false);
            if (deleted.ExitStatus == 0)
            {
                _context.Verbose($"{first.InstanceId}: deleted the bootstrap token.");
                return;
            }
        }
        catch (FipsClusterException)
        {
        }
        _context.Warning($"{first.InstanceId}: the bootstrap token could not be deleted; it expires within 1 h (kubeadm token list).");
    }

    /// <summary>The most a remote error quotes: its last three lines, at most this many characters.</summary>
    internal const int QuoteLimit = 400;

    /// <summary>
    /// Remote output as an error may quote it: redacted first (the known secrets, and anything shaped like a token or a
    /// certificate key), then shortened to its last lines and <see cref="QuoteLimit"/> characters — in that order, so
    /// a cut can never leave part of a secret that redaction would no longer recognise.
    /// </summary>
    internal static string Quote(string text, IEnumerable<string?>? secrets)
    {
        var redacted = Redaction.Apply(text, secrets);
        var lines = redacted.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tail = string.Join(" | ", lines.TakeLast(3));
        return tail.Length == 0 ? "(no output)" : tail.Length > QuoteLimit ? tail[^QuoteLimit..] : tail;
    }

    private static string Quote(string text, JoinSecret? secret) => Quote(text, secret?.Values);

    /// <summary>The join secret: kept here only, never formatted.</summary>
    internal sealed class JoinSecret
    {
        public JoinSecret(string command, string endpoint, string tokenId, string tokenSecret, string caCertHash)
        {
            Command = command;
            Endpoint = endpoint;
            TokenId = tokenId;
            TokenSecret = tokenSecret;
            CaCertHash = caCertHash;
        }

        private string Command { get; }

        private string Endpoint { get; }

        public string TokenId { get; }

        private string TokenSecret { get; }

        private string CaCertHash { get; }

        public string? CertificateKey { get; set; }

        /// <summary>What must never be quoted: the printed command, the token (and its secret half) and the certificate key.</summary>
        public IEnumerable<string?> Values => new[] { Command, TokenId + "." + TokenSecret, TokenSecret, CertificateKey };

        /// <summary>
        /// The script a node's root shell reads from stdin: a JoinConfiguration written to a fresh 0600 file (mktemp,
        /// umask 077) through a quoted here-document, `kubeadm join --config` on it, and the file removed on any exit
        /// (a failed join and a hang-up included).
        /// </summary>
        public string Script(bool controlPlane, string apiVersion) =>
            "set -e\n" +
            "if [ -s /etc/kubernetes/kubelet.conf ]; then echo 'FipsCluster: this node has already joined' >&2; exit 0; fi\n" +
            "umask 077\n" +
            "config=$(mktemp \"${TMPDIR:-/tmp}/fipscluster-join.XXXXXXXXXX\")\n" +
            "trap 'rm -f -- \"$config\"' EXIT\n" +
            "trap 'exit 129' HUP\ntrap 'exit 130' INT\ntrap 'exit 143' TERM\n" +
            $"cat > \"$config\" <<'{HereDocument}'\n" +
            KubeadmRenderer.RenderJoinConfiguration(Endpoint, TokenId + "." + TokenSecret, CaCertHash, controlPlane ? CertificateKey : null, apiVersion) +
            HereDocument + "\n" +
            "kubeadm join --config \"$config\"\n";

        /// <summary>Cannot occur in the document: its values are a host:port, [a-z0-9.], sha256:hex and hex.</summary>
        private const string HereDocument = "FIPSCLUSTER_JOIN_CONFIGURATION";

        public override string ToString() => "(kubeadm join secret)";
    }

    [GeneratedRegex(@"^\s*status:\s*([a-z ]+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"(?<![^ ])kubeadm join (?<endpoint>[A-Za-z0-9.\-]+:[0-9]{1,5}|\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}) --token (?<id>[a-z0-9]{6})\.(?<secret>[a-z0-9]{16}) --discovery-token-ca-cert-hash sha256:(?<hash>[a-f0-9]{64})$")]
    private static partial Regex JoinCommandPattern();

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex CertificateKeyPattern();
}

/// <summary>Secrets taken out of text that is about to be quoted: known values, then anything shaped like a kubeadm token or certificate key.</summary>
internal static partial class Redaction
{
    public const string Mask = "***";

    public static string Apply(string text, IEnumerable<string?>? secrets)
    {
        // Longest first, so a value that contains another is masked whole.
        foreach (var value in (secrets ?? Array.Empty<string?>()).Where(v => !string.IsNullOrEmpty(v)).OrderByDescending(v => v!.Length))
        {
            text = text.Replace(value!, Mask, StringComparison.Ordinal);
        }
        return CertificateKeyAnywhere().Replace(TokenAnywhere().Replace(text, Mask), Mask);
    }

    [GeneratedRegex(@"[a-z0-9]{6}\.[a-z0-9]{16}")]
    internal static partial Regex TokenAnywhere();

    [GeneratedRegex("[a-f0-9]{64}")]
    private static partial Regex CertificateKeyAnywhere();
}
