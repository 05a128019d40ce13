using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 1: a host is an IP address or a DNS name in canonical text, and nothing else reaches SSH or
/// known_hosts. The texts refused here are the ones .NET's own parser accepts by ignoring their junk.
/// </summary>
public sealed class HostAddressTests
{
    private const string Injected = "::1%lo\n* ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3DSXE2lVfV+SwIUMirISeqpNS0QYjQ8E4lgEqyZjtw";

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("::1", "::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    [InlineData("fe80::1%lo", "fe80::1%1")] // a link-local address with a scope this machine has (lo is index 1)
    [InlineData("node1", "node1")]
    [InlineData("Node-1.Example.COM", "node-1.example.com")]
    [InlineData("ip-10-0-1-20.ec2.internal.", "ip-10-0-1-20.ec2.internal")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("3com.net", "3com.net")]
    public void Addresses_and_names_are_written_canonically(string text, string canonical)
    {
        Assert.True(HostAddress.TryCanonical(text, out var written, out var reason), reason);
        Assert.Equal(canonical, written);
        Assert.True(HostAddress.IsCanonical(written));
        Assert.Equal(canonical, new HostEndpoint(text, 22).Host);
    }

    [Theory]
    [InlineData(Injected)] // the proof: .NET reads it as ::1
    [InlineData("::1%lo")] // a scope on an address that is not link-local
    [InlineData("::1%")]
    [InlineData("::1%999999999999")]
    [InlineData("fe80::1%nosuchif0")]
    [InlineData("fe80::1%a/b")]
    [InlineData("::1/128")]
    [InlineData("127.1")] // inet_aton's short forms, which .NET also accepts
    [InlineData("0x7f.0.0.1")]
    [InlineData("1")]
    [InlineData("010.0.0.1")] // octal to some parsers
    [InlineData("256.0.0.1")]
    [InlineData("10.0.0.1.")]
    [InlineData("1.2.3.4.5")]
    [InlineData("node1\n* ssh-ed25519 AAAA")]
    [InlineData("node1 * ssh-ed25519 AAAA")]
    [InlineData("*")]
    [InlineData("!node1")]
    [InlineData("|1|c2FsdA==|aG1hYw==")]
    [InlineData("node_1")]
    [InlineData("-node")]
    [InlineData("node-")]
    [InlineData("a..b")]
    [InlineData("user@node1")]
    [InlineData("nöde")]
    [InlineData("node1,node2")]
    [InlineData("")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(HostAddress.TryCanonical(text, out _, out var reason));
        Assert.NotEmpty(reason);
        Assert.False(HostAddress.IsCanonical(text));
        var error = Assert.Throws<FipsClusterException>(() => new HostEndpoint(text, 22));
        Assert.Equal(ErrorIds.InvalidNodeTarget, error.ErrorId);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Lengths_follow_RFC_1035()
    {
        var label = new string('a', 63);
        Assert.True(HostAddress.TryCanonical(label + ".example", out _, out _));
        Assert.False(HostAddress.TryCanonical(new string('a', 64) + ".example", out _, out _));
        var longest = string.Join('.', Enumerable.Repeat(label, 3)) + "." + new string('b', 61); // 253 characters
        Assert.Equal(253, longest.Length);
        Assert.True(HostAddress.TryCanonical(longest, out _, out _));
        Assert.False(HostAddress.TryCanonical(longest + "b", out _, out _));
    }

    [Theory]
    [InlineData("[" + Injected + "]:2222")]
    [InlineData(Injected)]
    [InlineData("[::1%lo]:22")]
    [InlineData("node1:22\n* ssh-ed25519 AAAA")]
    [InlineData("node1:0")]
    [InlineData("node1:65536")]
    [InlineData("[node1]x")]
    public void Targets_with_a_host_that_is_not_one_are_InvalidNodeTarget(string target)
    {
        var error = Assert.Throws<FipsClusterException>(() => HostEndpoint.Parse(target, 22));
        Assert.Equal(ErrorIds.InvalidNodeTarget, error.ErrorId);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\n', (string)error.Target!);
    }

    [Theory]
    [InlineData("node1", 22, "node1", 22, "node1")]
    [InlineData("NODE1:2222", 22, "node1", 2222, "node1:2222")]
    [InlineData("[10.0.0.1]:2222", 22, "10.0.0.1", 2222, "10.0.0.1:2222")]
    [InlineData("[::1]:2222", 22, "::1", 2222, "[::1]:2222")]
    [InlineData("2001:db8::1", 2200, "2001:db8::1", 2200, "[2001:db8::1]:2200")]
    [InlineData("  node1  ", 22, "node1", 22, "node1")]
    public void Targets_parse_into_a_canonical_host_and_port(string target, int defaultPort, string host, int port, string text)
    {
        var endpoint = HostEndpoint.Parse(target, defaultPort);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(text, endpoint.ToString());
    }

    [Fact]
    public void Messages_quote_outside_text_escaped_and_short()
    {
        Assert.Equal("a\\nb\\r\\tc\\u0000\\u00e9", HostAddress.Display("a\nb\r\tc\0é"));
        Assert.Equal(81, HostAddress.Display(new string('x', 500)).Length);
    }
}
