using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// Host keys of new instances proven through EC2: cloud-init's console block parsed as consoles really show it, and
/// recorded in known_hosts by polling GetConsoleOutput through the real AWSSDK.EC2 client against the EC2 Query stub.
/// </summary>
public sealed class ConsoleHostKeyTests : IDisposable
{
    private readonly Ec2QueryStub _ec2 = new();
    private readonly AmazonEC2Client _client;
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-console-").FullName;

    public ConsoleHostKeyTests()
    {
        _client = new AmazonEC2Client(new BasicAWSCredentials("AKIAFIPSCLUSTERTEST", "not-a-real-secret"),
            new AmazonEC2Config { ServiceURL = _ec2.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 2 });
    }

    public void Dispose()
    {
        _client.Dispose();
        _ec2.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static byte[] Wire(params byte[][] fields)
    {
        var blob = new List<byte>();
        foreach (var field in fields)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)field.Length);
            blob.AddRange(length);
            blob.AddRange(field);
        }
        return blob.ToArray();
    }

    private static byte[] Mpint(byte[] unsigned) => unsigned[0] >= 0x80 ? new byte[] { 0 }.Concat(unsigned).ToArray() : unsigned;

    /// <summary>One RSA key for all (generating 3072-bit keys is slow); the ECDSA and Ed25519 keys are fresh each time.</summary>
    private static readonly Lazy<RSAParameters> Rsa = new(() =>
    {
        using var rsa = RSA.Create(3072);
        return rsa.ExportParameters(false);
    });

    /// <summary>Real public keys in SSH wire form, from .NET's own key generation.</summary>
    private static (string Type, byte[] Blob)[] FreshKeys()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(false).Q;
        using var ecdsa384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var q384 = ecdsa384.ExportParameters(false).Q;
        var p = Rsa.Value;
        return new[]
        {
            ("ecdsa-sha2-nistp256", Wire(Encoding.ASCII.GetBytes("ecdsa-sha2-nistp256"), Encoding.ASCII.GetBytes("nistp256"), new byte[] { 4 }.Concat(q.X!).Concat(q.Y!).ToArray())),
            ("ssh-ed25519", Wire(Encoding.ASCII.GetBytes("ssh-ed25519"), RandomNumberGenerator.GetBytes(32))), // 51 bytes: base64 without padding
            ("ssh-rsa", Wire(Encoding.ASCII.GetBytes("ssh-rsa"), Mpint(p.Exponent!), Mpint(p.Modulus!))),
            ("ecdsa-sha2-nistp384", Wire(Encoding.ASCII.GetBytes("ecdsa-sha2-nistp384"), Encoding.ASCII.GetBytes("nistp384"), new byte[] { 4 }.Concat(q384.X!).Concat(q384.Y!).ToArray())),
        };
    }

    private static string[] Lines((string Type, byte[] Blob)[] keys) => keys.Select(k => $"{k.Type} {Convert.ToBase64String(k.Blob)} root@node").ToArray();

    [Fact]
    public void Keys_are_read_from_a_wrapped_CRLF_console_with_kernel_messages_inside_the_block()
    {
        var keys = FreshKeys();
        var console = Ec2QueryStub.CloudInitConsole(Lines(keys));
        Assert.Contains("\r\n", console);
        Assert.True(console.Split("\r\n").All(l => l.Length <= 80), "the console is not wrapped");
        var parsed = ConsoleHostKeys.Parse(console);
        Assert.Equal(keys.Select(k => k.Type), parsed.Select(k => k.KeyType));
        Assert.All(keys.Zip(parsed), pair => Assert.Equal(pair.First.Blob, pair.Second.Blob));
        // The fingerprint is OpenSSH's (the FINGERPRINTS block printed the same one).
        Assert.Contains(parsed[0].Fingerprint + " root@", console.Replace("\r\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_comment_wrapped_onto_the_key_is_cut_off_by_the_key_structure_not_by_spacing()
    {
        var keys = FreshKeys();
        var ed25519 = Convert.ToBase64String(keys[1].Blob);
        Assert.DoesNotContain('=', ed25519); // so "root" glued to it would still look like base64
        var ecdsa = Convert.ToBase64String(keys[0].Blob);
        var console = $"-----BEGIN SSH HOST KEY KEYS-----\nssh-ed25519 {ed25519[..30]}\n{ed25519[30..]}\nroot@node\necdsa-sha2-nistp256 {ecdsa}\nroot@node\n-----END SSH HOST KEY KEYS-----\n";
        var parsed = ConsoleHostKeys.Parse(console);
        Assert.Equal(2, parsed.Count);
        Assert.Equal(keys[1].Blob, parsed[0].Blob);
        Assert.Equal(keys[0].Blob, parsed[1].Blob);
    }

    [Fact]
    public void The_last_complete_block_counts_and_text_without_one_gives_no_keys()
    {
        var first = FreshKeys();
        var second = FreshKeys();
        var rebooted = Ec2QueryStub.CloudInitConsole(Lines(first)) + Ec2QueryStub.CloudInitConsole(Lines(second));
        Assert.Equal(second[0].Blob, ConsoleHostKeys.Parse(rebooted)[0].Blob);
        // A block cut off at the end (the console is still being written) does not count; the complete one before it does.
        var cut = Ec2QueryStub.CloudInitConsole(Lines(first)) + "-----BEGIN SSH HOST KEY KEYS-----\r\n" + Lines(second)[0][..40];
        Assert.Equal(first[0].Blob, ConsoleHostKeys.Parse(cut)[0].Blob);
        Assert.Empty(ConsoleHostKeys.Parse("[    0.000000] Linux version 5.14.0\r\nlogin: "));
        Assert.Empty(ConsoleHostKeys.Parse(null));
        // A damaged key (the wrong type inside the blob, or truncated) is left out, not half-trusted.
        var wrongType = $"-----BEGIN SSH HOST KEY KEYS-----\nssh-rsa {Convert.ToBase64String(first[0].Blob)} root@node\necdsa-sha2-nistp256 {Convert.ToBase64String(first[0].Blob)[..60]} root@node\n-----END SSH HOST KEY KEYS-----";
        Assert.Empty(ConsoleHostKeys.Parse(wrongType));
    }

    private async Task<Dictionary<string, string>> Launch(int count)
    {
        var response = await _client.RunInstancesAsync(new RunInstancesRequest { ImageId = "ami-0123456789abcdef0", MinCount = count, MaxCount = count, InstanceType = "m6i.large" });
        return response.Reservation.Instances.ToDictionary(i => i.InstanceId, i => i.PrivateIpAddress);
    }

    private sealed class Messages
    {
        public List<string> Warnings { get; } = new();
        public List<string> Verbose { get; } = new();

        /// <summary>The warning -AllowInsecureTransport earns (kept apart: each test judges the warnings about the instances).</summary>
        public List<string> TransportWarnings { get; } = new();

        public OperationContext Context(CancellationToken cancellation = default) => new()
        {
            Warning = m => { lock (this) { (m.StartsWith("-AllowInsecureTransport:", StringComparison.Ordinal) ? TransportWarnings : Warnings).Add(m); } },
            Verbose = m => { lock (this) { Verbose.Add(m); } },
            Cancellation = cancellation,
            // The EC2 stub is plain HTTP (see Ec2QueryStub): its console is accepted as evidence only because the test says so.
            AllowInsecureTransport = true,
        };
    }

    [Fact]
    public async Task Console_keys_are_recorded_once_for_the_address_SSH_uses_after_the_instances_have_printed_them()
    {
        _ec2.InstanceAddresses = new[] { "10.0.1.10", "10.0.1.11" };
        var instances = await Launch(2);
        var keys = instances.Values.ToDictionary(a => a, _ => FreshKeys());
        foreach (var (address, k) in keys)
        {
            _ec2.ConsoleByAddress[address] = Ec2QueryStub.CloudInitConsole(Lines(k));
        }
        _ec2.ConsoleSilentPolls = 2; // still booting for the first two polls
        var knownHosts = Path.Combine(_dir, "known_hosts");
        var messages = new Messages();
        var trust = new ConsoleHostKeyTrust(_client, messages.Context()) { FirstPollInterval = TimeSpan.FromMilliseconds(50) };

        var unverified = await trust.RecordAsync(instances, 2222, knownHosts, TimeSpan.FromSeconds(20));
        Assert.Empty(unverified);
        Assert.Empty(messages.Warnings);
        Assert.Contains("console output would vouch", Assert.Single(messages.TransportWarnings)); // the stub's http://, accepted explicitly, once
        Assert.All(instances.Keys, id => Assert.Equal(3, _ec2.Requests.Count(r => r.Action == "GetConsoleOutput" && r.Parameters["InstanceId"] == id)));
        Assert.All(_ec2.Requests.Where(r => r.Action == "GetConsoleOutput"), r => Assert.Equal("true", r.Parameters["Latest"]));
        var recorded = KnownHosts.Load(knownHosts);
        foreach (var (address, k) in keys)
        {
            Assert.All(k, key => Assert.Equal(HostKeyVerdict.Trusted, recorded.Verify(address, 2222, key.Blob)));
            Assert.Equal(HostKeyVerdict.Unknown, recorded.Verify(address, 22, k[0].Blob)); // recorded for that port only
            Assert.Equal(HostKeyVerdict.Mismatch, recorded.Verify(address, 2222, FreshKeys()[0].Blob));
        }
        var fingerprint = new SshHostPublicKey(keys.Values.First()[0].Type, keys.Values.First()[0].Blob).Fingerprint;
        Assert.Contains(messages.Verbose, v => v.Contains("verified through its EC2 console output", StringComparison.Ordinal) && v.Contains(fingerprint, StringComparison.Ordinal));

        // Again (a re-run): nothing is written twice.
        var lines = File.ReadAllLines(knownHosts).Length;
        Assert.Equal(8, lines);
        Assert.Empty(await new ConsoleHostKeyTrust(_client, messages.Context()) { FirstPollInterval = TimeSpan.FromMilliseconds(50) }.RecordAsync(instances, 2222, knownHosts, TimeSpan.FromSeconds(5)));
        Assert.Equal(lines, File.ReadAllLines(knownHosts).Length);
    }

    [Fact]
    public async Task A_stale_key_for_a_reused_address_is_kept_with_a_warning_and_a_revoked_key_is_never_recorded()
    {
        var instances = await Launch(1);
        var address = instances.Single().Value;
        var keys = FreshKeys();
        _ec2.ConsoleByAddress[address] = Ec2QueryStub.CloudInitConsole(Lines(keys));
        var knownHosts = Path.Combine(_dir, "known_hosts");
        var old = FreshKeys()[0];
        File.WriteAllText(knownHosts, $"{address} {old.Type} {Convert.ToBase64String(old.Blob)}\n");
        var messages = new Messages();
        await new ConsoleHostKeyTrust(_client, messages.Context()).RecordAsync(instances, 22, knownHosts, TimeSpan.FromSeconds(5));
        Assert.Contains(messages.Warnings, w => w.Contains("other host keys for " + address, StringComparison.Ordinal) && w.Contains("ssh-keygen -R", StringComparison.Ordinal));
        Assert.Equal(HostKeyVerdict.Trusted, KnownHosts.Load(knownHosts).Verify(address, 22, keys[0].Blob));

        File.WriteAllText(knownHosts, $"@revoked * {keys[2].Type} {Convert.ToBase64String(keys[2].Blob)}\n");
        messages = new Messages();
        await new ConsoleHostKeyTrust(_client, messages.Context()).RecordAsync(instances, 22, knownHosts, TimeSpan.FromSeconds(5));
        Assert.Contains(messages.Warnings, w => w.Contains("@revoked", StringComparison.Ordinal));
        Assert.Single(File.ReadAllLines(knownHosts));
    }

    [Fact]
    public async Task An_instance_that_prints_no_keys_is_named_after_the_timeout_and_others_are_still_recorded()
    {
        _ec2.InstanceAddresses = new[] { "10.0.1.20", "10.0.1.21" };
        var instances = await Launch(2);
        var silent = instances.Single(i => i.Value == "10.0.1.21").Key;
        _ec2.ConsoleByAddress["10.0.1.20"] = Ec2QueryStub.CloudInitConsole(Lines(FreshKeys()));
        _ec2.ConsoleByAddress["10.0.1.21"] = "[    0.000000] Linux version 5.14.0\r\n"; // keys-to-console disabled
        var messages = new Messages();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var unverified = await new ConsoleHostKeyTrust(_client, messages.Context()) { FirstPollInterval = TimeSpan.FromMilliseconds(100) }
            .RecordAsync(instances, 22, Path.Combine(_dir, "known_hosts"), TimeSpan.FromSeconds(1.5));
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(6));
        Assert.Equal(new[] { silent }, unverified);
        var warning = Assert.Single(messages.Warnings);
        Assert.Contains(silent, warning);
        Assert.Contains("AcceptNew", warning);
        // The other instance's four keys are recorded, none for the silent one.
        Assert.Equal(4, File.ReadAllLines(Path.Combine(_dir, "known_hosts")).Count(l => l.StartsWith("10.0.1.20 ", StringComparison.Ordinal)));
        Assert.DoesNotContain("10.0.1.21", File.ReadAllText(Path.Combine(_dir, "known_hosts")));
    }

    [Fact]
    public async Task An_instance_type_without_the_latest_console_is_read_from_the_buffered_output_and_Ctrl_C_stops_the_wait()
    {
        var instances = await Launch(1);
        _ec2.LatestConsoleUnsupported = true;
        _ec2.ConsoleByAddress[instances.Values.Single()] = Ec2QueryStub.CloudInitConsole(Lines(FreshKeys()));
        var messages = new Messages();
        Assert.Empty(await new ConsoleHostKeyTrust(_client, messages.Context()).RecordAsync(instances, 22, Path.Combine(_dir, "known_hosts"), TimeSpan.FromSeconds(5)));
        var calls = _ec2.Requests.Where(r => r.Action == "GetConsoleOutput").ToList();
        Assert.Equal(new[] { "true", "" }, calls.Select(c => c.Parameters.GetValueOrDefault("Latest", "")));

        _ec2.ConsoleByAddress.Clear();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ConsoleHostKeyTrust(_client, new Messages().Context(stop.Token))
            .RecordAsync(instances, 22, Path.Combine(_dir, "other_known_hosts"), TimeSpan.FromMinutes(5)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {watch.Elapsed}");
    }
}
