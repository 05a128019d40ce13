using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Hostile;

/// <summary>
/// Issue 13, finding 1 (known_hosts injection), as it was proved: .NET parses "::1%lo\n* &lt;type&gt; &lt;key&gt;" as ::1,
/// so a crafted address reaches a real sshd on ::1, and under -HostKeyPolicy AcceptNew the raw text was written to
/// known_hosts — a second line "* &lt;type&gt; &lt;attacker key&gt;" that OpenSSH and this module trust for every host.
/// A kubelet controls its own Node's addresses, so the same text arrived through Test-FipsCluster -NodeCheck Ssh.
/// Now such an address is an InvalidNodeTarget error for that node, and known_hosts is left byte for byte as it was.
/// </summary>
[Collection("ssh")]
public sealed class KnownHostsInjectionTests : IClassFixture<ModuleFixture>, IDisposable
{
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly SshNodesFixture.ExtraSshd? _loopback6;
    private readonly string _attackerKey;

    public KnownHostsInjectionTests(SshNodesFixture nodes, ModuleFixture module)
    {
        _nodes = nodes;
        _ps = module.Session;
        if (nodes.Unavailable is null)
        {
            // A real sshd on the IPv6 loopback: the crafted address connects there, so the old code wrote the line.
            _loopback6 = nodes.StartSshd(Array.Empty<string>(), "::1");
        }
        _attackerKey = AttackerKey();
    }

    /// <summary>
    /// An ssh-ed25519 public key (type and base64 blob), trusted for "*" once injected. As in the proof, its base64 holds
    /// no '/': .NET stops parsing the address at a '/' (a prefix length), while it ignores any other junk after '%'.
    /// </summary>
    private static string AttackerKey()
    {
        while (true)
        {
            var blob = new byte[4 + 11 + 4 + 32];
            blob[3] = 11;
            System.Text.Encoding.ASCII.GetBytes("ssh-ed25519").CopyTo(blob, 4);
            blob[18] = 32;
            System.Security.Cryptography.RandomNumberGenerator.Fill(blob.AsSpan(19));
            var text = Convert.ToBase64String(blob);
            if (!text.Contains('/'))
            {
                return "ssh-ed25519 " + text;
            }
        }
    }

    public void Dispose() => _loopback6?.Dispose();

    /// <summary>The text a hostile kubelet or a hostile input puts where an address belongs.</summary>
    private string Crafted => $"::1%lo\n* {_attackerKey} pwned";

    /// <summary>A known_hosts with content of its own (a comment, an unrelated host), so "unchanged" is byte for byte.</summary>
    private string KnownHostsWithContent()
    {
        var path = _nodes.CopyKnownHosts(line => line.StartsWith("[127.0.0.1]", StringComparison.Ordinal));
        File.AppendAllText(path, "# kept as it is\n");
        return path;
    }

    private PsResult TestNode(string target, string knownHosts, string policy) =>
        _ps.Run("Test-FipsNode -ComputerName $args[0] -SshPort $args[1] -UserName $args[2] -KeyFilePath $args[3] -KnownHostsPath $args[4] -HostKeyPolicy $args[5] -TimeoutSeconds 10",
            target, _loopback6!.Port, _nodes.UserName, _nodes.KeyFile, knownHosts, policy);

    [SkippableFact]
    public void A_crafted_ComputerName_under_AcceptNew_is_InvalidNodeTarget_and_known_hosts_is_unchanged()
    {
        _nodes.Require();
        var knownHosts = KnownHostsWithContent();
        var before = File.ReadAllBytes(knownHosts);

        // The control: the same sshd at its honest address is reached and its key recorded (so the crafted one could have been).
        var honest = TestNode($"[::1]:{_loopback6!.Port}", knownHosts, "AcceptNew");
        Assert.Empty(honest.Errors);
        var added = File.ReadAllLines(knownHosts).Except(System.Text.Encoding.UTF8.GetString(before).Split('\n')).ToList();
        Assert.NotEmpty(added);
        Assert.All(added, line => Assert.StartsWith($"[::1]:{_loopback6.Port} ", line));
        before = File.ReadAllBytes(knownHosts);

        foreach (var target in new[] { $"[{Crafted}]:{_loopback6.Port}", Crafted })
        {
            var result = TestNode(target, knownHosts, "AcceptNew");
            Assert.Equal(before, File.ReadAllBytes(knownHosts));
            Assert.StartsWith("InvalidNodeTarget,", Assert.Single(result.Errors).FullyQualifiedErrorId);
            var report = result.SingleOf("FipsCluster.NodeComplianceReport");
            Assert.Equal("Error", report.Status.ToString());
            Assert.Equal("InvalidNodeTarget", (string)report.ErrorId);
            // The message shows the text escaped: no raw line break reaches a log or a console.
            Assert.DoesNotContain("\n", Assert.Single(result.Errors).Exception.Message);
        }
        Assert.DoesNotContain(File.ReadAllLines(knownHosts), line => line.StartsWith('*'));
    }

    [SkippableFact]
    public void A_crafted_ComputerName_under_Strict_is_InvalidNodeTarget_not_an_authentication_failure()
    {
        _nodes.Require();
        var knownHosts = KnownHostsWithContent();
        var before = File.ReadAllBytes(knownHosts);
        var result = TestNode($"[{Crafted}]:{_loopback6!.Port}", knownHosts, "Strict");
        Assert.StartsWith("InvalidNodeTarget,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Equal(before, File.ReadAllBytes(knownHosts));
    }

    [SkippableFact]
    public void A_Node_whose_InternalIP_is_crafted_is_InvalidNodeTarget_for_that_node_and_known_hosts_is_unchanged()
    {
        _nodes.Require();
        using var api = new KubernetesApiStub { NodeCount = 1, NodeAddress = Crafted };
        var kubeconfig = Path.Combine(_nodes.WorkDirectory, "kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);
        var profile = kubeconfig + ".profile.yaml";
        File.WriteAllText(kubeconfig, api.Kubeconfig());
        File.WriteAllText(profile, "name: Sim-FIPS\nstandard: FIPS 140-3\nchecks:\n  - { id: LNX-FIPS-01 }\n");
        var knownHosts = KnownHostsWithContent();
        var before = File.ReadAllBytes(knownHosts);
        foreach (var port in new[] { _loopback6!.Port, 22 })
        {
            var result = _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -NodeCheck Ssh -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -SshPort $args[4] " +
                "-HostKeyPolicy AcceptNew -Profile (Get-FipsComplianceProfile -Path $args[5])", kubeconfig, _nodes.UserName, _nodes.KeyFile, knownHosts, port, profile);
            Assert.Equal(before, File.ReadAllBytes(knownHosts));
            var report = result.SingleOf("FipsCluster.ClusterComplianceReport");
            var node = Assert.Single((IEnumerable<dynamic>)report.Nodes);
            Assert.Equal("Error", node.Status.ToString());
            Assert.Equal("InvalidNodeTarget", (string)node.ErrorId);
            Assert.DoesNotContain("\n", (string)node.ComputerName);
            var check = ((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == "K8S-NODE-01");
            Assert.Equal("Fail", check.Status.ToString());
            Assert.Contains("InvalidNodeTarget", (string)check.Actual);
            Assert.False((bool)report.Compliant);
        }
    }
}
