using System.Net;
using System.Net.Sockets;

namespace FipsCluster.Testing;

/// <summary>Ports for servers the tests start on loopback.</summary>
public static class LoopbackPort
{
    /// <summary>A TCP port the kernel just handed out on 127.0.0.1 and that nothing listens on now.</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
