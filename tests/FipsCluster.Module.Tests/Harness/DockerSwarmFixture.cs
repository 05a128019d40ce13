using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>
/// Two real Docker engines on loopback, each with its own data root, exec root and socket: A is a
/// single-node swarm manager, B is a plain (non-FIPS) engine outside the swarm. Everything they leave behind
/// (daemons, nsfs mounts, docker_gwbridge, ip_forward) is removed on dispose.
/// Without dockerd the tests skip — except with CI=true, where that is a failure.
/// </summary>
public sealed class DockerSwarmFixture : IDisposable
{
    private readonly string _root = Path.Combine("/tmp", "fc-dockerd-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<Process> _daemons = new();
    private readonly string? _ipForward;

    public DockerSwarmFixture() : this(allEngines: true)
    {
    }

    /// <summary>Only the swarm manager (A), for runs that need a swarm and nothing else (the Pester examples).</summary>
    public static DockerSwarmFixture ManagerOnly() => new(allEngines: false);

    private DockerSwarmFixture(bool allEngines)
    {
        Unavailable = Missing();
        if (Unavailable is not null)
        {
            return;
        }
        _ipForward = File.Exists("/proc/sys/net/ipv4/ip_forward") ? File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim() : null;
        Directory.CreateDirectory(_root);
        try
        {
            ManagerHost = StartDaemon("a");
            if (allEngines)
            {
                OtherHost = StartDaemon("b");
                ClusterHost = StartDaemon("c");
            }
            SwarmPort = FreePort();
            Docker(ManagerHost, "swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr", $"127.0.0.1:{SwarmPort}");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Why the engines could not be started, or null.</summary>
    public string? Unavailable { get; }

    public string ManagerHost { get; } = "";

    /// <summary>The swarm certificates directory of the manager engine (swarm-node.crt, swarm-node.key, swarm-root-ca.crt).</summary>
    public string ManagerCertificates => Path.Combine(_root, "a", "data", "swarm", "certificates");
    public string OtherHost { get; } = "";

    /// <summary>A third engine, outside any swarm, for the cluster lifecycle tests (New-FipsCluster initializes its swarm).</summary>
    public string ClusterHost { get; } = "";
    public int SwarmPort { get; }

    /// <summary>Skips the calling test when dockerd is missing — or fails it under CI=true.</summary>
    public void RequireEngines() => TestEnvironment.Require(Unavailable, "the Docker engine cannot run");

    /// <summary>Runs the real docker CLI against an engine; returns (exit code, stdout, stderr).</summary>
    public (int ExitCode, string Out, string Err) TryDocker(string host, params string[] args)
    {
        var (code, stdout, stderr) = ProcessRunner.Run(DockerCli, new[] { "-H", host }.Concat(args), environment: NoDockerHost, timeout: TimeSpan.FromSeconds(90));
        return (code, stdout, stderr);
    }

    public string Docker(string host, params string[] args)
    {
        var (code, stdout, stderr) = TryDocker(host, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', args.Where(a => !a.StartsWith("SWMTKN", StringComparison.Ordinal)))} failed ({code}): {stderr}");
        }
        return stdout.Trim();
    }

    private static string DockerCli => File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    private static string? Missing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "dockerd tests need Linux";
        }
        if (Environment.UserName != "root")
        {
            return "dockerd tests need root";
        }
        var dockerd = new[] { "/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/local/bin/dockerd" }.FirstOrDefault(File.Exists);
        return dockerd is null ? "dockerd is not installed (apt-get install docker.io)" : null;
    }

    /// <summary>
    /// Starts another engine (stopped and cleaned up with the others); in a network namespace when one is named —
    /// through nsenter, since `ip netns exec` remounts /sys and dockerd then finds no cgroups. Docker 20.10 takes its
    /// engine ID from its trust key (/etc/docker/key.json, so every engine of this host has this host's ID); with
    /// <paramref name="trustKey"/> the engine uses that key instead ("deprecated-key-path" in its daemon.json; created
    /// when missing) — the engine ID of another machine, e.g. the simulated FIPS node.
    /// </summary>
    public string StartDaemon(string name, string? netns = null, string? trustKey = null)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "daemon.json");
        File.WriteAllText(config, System.Text.Json.JsonSerializer.Serialize(trustKey is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["deprecated-key-path"] = trustKey }));
        var socket = Path.Combine(_root, name + ".sock");
        var start = new ProcessStartInfo(netns is null ? "dockerd" : "nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (netns is not null)
        {
            start.ArgumentList.Add($"--net=/run/netns/{netns}");
            start.ArgumentList.Add("dockerd");
        }
        foreach (var a in new[] { "--config-file", config, "--iptables=false", "--ip-masq=false", "--bridge=none", "--storage-driver=vfs",
                     "--data-root", Path.Combine(dir, "data"), "--exec-root", Path.Combine(_root, "e" + name),
                     "--pidfile", Path.Combine(_root, name + ".pid"), "-H", "unix://" + socket })
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start)!;
        _daemons.Add(process);
        var log = Path.Combine(_root, name + ".log");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) File.AppendAllText(log, e.Data + "\n"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) File.AppendAllText(log, e.Data + "\n"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = "unix://" + socket;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"dockerd {name} exited: {SafeRead(log)}");
            }
            if (File.Exists(socket) && TryDocker(host, "version", "--format", "{{.Server.Version}}").ExitCode == 0)
            {
                return host;
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"dockerd {name} did not come up: {SafeRead(log)}");
    }

    private static string SafeRead(string path) => File.Exists(path) ? File.ReadAllText(path) : "(no log)";

    private static int FreePort() => LoopbackPort.Free();

    /// <summary>The CLI talks to the engine named by -H only.</summary>
    private static readonly Dictionary<string, string?> NoDockerHost = new() { ["DOCKER_HOST"] = null };

    public void Dispose()
    {
        foreach (var daemon in _daemons)
        {
            try
            {
                if (!daemon.HasExited)
                {
                    Process.Start("kill", $"-TERM {daemon.Id}")?.WaitForExit();
                    if (!daemon.WaitForExit(TimeSpan.FromSeconds(15)))
                    {
                        daemon.Kill(entireProcessTree: true);
                        daemon.WaitForExit(TimeSpan.FromSeconds(5));
                    }
                }
            }
            catch (InvalidOperationException)
            {
            }
            daemon.Dispose();
        }
        if (Unavailable is not null || !Directory.Exists(_root))
        {
            return;
        }
        // dockerd leaves nsfs mounts and a private bind of its data root behind; swarm mode adds docker_gwbridge
        // and sets ip_forward.
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(_root, StringComparison.Ordinal)).OrderByDescending(m => m.Length);
        foreach (var mount in mounts)
        {
            Run("umount", "-l", mount);
        }
        Run("ip", "link", "del", "docker_gwbridge");
        if (_ipForward is not null)
        {
            try { File.WriteAllText("/proc/sys/net/ipv4/ip_forward", _ipForward); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        try
        {
            using var p = Process.Start(start)!;
            p.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}

[CollectionDefinition("dockerd")]
public sealed class DockerCollection : ICollectionFixture<DockerSwarmFixture>
{
}
