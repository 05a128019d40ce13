using System.Net;
using System.Net.Sockets;
using Xunit;

namespace FipsCluster.Testing;

/// <summary>
/// Real SSH nodes for Test-FipsNode, started with the scripts in tests/Infrastructure:
/// a simulated FIPS node (network + mount namespace: fips_enabled=1, fips=1, an OpenSSL FIPS provider, FIPS-only
/// sshd), a plain sshd on this host (several loopback addresses), a second sshd that does not accept our key,
/// and two faults in process: a closed port and a listener that accepts and never speaks. known_hosts holds the
/// real keys, except a deliberately wrong key for <see cref="ChangedKeyNode"/> and none for <see cref="UnknownKeyNode"/>.
/// Without root, sshd or iproute2 the tests skip — except with CI=true, where that is a failure.
/// </summary>
public sealed class SshNodesFixture : IDisposable
{
    private readonly string _work = Path.Combine("/tmp", "fc-ssh-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TcpListener? _silent;
    private readonly List<Socket> _held = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _nodeName = "fct" + Guid.NewGuid().ToString("N")[..5];
    private bool _fipsStarted;
    private bool _plainStarted;
    private bool _otherStarted;

    public SshNodesFixture()
    {
        Unavailable = Missing();
        if (Unavailable is not null)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(_work);
            if (OperatingSystem.IsLinux()) File.SetUnixFileMode(_work, (UnixFileMode)0x1ED); // 0755: sshd reads authorized_keys as the probe user
            KeyFile = Path.Combine(_work, "client_ecdsa");
            OtherKeyFile = Path.Combine(_work, "other_ecdsa");
            Run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", KeyFile);
            Run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", OtherKeyFile);

            PlainPort = FreePort();
            Script("sshd.sh", "start", Path.Combine(_work, "plain"), "--port", PlainPort.ToString(), "--authorized-key", KeyFile + ".pub", "127.0.0.1", "127.0.0.5", "127.0.0.6");
            _plainStarted = true;
            OtherPort = FreePort();
            Script("sshd.sh", "start", Path.Combine(_work, "other"), "--port", OtherPort.ToString(), "--authorized-key", OtherKeyFile + ".pub", "127.0.0.3");
            _otherStarted = true;
            // Two fixtures may run at once (different test collections): a subnet already taken is retried.
            for (var attempt = 0; ; attempt++)
            {
                Subnet = $"10.213.{Random.Shared.Next(40, 200)}";
                try
                {
                    Script("fips-node.sh", "start", Path.Combine(_work, "fips"), "--authorized-key", KeyFile + ".pub", "--name", _nodeName, "--subnet", Subnet);
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                }
            }
            _fipsStarted = true;
            FipsNode = File.ReadAllText(Path.Combine(_work, "fips", "address")).Trim();

            ClosedPortNode = $"127.0.0.1:{FreePort()}";
            _silent = new TcpListener(IPAddress.Loopback, 0);
            _silent.Start();
            SilentNode = $"127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}";
            _ = HoldConnectionsAsync(_silent);

            // known_hosts: the real keys, a wrong key for 127.0.0.5, nothing for 127.0.0.6.
            var wrongKey = File.ReadAllText(OtherKeyFile + ".pub").Split(' ')[1];
            var lines = File.ReadAllLines(Path.Combine(_work, "plain", "known_hosts"))
                .Where(l => !l.StartsWith("[127.0.0.6]", StringComparison.Ordinal) && !l.StartsWith("[127.0.0.5]", StringComparison.Ordinal))
                .Append($"[127.0.0.5]:{PlainPort} ecdsa-sha2-nistp256 {wrongKey}")
                .Concat(File.ReadAllLines(Path.Combine(_work, "other", "known_hosts")))
                .Concat(File.ReadAllLines(Path.Combine(_work, "fips", "known_hosts")));
            KnownHosts = Path.Combine(_work, "known_hosts");
            File.WriteAllLines(KnownHosts, lines);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string? Unavailable { get; }

    public string KeyFile { get; } = "";
    public string OtherKeyFile { get; } = "";
    public string KnownHosts { get; } = "";
    public string UserName => "fcprobe";
    public int PlainPort { get; }
    public int OtherPort { get; }

    private string Subnet { get; set; } = "";

    /// <summary>The FIPS node's network namespace (an engine can be started in it).</summary>
    public string FipsNodeNamespace => _nodeName;

    /// <summary>This host's address on the FIPS node's link (what the node reaches the host at).</summary>
    public string HostLinkAddress => Subnet + ".1";

    /// <summary>The simulated FIPS node (port 22 in its network namespace).</summary>
    public string FipsNode { get; } = "";

    /// <summary>An argv that runs a command inside the simulated FIPS node (its network and mount namespaces), as root.</summary>
    public IReadOnlyList<string> InFipsNode(IReadOnlyList<string> command) =>
        new[] { "nsenter", "-t", File.ReadAllText(Path.Combine(_work, "fips", "sshd.pid")).Trim(), "-m", "-n", "--" }.Concat(command).ToList();

    /// <summary>
    /// Makes <paramref name="trustKey"/> the FIPS node's Docker trust key: bound over /etc/docker/key.json in the node's
    /// private mount namespace only, so Docker engines started with that key (DockerSwarmFixture.StartDaemon) have the
    /// node's engine ID as the node's own files show it — as an engine running on that machine would. The key is made
    /// readable by the login user (on a real node root, or sudo, reads it). Disposing unbinds it.
    /// </summary>
    public IDisposable UseDockerTrustKey(string trustKey)
    {
        File.SetUnixFileMode(trustKey, (UnixFileMode)0x1A4); // 0644: a test key, read by the unprivileged login
        var node = InFipsNode(new[] { "mount", "--bind", trustKey, "/etc/docker/key.json" });
        Run(node[0], node.Skip(1).ToArray());
        return new Unbind(() =>
        {
            var unmount = InFipsNode(new[] { "umount", "/etc/docker/key.json" });
            try { Run(unmount[0], unmount.Skip(1).ToArray()); } catch (InvalidOperationException) { }
        });
    }

    private sealed class Unbind(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>This host, plainly (not FIPS).</summary>
    public string PlainNode => $"127.0.0.1:{PlainPort}";

    /// <summary>A healthy sshd whose known_hosts entry holds another key.</summary>
    public string ChangedKeyNode => $"127.0.0.5:{PlainPort}";

    /// <summary>A healthy sshd with no known_hosts entry.</summary>
    public string UnknownKeyNode => $"127.0.0.6:{PlainPort}";

    /// <summary>An sshd that does not accept our key.</summary>
    public string WrongKeyNode => $"127.0.0.3:{OtherPort}";

    public string ClosedPortNode { get; } = "";

    /// <summary>Accepts TCP connections and never sends the SSH banner.</summary>
    public string SilentNode { get; } = "";

    /// <summary>A copy of known_hosts the test may modify.</summary>
    public string CopyKnownHosts(Func<string, bool>? keep = null)
    {
        var copy = Path.Combine(_work, "known_hosts." + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllLines(copy, File.ReadAllLines(KnownHosts).Where(keep ?? (_ => true)));
        return copy;
    }

    /// <summary>
    /// Starts a throwaway sshd on <paramref name="count"/> fresh loopback addresses with the given MaxStartups,
    /// runs <paramref name="test"/> with those targets and their known_hosts, stops it, and returns the sshd log.
    /// </summary>
    public T WithStrictSshd<T>(string maxStartups, int count, Func<string[], string, T> test, out string sshdLog)
    {
        var dir = Path.Combine(_work, "strict-" + Guid.NewGuid().ToString("N")[..6]);
        var port = FreePort();
        var addresses = Enumerable.Range(0, count).Select(i => $"127.0.9.{i + 10}").ToArray();
        Script("sshd.sh", new[] { "start", dir, "--port", port.ToString(), "--authorized-key", KeyFile + ".pub", "--max-startups", maxStartups }.Concat(addresses).ToArray());
        try
        {
            return test(addresses.Select(a => $"{a}:{port}").ToArray(), Path.Combine(dir, "known_hosts"));
        }
        finally
        {
            TryStop("sshd.sh", Path.GetFileName(dir));
            sshdLog = File.Exists(Path.Combine(dir, "sshd.log")) ? File.ReadAllText(Path.Combine(dir, "sshd.log")) : "";
        }
    }

    /// <summary>
    /// Starts another sshd (tests/Infrastructure/sshd.sh) for our key on <paramref name="addresses"/>, with extra
    /// sshd.sh options (e.g. --setenv PATH=...); returns its port and known_hosts, and stops it when disposed.
    /// </summary>
    public ExtraSshd StartSshd(string[] options, params string[] addresses)
    {
        var dir = Path.Combine(_work, "extra-" + Guid.NewGuid().ToString("N")[..6]);
        var port = FreePort();
        Script("sshd.sh", new[] { "start", dir, "--port", port.ToString(), "--authorized-key", KeyFile + ".pub" }.Concat(options).Concat(addresses).ToArray());
        return new ExtraSshd(port, Path.Combine(dir, "known_hosts"), () => TryStop("sshd.sh", Path.GetFileName(dir)));
    }

    public sealed class ExtraSshd(int port, string knownHosts, Action stop) : IDisposable
    {
        public int Port => port;

        public string KnownHosts => knownHosts;

        public void Dispose() => stop();
    }

    /// <summary>The fixture's working folder (traversable by the sshd login user).</summary>
    public string WorkDirectory => _work;

    public void Require() => TestEnvironment.Require(Unavailable, "the SSH test nodes cannot run");

    private static string? Missing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the SSH node tests need Linux";
        }
        if (Environment.UserName != "root")
        {
            return "the SSH node tests need root (network and mount namespaces)";
        }
        foreach (var tool in new[] { "/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/sbin/ip", "/usr/bin/unshare" })
        {
            if (!File.Exists(tool))
            {
                return tool + " is not installed (apt-get install openssh-server iproute2)";
            }
        }
        return null;
    }

    private async Task HoldConnectionsAsync(TcpListener listener)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(_stop.Token);
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static int FreePort() => LoopbackPort.Free();

    private void Script(string name, params string[] args) =>
        Run(Path.Combine(TestEnvironment.RepoRoot, "tests", "Infrastructure", name), args);

    private static void Run(string file, params string[] args) => ProcessRunner.RunChecked(file, args);

    public void Dispose()
    {
        _stop.Cancel();
        _silent?.Stop();
        lock (_held)
        {
            foreach (var s in _held)
            {
                s.Dispose();
            }
        }
        if (_fipsStarted)
        {
            TryStop("fips-node.sh", "fips");
        }
        if (_plainStarted)
        {
            TryStop("sshd.sh", "plain");
        }
        if (_otherStarted)
        {
            TryStop("sshd.sh", "other");
        }
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }

    private void TryStop(string script, string dir)
    {
        try
        {
            Script(script, "stop", Path.Combine(_work, dir));
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"{script} stop failed: {ex.Message}");
        }
    }
}
