using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Remoting;

/// <summary>
/// Content-addressed build-info windows over SSH: on a fleet of identical binaries each window crosses the network
/// once per scan, and every node still gets the verdicts it would get alone. Real sshd (tests/Infrastructure/sshd.sh)
/// on four loopback addresses of this machine, whose component binaries (dockerd, containerd…) are the fleet's.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuildInfoWindowTests : IDisposable
{
    private static readonly string[] Addresses = { "127.0.11.10", "127.0.11.11", "127.0.11.12", "127.0.11.13" };
    private readonly string _dir;
    private readonly string _sshd;
    private readonly int _port;

    public BuildInfoWindowTests()
    {
        _dir = Path.Combine("/tmp", "fc-windows-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(_dir);
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ED); // 0755: sshd's login user reads the authorized key through it
        Run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", Path.Combine(_dir, "key"));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _sshd = Path.Combine(RepoRoot(), "tests", "Infrastructure", "sshd.sh");
        Run(_sshd, new[] { "start", Path.Combine(_dir, "sshd"), "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--authorized-key", Path.Combine(_dir, "key.pub") }.Concat(Addresses).ToArray());
    }

    public void Dispose()
    {
        Run(_sshd, "stop", Path.Combine(_dir, "sshd"));
        Directory.Delete(_dir, recursive: true);
    }

    private SshOptions Options => new()
    {
        Login = new SshLogin { UserName = "fcprobe", KeyFilePath = Path.Combine(_dir, "key") },
        KnownHostsPath = Path.Combine(_dir, "sshd", "known_hosts"),
        Scope = FactScope.All,
    };

    private HostEndpoint Node(int i) => new(Addresses[i], _port);

    private static string Describe(RemoteBinaryFact b) =>
        $"{b.Path} @{b.BuildInfoOffset} {Convert.ToHexString(SHA256.HashData(b.BuildInfo))} {string.Join(",", b.Markers)} {b.BoringSymbols}";

    [Fact]
    public async Task Four_identical_nodes_in_parallel_send_each_window_once_and_get_the_verdicts_a_lone_node_gets()
    {
        Assert.Contains(LinuxFactCatalog.ComponentBinaries, File.Exists); // CI installs dockerd and containerd
        var alone = await new SshFactCollector(Options).CollectAsync(Node(0), CancellationToken.None);
        Assert.NotEmpty(alone.RemoteBinaries);
        // The sending script offers no digests: each window it sent is hashed on arrival, so it can serve other nodes.
        Assert.Equal(alone.RemoteBinaries.Values.Count(b => b.BuildInfo.Length > 0), alone.ReceivedWindows.Count);
        Assert.All(alone.ReceivedWindows, w => Assert.Equal(Convert.ToHexString(SHA256.HashData(w.Bytes)).ToLowerInvariant(), w.Digest));
        Assert.Empty(alone.MissingWindows);

        var cache = new BuildInfoWindowCache();
        var collector = new SshFactCollector(Options, cache);
        var fleet = await Task.WhenAll(Enumerable.Range(0, Addresses.Length).Select(i => collector.CollectAsync(Node(i), CancellationToken.None)));

        var expected = alone.RemoteBinaries.Values.Select(Describe).Order().ToList();
        var expectedVerdicts = alone.RemoteBinaries.Values.Select(b => RemoteGoBinary.Judge(b)).Select(r => $"{r.Path} {r.CryptoModule} {r.GoVersion} {r.Reason}").Order().ToList();
        foreach (var facts in fleet)
        {
            Assert.True(facts.Complete, string.Join("; ", facts.CollectionErrors));
            Assert.Empty(facts.CollectionErrors);
            Assert.Equal(expected, facts.RemoteBinaries.Values.Select(Describe).Order().ToList());
            Assert.Equal(expectedVerdicts, facts.RemoteBinaries.Values.Select(b => RemoteGoBinary.Judge(b)).Select(r => $"{r.Path} {r.CryptoModule} {r.GoVersion} {r.Reason}").Order().ToList());
        }
        // Each distinct window crossed once, from whichever node offered it first.
        var received = fleet.SelectMany(f => f.ReceivedWindows).ToList();
        var distinct = alone.RemoteBinaries.Values.Where(b => b.BuildInfo.Length > 0).Select(b => Convert.ToHexString(SHA256.HashData(b.BuildInfo))).Distinct().Count();
        Assert.Equal(distinct, received.Count);
        Assert.Equal(distinct, received.Select(w => w.Digest).Distinct().Count());

        // A later node of the same scan sends no window at all.
        var later = await collector.CollectAsync(Node(1), CancellationToken.None);
        Assert.Empty(later.ReceivedWindows);
        Assert.Equal(expected, later.RemoteBinaries.Values.Select(Describe).Order().ToList());
    }

    [Fact]
    public async Task A_node_whose_output_a_wrapper_buffers_gets_the_ask_for_every_window_after_a_while_instead_of_hanging()
    {
        // A forced command that pipes the session through sed, which holds its output until the end: the question
        // never arrives while the node waits for the answer.
        var wrapper = Path.Combine(_dir, "buffering.sh");
        File.WriteAllText(wrapper, "#!/bin/sh\neval \"$SSH_ORIGINAL_COMMAND\" | sed ''\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0x1ED);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var sshd = Path.Combine(_dir, "buffering-sshd");
        Run(_sshd, "start", sshd, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--authorized-key", Path.Combine(_dir, "key.pub"), "--forced-command", wrapper, "127.0.11.20");
        try
        {
            var alone = await new SshFactCollector(Options).CollectAsync(Node(0), CancellationToken.None);
            var options = new SshOptions { Login = Options.Login, KnownHostsPath = Path.Combine(sshd, "known_hosts"), Scope = FactScope.All, Timeout = TimeSpan.FromSeconds(9) };
            var clock = Stopwatch.StartNew();
            var buffered = await new SshFactCollector(options, new BuildInfoWindowCache()).CollectAsync(new HostEndpoint("127.0.11.20", port), CancellationToken.None);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9)); // patience: a third of the timeout
            Assert.True(buffered.Complete);
            Assert.Equal(alone.RemoteBinaries.Values.Select(Describe).Order(), buffered.RemoteBinaries.Values.Select(Describe).Order());
        }
        finally
        {
            Run(_sshd, "stop", sshd);
        }
    }

    [Fact]
    public async Task A_window_that_does_not_hash_to_its_digest_never_serves_other_nodes_and_an_abandoned_one_passes_to_the_next_node()
    {
        var cache = new BuildInfoWindowCache();
        var bytes = RandomNumberGenerator.GetBytes(4096);
        var digest = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        Assert.Equal((true, null), cache.Claim(digest));
        var (owner, pending) = cache.Claim(digest);
        Assert.False(owner);
        Assert.NotNull(pending);
        Assert.False(cache.Deliver(digest, RandomNumberGenerator.GetBytes(4096))); // planted bytes
        Assert.Null(cache.Known(digest));
        cache.Abandon(digest); // the owner gives up: the waiter learns it and takes over
        Assert.Null(await pending!);
        Assert.Equal((true, null), cache.Claim(digest));
        Assert.True(cache.Deliver(digest, bytes));
        Assert.Equal(bytes, cache.Known(digest));
        Assert.Equal((false, null), cache.Claim(digest)); // known now: nobody asks again
    }

    private static string RepoRoot() => TestEnvironment.RepoRoot;

    private static void Run(string file, params string[] args) => ProcessRunner.RunChecked(file, args);
}
