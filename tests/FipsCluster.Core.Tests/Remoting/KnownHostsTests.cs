using System.Security.Cryptography;
using System.Text;
using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Remoting;

/// <summary>known_hosts as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it.</summary>
public sealed class KnownHostsTests
{
    // Two real ed25519 public keys (ssh-keygen -t ed25519).
    private const string KeyA = "AAAAC3NzaC1lZDI1NTE5AAAAIA3DSXE2lVfV+SwIUMirISeqpNS0QYjQ8E4lg/qyZjtw";
    private const string KeyB = "AAAAC3NzaC1lZDI1NTE5AAAAIM3t465j5758u5AjozEagtjphadKGku+055Yry1fydOz";

    private static byte[] A => Convert.FromBase64String(KeyA);

    private static byte[] B => Convert.FromBase64String(KeyB);

    [Fact]
    public void Plain_host_trusted_mismatch_and_unknown()
    {
        var hosts = KnownHosts.Parse($"# managed by ansible\n\nnode1.example.com,10.0.0.11 ssh-ed25519 {KeyA} root@node1\n");
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("node1.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("10.0.0.11", 22, A));
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("NODE1.example.com", 22, A)); // host names compare case-insensitively
        Assert.Equal(HostKeyVerdict.Mismatch, hosts.Verify("node1.example.com", 22, B));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node2.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node1.example.com", 2222, A)); // another port is another host
        Assert.Equal(new[] { "ssh-ed25519" }, hosts.KeyTypesFor("node1.example.com", 22));
    }

    [Fact]
    public void Bracketed_host_and_port()
    {
        var hosts = KnownHosts.Parse($"[node2.example.com]:2222 ssh-ed25519 {KeyA}\n");
        Assert.Equal("[node2.example.com]:2222", KnownHosts.HostName("node2.example.com", 2222));
        Assert.Equal("node2.example.com", KnownHosts.HostName("node2.example.com", 22));
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("node2.example.com", 2222, A));
        Assert.Equal(HostKeyVerdict.Mismatch, hosts.Verify("node2.example.com", 2222, B));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node2.example.com", 22, A));
    }

    [Fact]
    public void Hashed_entries_written_by_ssh_keygen_H()
    {
        // `ssh-keygen -H` output for "node1.example.com" and "[node2.example.com]:2222".
        var hosts = KnownHosts.Parse(
            $"|1|ORyAThruSj/UbRfV6k8WwT9wOMY=|4qBcMniFqZGQElWYX5otts5/U/g= ssh-ed25519 {KeyA}\n" +
            $"|1|xqyOmQdx9r79uw/S7A7RyddwHRQ=|8goFMMdZ59rbo71oIfbprnev++o= ssh-ed25519 {KeyA}\n");
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("node1.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Mismatch, hosts.Verify("node1.example.com", 22, B));
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("node2.example.com", 2222, A));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node2.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node3.example.com", 22, A));
    }

    [Fact]
    public void Hashed_entry_computed_with_HMAC_SHA1()
    {
        var salt = RandomNumberGenerator.GetBytes(20);
        var hash = HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes("[10.1.2.3]:2200"));
        var hosts = KnownHosts.Parse($"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)} ssh-ed25519 {KeyB}\n");
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("10.1.2.3", 2200, B));
        Assert.Equal(HostKeyVerdict.Mismatch, hosts.Verify("10.1.2.3", 2200, A));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("10.1.2.3", 22, B));
    }

    [Fact]
    public void Malformed_hashed_entries_match_nothing()
    {
        var hosts = KnownHosts.Parse($"|1|not base64!|also not ssh-ed25519 {KeyA}\n|1|onlytwo ssh-ed25519 {KeyA}\n");
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node1.example.com", 22, A));
    }

    [Fact]
    public void Wildcards_and_negation()
    {
        var hosts = KnownHosts.Parse($"*.prod.example.com,!bastion.prod.example.com,10.0.?.5 ssh-ed25519 {KeyA}\n");
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("node7.prod.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("10.0.3.5", 22, A));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("10.0.13.5", 22, A)); // ? is exactly one character
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("bastion.prod.example.com", 22, A)); // negated: the line does not apply
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("prod.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node7.prod.example.com.evil.test", 22, A)); // anchored
    }

    [Fact]
    public void Negation_alone_matches_nothing()
    {
        var hosts = KnownHosts.Parse($"!bastion.example.com ssh-ed25519 {KeyA}\n");
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node1.example.com", 22, A));
    }

    [Fact]
    public void Revoked_keys_are_refused_even_when_also_listed_as_known()
    {
        var hosts = KnownHosts.Parse($"node1.example.com ssh-ed25519 {KeyA}\n@revoked * ssh-ed25519 {KeyA}\n@revoked node9.example.com ssh-ed25519 {KeyB}\n");
        Assert.Equal(HostKeyVerdict.Revoked, hosts.Verify("node1.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Revoked, hosts.Verify("anything.example.com", 2222, A));
        Assert.Equal(HostKeyVerdict.Revoked, hosts.Verify("node9.example.com", 22, B));
        Assert.Equal(HostKeyVerdict.Mismatch, hosts.Verify("node1.example.com", 22, B)); // B is revoked only for node9
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node8.example.com", 22, B));
        Assert.Equal(new[] { "ssh-ed25519" }, hosts.KeyTypesFor("node1.example.com", 22)); // revoked lines are not key types to prefer
    }

    [Fact]
    public void Cert_authority_lines_are_not_host_keys()
    {
        var hosts = KnownHosts.Parse($"@cert-authority *.example.com ssh-ed25519 {KeyA}\n");
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node1.example.com", 22, A));
    }

    [Fact]
    public void Unknown_markers_invalidate_the_line()
    {
        var hosts = KnownHosts.Parse($"@revoke node1.example.com ssh-ed25519 {KeyA}\n");
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node1.example.com", 22, A));
    }

    [Fact]
    public void Malformed_lines_are_skipped()
    {
        var hosts = KnownHosts.Parse($"node1.example.com ssh-ed25519\nnode1.example.com ssh-ed25519 %%%notbase64%%%\n@revoked\nnode2.example.com ssh-ed25519 {KeyB} comment with spaces\n");
        Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node1.example.com", 22, A));
        Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("node2.example.com", 22, B));
    }

    [Fact]
    public void Accept_new_appends_in_known_hosts_format_and_reloads()
    {
        var dir = Directory.CreateTempSubdirectory("fc-kh-").FullName;
        try
        {
            var path = Path.Combine(dir, "ssh", "known_hosts");
            var hosts = KnownHosts.Load(path);
            Assert.Equal(HostKeyVerdict.Unknown, hosts.Verify("node1.example.com", 2222, A));
            hosts.Add("node1.example.com", 2222, "ssh-ed25519", A);
            Assert.Equal(HostKeyVerdict.Trusted, hosts.Verify("node1.example.com", 2222, A));
            Assert.Equal($"[node1.example.com]:2222 ssh-ed25519 {KeyA}\n", File.ReadAllText(path));
            Assert.Equal(HostKeyVerdict.Mismatch, KnownHosts.Load(path).Verify("node1.example.com", 2222, B));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Removing_the_lines_the_module_wrote_leaves_every_other_line_byte_for_byte_and_the_file_mode()
    {
        var dir = Directory.CreateTempSubdirectory("fc-kh-").FullName;
        try
        {
            var path = Path.Combine(dir, "known_hosts");
            var theirs = $"# my hosts\n|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|aGFzaGhhc2hoYXNoaGFzaGhhc2g= ssh-ed25519 {KeyA}\n10.0.1.10 ssh-ed25519 {KeyB}   trailing comment\n";
            File.WriteAllText(path, theirs);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            var hosts = KnownHosts.Load(path);
            hosts.Add("10.0.1.10", 2222, "ssh-ed25519", A);
            hosts.Add("10.0.1.11", 2222, "ssh-ed25519", B);
            var written = new[] { KnownHosts.Line("10.0.1.10", 2222, "ssh-ed25519", A), KnownHosts.Line("10.0.1.11", 2222, "ssh-ed25519", B) };
            Assert.Equal(2, KnownHosts.RemoveLines(path, written));
            Assert.Equal(theirs, File.ReadAllText(path)); // the same address on port 22, with its comment, is the user's: kept
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            Assert.Single(Directory.GetFiles(dir)); // no temporary file left
            Assert.Equal(0, KnownHosts.RemoveLines(path, written));
            Assert.Equal(0, KnownHosts.RemoveLines(Path.Combine(dir, "missing"), written));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
