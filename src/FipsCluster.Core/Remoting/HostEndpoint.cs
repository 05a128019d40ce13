using System.Globalization;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// A node or endpoint address as users write it: "host", "host:port", "[host]:port" or a bare IPv6 address. Fleets with
/// sshd on different ports can then be tested in one call. The host is always an IP address or a DNS name in canonical
/// text (<see cref="HostAddress"/>): an endpoint cannot be built from anything else, whoever supplied the text.
/// </summary>
public readonly record struct HostEndpoint
{
    /// <summary>Throws <see cref="ErrorIds.InvalidNodeTarget"/> unless <paramref name="host"/> is an IP address or a DNS name and the port is 1-65535.</summary>
    public HostEndpoint(string host, int port)
    {
        Host = HostAddress.Canonical(host);
        Port = port is >= 1 and <= 65535 ? port
            : throw new FipsClusterException(ErrorIds.InvalidNodeTarget, FipsErrorCategory.InvalidArgument, $"{port} is not a TCP port (1-65535).", port);
    }

    /// <summary>The host in canonical text.</summary>
    public string Host { get; }

    public int Port { get; }

    public void Deconstruct(out string host, out int port)
    {
        host = Host;
        port = Port;
    }

    /// <summary>Reads "host", "host:port", "[host]:port" or a bare IPv6 address; anything else is <see cref="ErrorIds.InvalidNodeTarget"/>.</summary>
    public static HostEndpoint Parse(string target, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (host, port) = Split(target.Trim(), defaultPort) ?? throw Invalid(target, "it is not in one of the forms host, host:port or [host]:port");
        return HostAddress.TryCanonical(host, out var canonical, out var reason) ? new HostEndpoint(canonical, port) : throw Invalid(target, reason);
    }

    private static (string Host, int Port)? Split(string text, int defaultPort)
    {
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close <= 1)
            {
                return null;
            }
            var rest = text[(close + 1)..];
            return rest.Length == 0 ? (text[1..close], defaultPort)
                : rest[0] == ':' && TryPort(rest[1..], out var port) ? (text[1..close], port) : null;
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || text.IndexOf(':', colon + 1) >= 0)
        {
            return (text, defaultPort); // a host, or a bare IPv6 address
        }
        return colon > 0 && TryPort(text[(colon + 1)..], out var p) ? (text[..colon], p) : null;
    }

    /// <summary>"host" on port 22, else "host:port", or "[v6]:port".</summary>
    public override string ToString() => Port == 22 ? Host : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    private static FipsClusterException Invalid(string target, string reason) =>
        new(ErrorIds.InvalidNodeTarget, FipsErrorCategory.InvalidArgument,
            $"'{HostAddress.Display(target)}' is not a node address: {reason}. Use host, host:port or [host]:port, where host is an IP address or a DNS name.", HostAddress.Display(target));
}
