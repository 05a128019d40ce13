using System.Net;
using System.Net.Sockets;

namespace FipsCluster.Testing;

/// <summary>
/// A TCP port on loopback that relays every connection to another endpoint, byte for byte (as an SSH port forward or
/// a NAT rule would): a real sshd reached on a port other than its own. Disposing closes the port and every relayed
/// connection.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TcpRelay(string targetHost, int targetPort)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(targetHost, targetPort);
    }

    /// <summary>The loopback port that relays.</summary>
    public int Port { get; }

    private async Task AcceptAsync(string targetHost, int targetPort)
    {
        var relays = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                relays.Add(RelayAsync(client, targetHost, targetPort));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        await Task.WhenAll(relays).ConfigureAwait(false);
    }

    private async Task RelayAsync(TcpClient client, string targetHost, int targetPort)
    {
        using (client)
        using (var target = new TcpClient())
        {
            try
            {
                await target.ConnectAsync(targetHost, targetPort, _stop.Token).ConfigureAwait(false);
                var a = client.GetStream();
                var b = target.GetStream();
                // Either side closing ends the relay: the other side sees its connection close.
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
