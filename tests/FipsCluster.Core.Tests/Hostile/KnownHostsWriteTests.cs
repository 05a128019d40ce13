using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 1, defence in depth: KnownHosts itself refuses to write a host that is not an IP address or DNS
/// name in canonical text, or a key type that could break the line — whoever calls it, validated or not.
/// </summary>
public sealed class KnownHostsWriteTests : IDisposable
{
    private const string Key = "AAAAC3NzaC1lZDI1NTE5AAAAIA3DSXE2lVfV+SwIUMirISeqpNS0QYjQ8E4lg/qyZjtw";
    private readonly string _path = Path.Combine(Path.GetTempPath(), "fc-kh-" + Guid.NewGuid().ToString("N")[..8]);

    public KnownHostsWriteTests() => File.WriteAllText(_path, $"# mine\n10.0.0.9 ssh-ed25519 {Key}\n");

    public void Dispose() => File.Delete(_path);

    private static byte[] Blob => Convert.FromBase64String(Key);

    [Theory]
    [InlineData("::1%lo\n* ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3DSXE2lVfV")]
    [InlineData("*")]
    [InlineData("node1,*")]
    [InlineData("NODE1")] // a name not in canonical (lower-case) form
    [InlineData("2001:DB8::1")]
    [InlineData("127.1")]
    [InlineData("")]
    public void A_host_that_is_not_canonical_is_not_written_and_the_file_stays_as_it_was(string host)
    {
        var before = File.ReadAllBytes(_path);
        var knownHosts = KnownHosts.Load(_path);
        var error = Assert.Throws<FipsClusterException>(() => knownHosts.Add(host, 2222, "ssh-ed25519", Blob));
        Assert.Equal(ErrorIds.InvalidNodeTarget, error.ErrorId);
        Assert.Equal(before, File.ReadAllBytes(_path));
        Assert.Equal(HostKeyVerdict.Unknown, knownHosts.Verify("10.0.0.1", 2222, Blob)); // nothing was trusted in memory either
        Assert.Throws<FipsClusterException>(() => KnownHosts.Line(host, 22, "ssh-ed25519", Blob));
    }

    [Theory]
    [InlineData("ssh-ed25519\n* ssh-ed25519")]
    [InlineData("ssh-ed25519 extra")]
    [InlineData("")]
    public void A_key_type_that_could_break_the_line_is_not_written(string keyType)
    {
        var before = File.ReadAllBytes(_path);
        var error = Assert.Throws<FipsClusterException>(() => KnownHosts.Load(_path).Add("10.0.0.1", 22, keyType, Blob));
        Assert.Equal(ErrorIds.SshConnectionFailed, error.ErrorId);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, File.ReadAllBytes(_path));
    }

    [Fact]
    public void Canonical_hosts_are_written_one_line_each()
    {
        var knownHosts = KnownHosts.Load(_path);
        knownHosts.Add("10.0.0.1", 22, "ssh-ed25519", Blob);
        knownHosts.Add("::1", 2222, "ssh-ed25519", Blob);
        knownHosts.Add("node1.example.com", 2200, "sk-ssh-ed25519@openssh.com", Blob);
        Assert.Equal(new[]
        {
            "# mine", $"10.0.0.9 ssh-ed25519 {Key}",
            $"10.0.0.1 ssh-ed25519 {Key}", $"[::1]:2222 ssh-ed25519 {Key}", $"[node1.example.com]:2200 sk-ssh-ed25519@openssh.com {Key}",
        }, File.ReadAllLines(_path));
        Assert.Equal(HostKeyVerdict.Trusted, KnownHosts.Load(_path).Verify("::1", 2222, Blob));
    }
}
