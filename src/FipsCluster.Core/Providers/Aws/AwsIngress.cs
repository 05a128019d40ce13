using System.Net;
using System.Net.Sockets;
using Amazon.EC2.Model;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The cluster security group's ingress: the cluster's ports open to the group itself (always), the Kubernetes API
/// (6443) to <see cref="AwsClusterSpec.ApiAllowedCidrs"/>, and SSH to <see cref="AwsClusterSpec.SshAllowedCidrs"/>.
/// Nothing is open to the outside unless asked for, and SSH from everywhere (a /0) only with Force.
/// </summary>
public static class AwsIngress
{
    /// <summary>The ports the cluster's instances reach each other on: SSH, API server, etcd, kubelet.</summary>
    public static readonly int[] ClusterPorts = { 22, 6443, 2379, 2380, 10250 };

    public const int ApiPort = 6443;

    /// <summary>A network as AWS wants it ("10.0.0.0/16"): a bare address becomes a host network (/32, /128); host bits set are refused.</summary>
    public static string Normalize(string text, string parameter)
    {
        var value = text.Trim();
        if (!value.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(value, out var address))
        {
            value += address.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32";
        }
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var hint = "";
        var parsed = IPNetwork.TryParse(value, out var network);
        if (parsed && IPAddress.TryParse(value[..slash], out var baseAddress) && !Masked(baseAddress, network.PrefixLength).Equals(baseAddress))
        {
            // 10.1.2.3/16 is a host, not a network: AWS would silently widen or refuse it; say what was meant.
            parsed = false;
            hint = $" (the address has bits set past the /{network.PrefixLength} prefix: did you mean {Masked(baseAddress, network.PrefixLength)}/{network.PrefixLength}?)";
        }
        if (!parsed)
        {
            throw new FipsClusterException(ErrorIds.InvalidIngressCidr, FipsErrorCategory.InvalidArgument,
                $"-{parameter}: '{text}' is not a network in CIDR notation, e.g. 203.0.113.0/24 or 2001:db8::/32{hint}.", text);
        }
        return network.ToString();
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    /// <summary>True for 0.0.0.0/0 and ::/0 (or any /0): the whole Internet.</summary>
    public static bool IsEverywhere(string cidr) => cidr.EndsWith("/0", StringComparison.Ordinal);

    /// <summary>
    /// Checks the spec's CIDRs before anything is created. SSH from a /0 is refused unless
    /// <paramref name="allowSshFromEverywhere"/> (-Force): the first rule of every AWS benchmark (CIS AWS 5.2).
    /// </summary>
    public static void Validate(AwsClusterSpec spec, bool allowSshFromEverywhere)
    {
        _ = Api(spec);
        var ssh = Ssh(spec);
        if (!allowSshFromEverywhere && ssh.FirstOrDefault(IsEverywhere) is { } everywhere)
        {
            throw new FipsClusterException(ErrorIds.InvalidIngressCidr, FipsErrorCategory.InvalidArgument,
                $"-SshAllowedCidr {everywhere} would open SSH to the whole Internet. Give this host's address (e.g. 203.0.113.7/32) or your bastion's network; -Force allows it anyway.", everywhere)
            {
                RecommendedAction = "Use the public address of the host that runs New-FipsCluster, as a /32.",
            };
        }
        if (spec.SshPort is < 1 or > 65535)
        {
            throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument, $"SSH port {spec.SshPort} is out of range.", spec.SshPort);
        }
    }

    /// <summary>The spec's API networks, normalized.</summary>
    public static IReadOnlyList<string> Api(AwsClusterSpec spec) => spec.ApiAllowedCidrs.Select(c => Normalize(c, "ApiAllowedCidr")).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The spec's SSH networks, normalized.</summary>
    public static IReadOnlyList<string> Ssh(AwsClusterSpec spec) => spec.SshAllowedCidrs.Select(c => Normalize(c, "SshAllowedCidr")).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>One permission per port: the group itself, plus the allowed networks on the API and SSH ports.</summary>
    public static List<IpPermission> Permissions(AwsClusterSpec spec, string groupId)
    {
        var api = Api(spec);
        var ssh = Ssh(spec);
        var ports = ClusterPorts.Concat(ssh.Count > 0 ? new[] { spec.SshPort } : Array.Empty<int>()).Distinct().ToList();
        return ports.Select(port =>
        {
            var permission = new IpPermission { IpProtocol = "tcp", FromPort = port, ToPort = port };
            if (ClusterPorts.Contains(port))
            {
                permission.UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = groupId } };
            }
            var cidrs = (port == ApiPort ? api : Array.Empty<string>())
                .Concat(port == spec.SshPort ? ssh : Array.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
            var description = port == ApiPort ? "FipsCluster: Kubernetes API" : "FipsCluster: SSH (admin)";
            var v4 = cidrs.Where(c => !c.Contains(':', StringComparison.Ordinal)).Select(c => new IpRange { CidrIp = c, Description = description }).ToList();
            var v6 = cidrs.Where(c => c.Contains(':', StringComparison.Ordinal)).Select(c => new Ipv6Range { CidrIpv6 = c, Description = description }).ToList();
            if (v4.Count > 0)
            {
                permission.Ipv4Ranges = v4;
            }
            if (v6.Count > 0)
            {
                permission.Ipv6Ranges = v6;
            }
            return permission;
        }).ToList();
    }

    /// <summary>
    /// The network rules (CIDR sources) a group has that <paramref name="wanted"/> (split, one source each) does not:
    /// one permission per source. Rules naming groups are the cluster's own and are left as they are.
    /// </summary>
    public static List<IpPermission> Stale(IEnumerable<IpPermission> existing, IReadOnlyCollection<IpPermission> wanted)
    {
        var keep = wanted.Select(Key).ToHashSet(StringComparer.Ordinal);
        return Split(existing).Where(p => p.UserIdGroupPairs is not { Count: > 0 } && !keep.Contains(Key(p))).ToList();
    }

    /// <summary>A one-source rule as people read it: "tcp 22 from 0.0.0.0/0".</summary>
    public static string Describe(IpPermission p) =>
        $"{p.IpProtocol} {(p.FromPort == p.ToPort ? $"{p.FromPort}" : $"{p.FromPort}-{p.ToPort}")} from {Source(p)}";

    private static string Key(IpPermission p) => $"{p.IpProtocol}|{p.FromPort}|{p.ToPort}|{Source(p)}";

    private static string Source(IpPermission p) =>
        p.UserIdGroupPairs?.FirstOrDefault()?.GroupId ?? p.Ipv4Ranges?.FirstOrDefault()?.CidrIp ?? p.Ipv6Ranges?.FirstOrDefault()?.CidrIpv6 ?? "";

    /// <summary>The same rules, one source each: a re-run authorizes them one by one so an existing rule does not hide a new one.</summary>
    public static IEnumerable<IpPermission> Split(IEnumerable<IpPermission> permissions) => permissions.SelectMany(p =>
        (p.UserIdGroupPairs ?? new List<UserIdGroupPair>()).Select(g => new IpPermission { IpProtocol = p.IpProtocol, FromPort = p.FromPort, ToPort = p.ToPort, UserIdGroupPairs = new List<UserIdGroupPair> { g } })
        .Concat((p.Ipv4Ranges ?? new List<IpRange>()).Select(r => new IpPermission { IpProtocol = p.IpProtocol, FromPort = p.FromPort, ToPort = p.ToPort, Ipv4Ranges = new List<IpRange> { r } }))
        .Concat((p.Ipv6Ranges ?? new List<Ipv6Range>()).Select(r => new IpPermission { IpProtocol = p.IpProtocol, FromPort = p.FromPort, ToPort = p.ToPort, Ipv6Ranges = new List<Ipv6Range> { r } })));
}
