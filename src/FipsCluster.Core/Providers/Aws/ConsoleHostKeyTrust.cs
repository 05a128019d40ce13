using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// Under HostKeyPolicy Strict, new instances are trusted through EC2 instead of on first use: each instance's
/// console output (GetConsoleOutput) is polled until cloud-init has printed its host keys, which are then recorded
/// in known_hosts for the address SSH will use — so the first connection is already verified, and later Strict
/// runs (Test-FipsNode, Test-FipsCluster -NodeCheck Ssh) find them. A key already trusted there is not written
/// twice; an older key for the same address (EC2 reuses private addresses) stays, with a warning, and the new one is
/// added beside it, which both OpenSSH and this module accept.
/// </summary>
public sealed class ConsoleHostKeyTrust
{
    private readonly IAmazonEC2 _ec2;
    private readonly OperationContext _context;

    public ConsoleHostKeyTrust(IAmazonEC2 ec2, OperationContext context)
    {
        _ec2 = ec2;
        _context = context;
    }

    /// <summary>The first wait between two polls of an instance's console; it doubles up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan FirstPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>After <see cref="RecordAsync"/>: the known_hosts lines written for each instance (none when they were there already).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Written => _written;

    private readonly Dictionary<string, IReadOnlyList<string>> _written = new(StringComparer.Ordinal);

    /// <summary>
    /// Records the console-proven host keys of <paramref name="addresses"/> (instance ID → address) in
    /// <paramref name="knownHostsPath"/>. Returns the instances whose keys did not appear within
    /// <paramref name="timeout"/> (each warned about): SSH to them will then refuse the unknown host key.
    /// <see cref="Written"/> then holds the lines written, per instance.
    /// </summary>
    public async Task<IReadOnlyList<string>> RecordAsync(IReadOnlyDictionary<string, string> addresses, int port, string knownHostsPath, TimeSpan timeout)
    {
        RequireAuthenticatedEndpoint(_ec2, _context);
        var knownHosts = KnownHosts.Load(knownHostsPath);
        var pending = addresses.Keys.ToList();
        var latest = addresses.Keys.ToDictionary(id => id, _ => true, StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + timeout;
        // The deadline bounds the console requests too: a slow EC2 answer must not stretch the wait past it.
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(_context.Cancellation);
        expiry.CancelAfter(timeout);
        var delay = FirstPollInterval;
        while (!expiry.IsCancellationRequested)
        {
            foreach (var id in pending.ToList())
            {
                string? console;
                try
                {
                    console = await ConsoleAsync(id, latest, expiry.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_context.Cancellation.IsCancellationRequested)
                {
                    break; // the deadline passed during the request: what is still pending is named below
                }
                var keys = ConsoleHostKeys.Parse(console);
                if (keys.Count == 0)
                {
                    continue;
                }
                pending.Remove(id);
                Record(knownHosts, id, addresses[id], port, keys);
            }
            if (pending.Count == 0 || DateTime.UtcNow >= deadline)
            {
                break;
            }
            var wait = deadline - DateTime.UtcNow;
            try
            {
                await Task.Delay(wait < delay ? wait : delay, expiry.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_context.Cancellation.IsCancellationRequested)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPollInterval.Ticks));
        }
        foreach (var id in pending)
        {
            _context.Warning($"{id} ({addresses[id]}) printed no SSH host keys to its console within {timeout}, so its host key cannot be verified and SSH to it will refuse it. " +
                "cloud-init's keys-to-console module must run (it does by default); otherwise add the key to known_hosts yourself, or use -HostKeyPolicy AcceptNew (trust on first use).");
        }
        return pending;
    }

    /// <summary>
    /// The console output vouches for host keys only when it comes from EC2 over TLS: on an http:// -EndpointUrl anyone on
    /// the path can forge it (and so the keys, and then answer SSH in the instances' place). Refused unless
    /// -AllowInsecureTransport (<see cref="InsecureTransport"/>); callers ask before they create anything.
    /// </summary>
    public static void RequireAuthenticatedEndpoint(IAmazonEC2 ec2, OperationContext context)
    {
        var url = ec2.Config.ServiceURL;
        if (ec2.Config.UseHttp || (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme != Uri.UriSchemeHttps))
        {
            InsecureTransport.Permit(context, url ?? "EC2", "EC2 is reached without TLS and its console output would vouch for the instances' SSH host keys",
                "anyone on the path can forge those keys and answer SSH in the instances' place (receiving what the module sends them, kubeadm join secrets included)");
        }
    }

    /// <summary>The decoded console text, or null while there is none. Latest (Nitro) is asked first; other instances get the buffered output.</summary>
    private async Task<string?> ConsoleAsync(string id, Dictionary<string, bool> latest, CancellationToken cancellation)
    {
        GetConsoleOutputResponse response;
        try
        {
            response = await _ec2.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id, Latest = latest[id] ? true : null }, cancellation).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception ex) when (latest[id] && ex.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            // Latest needs the Nitro hypervisor; EC2 does not document the error code for other types, so any refusal of
            // the request (400) falls back once to the buffered output, whose own errors then surface as they are.
            latest[id] = false;
            _context.Verbose($"{id}: the latest console output was refused ({ex.ErrorCode}: an instance type without Nitro?); reading the buffered output.");
            response = await _ec2.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id }, cancellation).ConfigureAwait(false);
        }
        if (string.IsNullOrEmpty(response.Output))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(response.Output));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private void Record(KnownHosts knownHosts, string id, string address, int port, IReadOnlyList<SshHostPublicKey> keys)
    {
        var verdicts = keys.Select(k => knownHosts.Verify(address, port, k.Blob)).ToList();
        if (verdicts.Contains(HostKeyVerdict.Revoked))
        {
            // Never re-admit a key the user revoked; SSH will refuse it as well.
            _context.Warning($"{id} ({KnownHosts.HostName(address, port)}): a host key it printed to its console is marked @revoked in {knownHosts.Path}; not recorded.");
            return;
        }
        var fingerprints = string.Join(", ", keys.Select(k => $"{k.KeyType} {k.Fingerprint}"));
        if (verdicts.Contains(HostKeyVerdict.Trusted))
        {
            _context.Verbose($"{id} ({KnownHosts.HostName(address, port)}): its console shows host keys already in known_hosts ({fingerprints}).");
            return;
        }
        if (verdicts.Contains(HostKeyVerdict.Mismatch))
        {
            _context.Warning($"{knownHosts.Path} holds other host keys for {KnownHosts.HostName(address, port)} (an earlier machine at that address?); the keys {id} printed to its console are added beside them. " +
                $"Once that machine is gone, remove its keys with: ssh-keygen -R '{KnownHosts.HostName(address, port)}'.");
        }
        foreach (var key in keys)
        {
            knownHosts.Add(address, port, key.KeyType, key.Blob);
        }
        _written[id] = keys.Select(k => KnownHosts.Line(address, port, k.KeyType, k.Blob)).ToList();
        _context.Verbose($"{id} ({KnownHosts.HostName(address, port)}): host keys verified through its EC2 console output and recorded in {knownHosts.Path}: {fingerprints}.");
    }
}
