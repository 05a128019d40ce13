using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Hostile;

/// <summary>
/// Issue 13, finding 10, as it was proved: during `New-FipsCluster -Provider AWS` the kubeadm token and certificate key
/// were on kubeadm's command line on each joining node (anyone running `ps` there saw them), and a failing node's output
/// was cut to 400 characters before redaction, so a token cut in half reached the error. Real sshd, stand-in kubeadm
/// (Harness/KubeadmNodes.cs: it records `ps -eo args` while it runs and reads its --config file).
/// </summary>
[Collection("dockerd")] // FIPSCLUSTER_HOME is process-wide: one cluster test at a time
public sealed class KubeadmJoinSecretsHostileTests : IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>, IDisposable
{
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly Ec2QueryStub _ec2 = new();
    private readonly string _home = Path.Combine("/tmp", "fc-home-" + Guid.NewGuid().ToString("N")[..8]);

    public KubeadmJoinSecretsHostileTests(ModuleFixture module, SshNodesFixture nodes)
    {
        _ps = module.Session;
        _nodes = nodes;
        _ec2.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-x86_64-FIPS", "Red Hat Enterprise Linux");
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", _home);
    }

    public void Dispose()
    {
        _ec2.Dispose();
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", null);
        foreach (var dir in new[] { _home, _home + "-ssh" })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [SkippableFact]
    public void Ps_on_a_joining_node_shows_no_secret_the_config_file_is_0600_and_removed_and_a_quoted_secret_never_survives_the_cut()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 4);
        _ec2.InstanceAddresses = nodes.Addresses; // three control planes (etcd needs an odd quorum), one worker
        foreach (var address in nodes.Addresses)
        {
            _ec2.ConsoleByAddress[address] = Ec2QueryStub.CloudInitConsole(nodes.HostKeyLines);
        }
        var (cp2, worker) = (nodes.Addresses[1], nodes.Addresses[3]);
        nodes.FailJoin(worker); // its kubeadm quotes the token so that the last 400 characters begin inside it
        var secretKey = new SecureString();
        foreach (var c in "Aws-Secret-hostile-kubeadm")
        {
            secretKey.AppendChar(c);
        }
        var result = _ps.Run("New-FipsCluster -Name aws1 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            "-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere " +
            "-ControlPlaneCount 3 -WorkerCount 1 -UserName $args[2] -KeyFilePath $args[3] -KnownHostsPath $args[4] -SshPort $args[5] -Verbose -Debug " +
            // The EC2 stub is http://: its console vouches for host keys only when the user says so (as with any http:// emulator).
            "-AllowInsecureTransport",
            _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secretKey), _nodes.UserName, _nodes.KeyFile, Path.Combine(_home + "-ssh", "known_hosts"), nodes.Port);

        Assert.True(nodes.JoinConfig(cp2) is not null, string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)) + result.Terminating);
        // The secrets, as the joining nodes' configuration files held them.
        var controlPlane = nodes.JoinConfig(cp2)!.Value;
        var failed = nodes.JoinConfig(worker)!.Value;
        var token = Regex.Match(controlPlane.Yaml, @"token: ([a-z0-9]{6}\.[a-z0-9]{16})\n").Groups[1].Value;
        var certificateKey = Regex.Match(controlPlane.Yaml, @"certificateKey: ([a-f0-9]{64})\n").Groups[1].Value;
        Assert.NotEmpty(token);
        Assert.NotEmpty(certificateKey);
        Assert.Contains("token: " + token + "\n", failed.Yaml);

        // ps, while kubeadm join ran on each node: the join itself is listed, with a file and no secret.
        var listings = nodes.ProcessListings;
        Assert.Equal(3, listings.Count);
        foreach (var listing in listings)
        {
            Assert.Matches(@"(?m)/kubeadm join --config /\S+/fipscluster-join\.[A-Za-z0-9]{10}$", listing);
            foreach (var secret in new[] { token, token.Split('.')[1], certificateKey })
            {
                Assert.DoesNotContain(secret, listing);
            }
        }
        Assert.All(nodes.Calls.Where(c => c.Arguments.StartsWith("join", StringComparison.Ordinal)), c => Assert.DoesNotContain(token.Split('.')[1], c.Arguments));

        // The file was 0600 while kubeadm read it; it is gone, after the join that worked and after the one that failed.
        Assert.Equal("600 " + _nodes.UserName, controlPlane.Mode);
        Assert.Equal("600 " + _nodes.UserName, failed.Mode);
        Assert.False(File.Exists(controlPlane.Path));
        Assert.False(File.Exists(failed.Path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(failed.Path)!, "fipscluster-join.*"));

        // The failed worker: a stable id, its output quoted redacted — no 8 characters of the token's secret half anywhere.
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("KubeadmJoinFailed,", error.FullyQualifiedErrorId);
        Assert.Contains("***", error.Exception.Message);
        var record = result.SingleOf("FipsCluster.FipsClusterRecord");
        var everything = result.AllText + "\n" + _ps.Host.Text + "\n" + string.Join("\n", ((IEnumerable<dynamic>)record.Nodes).Select(n => (string?)n.JoinError ?? ""))
            + "\n" + string.Join("\n", Directory.EnumerateFiles(_home, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        var tokenSecret = token.Split('.')[1];
        for (var i = 0; i + 8 <= tokenSecret.Length; i++)
        {
            Assert.DoesNotContain(tokenSecret.Substring(i, 8), everything);
        }
        Assert.DoesNotContain(certificateKey, everything);
        Assert.Equal("Joined", (string)((IEnumerable<dynamic>)record.Nodes).Single(n => (string)n.Endpoint == cp2).JoinState);
    }
}
