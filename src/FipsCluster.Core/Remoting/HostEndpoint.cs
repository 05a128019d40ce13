using System.Globalization;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// A node or endpoint address as users write it: "host", "host:port", "[v6]:port" or a bare IPv6 address. Fleets with
/// sshd on different ports can then be tested in one call.
/// </summary>
public readonly record struct HostEndpoint(string Host, int Port)
{
    public static HostEndpoint Parse(string target, int defaultPort)
    {
        var text = target.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close > 1)
            {
                var host = text[1..close];
                var rest = text[(close + 1)..];
                if (rest.Length == 0)
                {
                    return new HostEndpoint(host, defaultPort);
                }
                if (rest[0] == ':' && TryPort(rest[1..], out var port))
                {
                    return new HostEndpoint(host, port);
                }
            }
            throw Invalid(target);
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return text.Length > 0 && !text.Any(char.IsWhiteSpace) ? new HostEndpoint(text, defaultPort) : throw Invalid(target);
        }
        if (text.IndexOf(':', colon + 1) >= 0)
        {
            return new HostEndpoint(text, defaultPort); // bare IPv6 address
        }
        return colon > 0 && TryPort(text[(colon + 1)..], out var p) ? new HostEndpoint(text[..colon], p) : throw Invalid(target);
    }

    public override string ToString() => Port == 22 ? Host : Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    private static FipsClusterException Invalid(string target) =>
        new(ErrorIds.InvalidNodeTarget, FipsErrorCategory.InvalidArgument, $"'{target}' is not a node address: use host, host:port or [IPv6]:port.", target);
}
