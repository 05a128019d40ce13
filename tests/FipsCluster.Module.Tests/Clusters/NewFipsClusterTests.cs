using System.Management.Automation;
using System.Security;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Clusters;

/// <summary>New-FipsCluster -Provider AWS through the engine and the real AWSSDK.EC2 client, against the EC2 Query server.</summary>
[Collection("dockerd")] // shares FIPSCLUSTER_HOME handling with the other cluster tests (run one at a time)
public sealed class NewFipsClusterTests : IClassFixture<ModuleFixture>, IClassFixture<SshNodesFixture>, IDisposable
{
    private readonly SshNodesFixture _nodes;
    private const string Secret = "Aws-Secret-7d1c0e-never-shown";
    private readonly PsSession _ps;
    private readonly Ec2QueryStub _ec2 = new();
    private readonly string _home = Path.Combine("/tmp", "fc-home-" + Guid.NewGuid().ToString("N")[..8]);

    public NewFipsClusterTests(ModuleFixture module, SshNodesFixture nodes)
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
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
        if (Directory.Exists(_home + "-ssh"))
        {
            Directory.Delete(_home + "-ssh", recursive: true);
        }
    }

    private PsResult New(string extra)
    {
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        var credential = new PSCredential("AKIAFIPSCLUSTERTEST", secret);
        return _ps.Run("New-FipsCluster -Name aws1 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            "-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere -Verbose " + extra,
            _ec2.Url, credential);
    }

    [Fact]
    public void WhatIf_names_the_defaults_an_arm64_FIPS_spec_without_repositories_or_instance_types_gets()
    {
        _ec2.Images["ami-0fedcba9876543210"] = ("arm64", "RHEL-9.4.0_HVM-arm64-FIPS", "Red Hat Enterprise Linux");
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        var whatIf = _ps.Run("New-FipsCluster -Name graviton -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0fedcba9876543210 " +
            "-Architecture arm64 -KubernetesVersion v1.31.2+fips.0 -EtcdVersion 3.5.15+fips.0 -WorkerCount 2 -WhatIf -Verbose", _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret));
        Assert.Empty(whatIf.Errors);
        var text = whatIf.HostText.Replace("\n", "", StringComparison.Ordinal);
        Assert.Contains("1 control-plane (m7g.xlarge) + 2 worker (m7g.2xlarge) arm64 instances", text);
        Assert.Contains("defaults: Kubernetes images: docker.io/mesosphere (DKP's published FIPS builds, tag v1.31.2_fips.0", text);
        Assert.Contains(whatIf.Verbose, v => v.Message.Contains("default worker instances: m7g.2xlarge (the arm64 default; -WorkerInstanceType overrides)", StringComparison.Ordinal));
        Assert.DoesNotContain(_ec2.Requests, r => Ec2QueryStub.MutatingActions.Contains(r.Action));
    }

    [Fact]
    public void WhatIf_calls_nothing_that_changes_EC2_and_a_real_run_records_the_cluster()
    {
        var whatIf = New("-WhatIf");
        Assert.Contains("What if:", whatIf.HostText);
        Assert.DoesNotContain(_ec2.Requests, r => Ec2QueryStub.MutatingActions.Contains(r.Action));

        var created = New("-ControlPlaneCount 1 -WorkerCount 2");
        Assert.Empty(created.Errors);
        var record = created.SingleOf("FipsCluster.FipsClusterRecord");
        Assert.Equal("AWS", record.Provider.ToString());
        Assert.True((bool)record.Fips);
        Assert.Equal(3, _ec2.Instances.Count);
        Assert.Equal(3, ((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord").Nodes).Count());
        Assert.DoesNotContain(Secret, whatIf.AllText + created.AllText);
        // The stored cluster renders exactly what its instances were given.
        var workerData = _ec2.Requests.Where(r => r.Action == "RunInstances").Select(r => r.Parameters).Single(p => p["TagSpecification.1.Tag.3.Value"] == "worker")["UserData"];
        var exported = _ps.Run("Get-FipsCluster aws1 | Export-FipsClusterManifest -ManifestKind CloudInit -MachineRole Worker");
        Assert.Empty(exported.Errors);
        Assert.Equal(Ec2QueryStub.UserDataText(workerData), exported.Output.Single().ToString());
        Assert.Contains("kind: KubeadmControlPlane", _ps.Run("Export-FipsClusterManifest -Name aws1").Output.Single().ToString());

        // FIPS mode stays fixed for AWS clusters too.
        Assert.StartsWith("FipsModeImmutable,", Assert.Single(_ps.Run("Set-FipsCluster aws1 -Fips:$false").ErrorIds));

        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        // The instances as EC2 sees them now.
        var nodes = _ps.Run("Get-FipsClusterNode aws1 -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret)).Of("FipsCluster.FipsClusterNode");
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("running", (string)n.State));
        Assert.Equal(new[] { "ControlPlane", "Worker", "Worker" }, nodes.Select(n => (string)n.Role));

        // Deprovision: every recorded instance terminated, the group deleted, the record gone.
        var removed = _ps.Run("Remove-FipsCluster aws1 -Deprovision -Force -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret));
        Assert.Empty(removed.Errors);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Empty(_ec2.SecurityGroups);
        Assert.StartsWith("FipsClusterNotFound,", Assert.Single(_ps.Run("Get-FipsCluster aws1").ErrorIds));
    }

    [Fact]
    public void Get_FipsClusterNode_output_pipes_into_Test_FipsNode_as_SSH_nodes_by_their_Address()
    {
        // One loopback address per "instance", and a port nothing listens on: every node's verdict is NodeUnreachable,
        // which proves each record took the SSH path with the address Get-FipsClusterNode reported.
        _ec2.InstanceAddresses = new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
        Assert.Empty(New("-ControlPlaneCount 1 -WorkerCount 2").Errors);
        var ssh = Directory.CreateDirectory(_home + "-ssh").FullName;
        var key = Path.Combine(ssh, "id_ecdsa");
        using (var keygen = System.Diagnostics.Process.Start("ssh-keygen", new[] { "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", key })!)
        {
            keygen.WaitForExit();
            Assert.Equal(0, keygen.ExitCode);
        }
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }

        var result = _ps.Run("Get-FipsClusterNode aws1 -EndpointUrl $args[0] -Credential $args[1] | Test-FipsNode -KeyFilePath $args[2] -KnownHostsPath $args[3] -SshPort $args[4] -TimeoutSeconds 5",
            _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret), key, EmptyKnownHosts, closedPort);

        Assert.Null(result.Terminating);
        var reports = result.Of("FipsCluster.NodeComplianceReport");
        Assert.Equal(new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" }, reports.Select(r => (string)r.ComputerName).Order());
        Assert.All(reports, r =>
        {
            Assert.Equal("Ssh", r.Transport.ToString());
            Assert.Equal("NodeUnreachable", (string)r.ErrorId);
        });
        Assert.Equal(3, result.ErrorIds.Count(id => id == "NodeUnreachable,FipsCluster.Commands.TestFipsNodeCommand"));
        Assert.DoesNotContain("NullReference", result.AllText);
    }

    [SkippableFact]
    public void VerifyNode_checks_each_instance_over_SSH_after_boot_and_records_the_evidence()
    {
        _nodes.Require();
        _ec2.InstanceAddress = "127.0.0.1"; // every "instance" is this host's test sshd
        _ec2.ConsoleByAddress["127.0.0.1"] = Ec2QueryStub.CloudInitConsole(new[] { "host_ecdsa.pub", "host_rsa.pub" }
            .Select(f => File.ReadAllText(Path.Combine(_nodes.WorkDirectory, "plain", f)).Trim()));
        // -SkipJoin: this test is about the evidence; the join over SSH has its own tests below.
        var result = New($"-ControlPlaneCount 1 -WorkerCount 0 -SkipJoin -VerifyNode -UserName {_nodes.UserName} -KeyFilePath {_nodes.KeyFile} -KnownHostsPath {_nodes.KnownHosts} -SshPort {_nodes.PlainPort} -AllowInsecureTransport");
        Assert.Empty(result.Errors);
        var node = Assert.Single((IEnumerable<dynamic>)result.SingleOf("FipsCluster.FipsClusterRecord").Nodes);
        Assert.Equal($"127.0.0.1:{_nodes.PlainPort}", (string)node.EvidenceHost);
        Assert.False((bool)node.Compliant); // this host is not in FIPS mode
        Assert.Contains("LNX-FIPS-01", ((IEnumerable<dynamic>)node.FailedChecks).Select(c => (string)c));
        Assert.Contains(result.Warnings, w => w.Message.Contains("kubelet guard will refuse"));
    }

    /// <summary>
    /// SSH options for the join tests. known_hosts starts empty: under the default Strict policy the module must learn
    /// every instance's host key from its EC2 console output, where the stub shows what each "instance" (the test
    /// sshd) would have printed — so every join test also proves that path. The stub is plain HTTP (Ec2QueryStub), so the
    /// console is accepted as evidence only with -AllowInsecureTransport, as a user of an http:// emulator must say too.
    /// </summary>
    private string Ssh(KubeadmNodes nodes)
    {
        foreach (var address in nodes.Addresses)
        {
            _ec2.ConsoleByAddress[address] = Ec2QueryStub.CloudInitConsole(nodes.HostKeyLines);
        }
        return $"-UserName {_nodes.UserName} -KeyFilePath {_nodes.KeyFile} -KnownHostsPath {EmptyKnownHosts} -SshPort {nodes.Port} -AllowInsecureTransport";
    }

    private string EmptyKnownHosts => Path.Combine(_home + "-ssh", "known_hosts");

    /// <summary>Every file under the cluster store (the records as written to disk).</summary>
    private string StoreText() => Directory.Exists(_home)
        ? string.Join("\n", Directory.EnumerateFiles(_home, "*", SearchOption.AllDirectories).Select(File.ReadAllText))
        : "";

    private string EveryEc2Parameter => string.Join("\n", _ec2.Requests.SelectMany(r => r.Parameters.Values)
        .Concat(_ec2.Requests.Where(r => r.Parameters.ContainsKey("UserData")).Select(r => Ec2QueryStub.UserDataText(r.Parameters["UserData"]))));

    [SkippableFact]
    public void With_SSH_credentials_the_first_control_plane_gives_a_join_command_that_every_other_node_runs_and_the_secret_shows_nowhere()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 5);
        _ec2.InstanceAddresses = nodes.Addresses; // launch order: 3 control planes, then 2 workers
        var result = New($"-ControlPlaneCount 3 -WorkerCount 2 {Ssh(nodes)} -ApiAllowedCidr 10.20.0.0/16,2001:db8::/32 -SshAllowedCidr 127.0.0.1 -Debug");
        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);
        var (cp1, cp2, cp3, w1, w2) = (nodes.Addresses[0], nodes.Addresses[1], nodes.Addresses[2], nodes.Addresses[3], nodes.Addresses[4]);

        // The first control plane is asked for a token once, and for a certificate key once.
        var calls = nodes.Calls;
        var create = Assert.Single(calls, c => c.Arguments.StartsWith("token create", StringComparison.Ordinal));
        Assert.Equal((cp1, "token create --ttl 1h --print-join-command"), create);
        var upload = Assert.Single(calls, c => c.Arguments.StartsWith("init phase", StringComparison.Ordinal));
        Assert.Equal((cp1, "init phase upload-certs --upload-certs"), upload);
        // Every other node ran kubeadm join with a configuration file only; the file held what `kubeadm token create`
        // printed (the stand-in copies it), and for control planes the certificate key.
        var joins = calls.Where(c => c.Arguments.StartsWith("join ", StringComparison.Ordinal)).ToDictionary(c => c.Node, c => c.Arguments);
        Assert.Equal(new[] { cp2, cp3, w1, w2 }.Order(), joins.Keys.Order());
        Assert.All(joins.Values, a => Assert.Matches(@"^join --config /\S+/fipscluster-join\.[A-Za-z0-9]{10}$", a));
        var configs = joins.Keys.ToDictionary(n => n, n => nodes.JoinConfig(n)!.Value);
        var match = System.Text.RegularExpressions.Regex.Match(configs[w1].Yaml, @"token: ([a-z0-9]{6})\.([a-z0-9]{16})\n");
        Assert.True(match.Success, "a worker's configuration holds no bootstrap token");
        Assert.Contains("apiServerEndpoint: " + cp1 + ":6443\n", configs[w1].Yaml);
        Assert.Matches(@"caCertHashes:\n\s*- sha256:[a-f0-9]{64}\n", configs[w1].Yaml);
        Assert.DoesNotContain("controlPlane", configs[w1].Yaml);
        Assert.Equal(configs[w1].Yaml, configs[w2].Yaml);
        var key = System.Text.RegularExpressions.Regex.Match(configs[cp2].Yaml, @"controlPlane:\n\s+certificateKey: ([a-f0-9]{64})\n").Groups[1].Value;
        Assert.NotEmpty(key);
        Assert.Equal(configs[cp2].Yaml, configs[cp3].Yaml);
        Assert.Contains(match.Value, configs[cp2].Yaml);
        // The file was 0600 while kubeadm read it, and is gone afterwards.
        Assert.All(configs.Values, c => Assert.Equal("600 " + _nodes.UserName, c.Mode));
        Assert.All(configs.Values, c => Assert.False(File.Exists(c.Path), c.Path + " was left behind"));
        // The token is deleted once the nodes have joined; only its public ID goes on a command line.
        Assert.Equal((cp1, "token delete " + match.Groups[1].Value), calls[^1]);

        // Every host key was verified through EC2 (the console output), none trusted on first use, and all are recorded.
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("Trusted a new host key", StringComparison.Ordinal));
        Assert.Equal(5, _ec2.Requests.Where(r => r.Action == "GetConsoleOutput").Select(r => r.Parameters["InstanceId"]).Distinct().Count());
        Assert.Equal(5, result.Verbose.Count(v => v.Message.Contains("verified through its EC2 console output", StringComparison.Ordinal)));
        var learned = File.ReadAllLines(EmptyKnownHosts);
        Assert.All(nodes.Addresses, a => Assert.Equal(2, learned.Count(l => l.StartsWith($"[{a}]:{nodes.Port} ", StringComparison.Ordinal))));

        // Recorded per node.
        var record = result.SingleOf("FipsCluster.FipsClusterRecord");
        var states = ((IEnumerable<dynamic>)record.Nodes).ToDictionary(n => (string)n.Endpoint, n => (string?)n.JoinState);
        Assert.Equal("Initialized", states[cp1]);
        Assert.All(new[] { cp2, cp3, w1, w2 }, n => Assert.Equal("Joined", states[n]));

        // The secret: not in any stream (with -Verbose -Debug), output, record (in memory and on disk) or request to EC2.
        var token = match.Groups[1].Value + "." + match.Groups[2].Value;
        var everything = result.AllText + "\n" + _ps.Host.Text + "\n" + StoreText() + "\n" + EveryEc2Parameter + "\n"
            + string.Join("\n", ((IEnumerable<dynamic>)record.Nodes).Select(n => (string?)n.JoinError ?? "")) + record.ToString();
        Assert.NotEmpty(result.Verbose);
        Assert.Contains(result.Verbose, v => v.Message.Contains("joined as a worker", StringComparison.Ordinal));
        foreach (var secret in new[] { token, match.Groups[2].Value, key })
        {
            Assert.DoesNotContain(secret, everything);
            // What `ps` showed on the nodes while they joined.
            Assert.All(nodes.ProcessListings, listing => Assert.DoesNotContain(secret, listing));
        }
        Assert.Equal(4, nodes.ProcessListings.Count);

        // The API and SSH are open to exactly the networks given; everything else only to the group itself.
        var rules = _ec2.Ingress.ToList();
        var group = Assert.Single(_ec2.SecurityGroups.Keys);
        Assert.Equal(new[] { "10.20.0.0/16", "2001:db8::/32" }, rules.Where(r => r.FromPort == 6443 && !r.Source.StartsWith("sg-", StringComparison.Ordinal)).Select(r => r.Source).Order());
        Assert.Equal(new[] { "127.0.0.1/32" }, rules.Where(r => r.FromPort == nodes.Port).Select(r => r.Source));
        Assert.All(new[] { 22, 6443, 2379, 2380, 10250 }, port => Assert.Contains(rules, r => r.FromPort == port && r.ToPort == port && r.Source == group));
        Assert.Equal(2 + 1 + 5, rules.Count);
    }

    [SkippableFact]
    public void A_node_that_fails_to_join_is_reported_on_its_own_with_a_stable_id_and_the_rest_of_the_cluster_is_kept()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 3);
        _ec2.InstanceAddresses = nodes.Addresses;
        nodes.FailJoin(nodes.Addresses[2]); // kubeadm join fails there, and echoes its arguments (the token) to stderr
        var result = New($"-ControlPlaneCount 1 -WorkerCount 2 {Ssh(nodes)} -Debug");
        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("KubeadmJoinFailed,", error.FullyQualifiedErrorId);
        var record = result.SingleOf("FipsCluster.FipsClusterRecord");
        var failed = ((IEnumerable<dynamic>)record.Nodes).Single(n => (string)n.Endpoint == nodes.Addresses[2]);
        Assert.Equal((string)failed.NodeId, error.TargetObject);
        Assert.Equal("Failed", (string)failed.JoinState);
        Assert.StartsWith("KubeadmJoinFailed: ", (string)failed.JoinError);
        Assert.Contains("exit 1", (string)failed.JoinError);
        Assert.Equal("Joined", (string)((IEnumerable<dynamic>)record.Nodes).Single(n => (string)n.Endpoint == nodes.Addresses[1]).JoinState);
        // Kept: a working control plane and worker are not torn down for one worker (Remove-FipsCluster -Deprovision removes all).
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("running", i.State));
        Assert.Equal(3, ((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord").Nodes).Count());
        // kubeadm's stderr quoted the token, with the last 400 characters starting inside it: the error shows it redacted.
        var config = nodes.JoinConfig(nodes.Addresses[2])!.Value;
        Assert.False(File.Exists(config.Path), "the configuration file was left behind by a failed join");
        var token = System.Text.RegularExpressions.Regex.Match(config.Yaml, @"token: (\S+)").Groups[1].Value;
        Assert.NotEmpty(token);
        Assert.DoesNotContain(token, result.AllText + StoreText());
        var tokenSecret = token.Split('.')[1];
        for (var i = 0; i + 8 <= tokenSecret.Length; i++)
        {
            Assert.DoesNotContain(tokenSecret.Substring(i, 8), result.AllText + StoreText() + (string)failed.JoinError);
        }
        Assert.Contains("***", error.Exception.Message);
    }

    /// <summary>This host's /proc/sys/crypto/fips_enabled as a FIPS cluster's bootstrapper reads it over SSH ("missing" without one).</summary>
    private static string HostFipsFlag => File.Exists("/proc/sys/crypto/fips_enabled") ? File.ReadAllText("/proc/sys/crypto/fips_enabled").Trim() : "missing";

    /// <summary>
    /// What a failed cloud-init on this host means: in a FIPS cluster whose host is not in FIPS mode, the bootstrap stopped
    /// at the FIPS check (NodeNotFipsCompliant, naming the flag); otherwise a step failed (the generic id).
    /// </summary>
    private static string CloudInitFailure(bool fips, string generic) => fips && HostFipsFlag != "1" ? "NodeNotFipsCompliant" : generic;

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Kubeadm_init_that_failed_on_the_first_control_plane_fails_the_command_and_rolls_back(bool fips)
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 2);
        _ec2.InstanceAddresses = nodes.Addresses;
        nodes.CloudInit("error", nodes.Addresses[0]);
        var result = New($"-ControlPlaneCount 1 -WorkerCount 1 {Ssh(nodes)} -Fips:${fips.ToString().ToLowerInvariant()}");
        var error = Assert.Single(result.Errors); // terminating for the statement
        Assert.StartsWith("ProvisioningFailed,", error.FullyQualifiedErrorId);
        var expected = CloudInitFailure(fips, "KubeadmInitFailed");
        Assert.Contains(expected, error.Exception.Message);
        if (expected == "NodeNotFipsCompliant")
        {
            // Not a generic failure: the node's own kernel flag, read over SSH after its cloud-init failed.
            Assert.Contains($"the host is not in FIPS mode (/proc/sys/crypto/fips_enabled: {HostFipsFlag}), so its bootstrap stopped at the FIPS check before kubeadm", error.Exception.Message);
            Assert.DoesNotContain("KubeadmInitFailed", error.Exception.Message);
        }
        Assert.Contains("rolled back", error.Exception.Message);
        Assert.Empty(result.Of("FipsCluster.FipsClusterRecord"));
        Assert.DoesNotContain(nodes.Calls, c => c.Arguments.StartsWith("token", StringComparison.Ordinal));
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Empty(_ec2.SecurityGroups);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_worker_whose_cloud_init_failed_is_reported_as_not_FIPS_when_its_kernel_is_not(bool fips)
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 2);
        _ec2.InstanceAddresses = nodes.Addresses;
        nodes.CloudInit("error", nodes.Addresses[1]);
        var result = New($"-ControlPlaneCount 1 -WorkerCount 1 {Ssh(nodes)} -Fips:${fips.ToString().ToLowerInvariant()}");
        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(CloudInitFailure(fips, "KubeadmJoinFailed") + ",", error.FullyQualifiedErrorId);
        var worker = ((IEnumerable<dynamic>)result.SingleOf("FipsCluster.FipsClusterRecord").Nodes).Single(n => (string)n.Endpoint == nodes.Addresses[1]);
        Assert.Equal("Failed", (string)worker.JoinState);
        Assert.DoesNotContain(nodes.Calls, c => c.Arguments.StartsWith("join", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Ctrl_C_while_waiting_for_kubeadm_init_stops_promptly_and_rolls_back()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 2);
        _ec2.InstanceAddresses = nodes.Addresses;
        nodes.CloudInit("running"); // kubeadm init never finishes
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        var stopping = _ps.RunAndStop("New-FipsCluster -Name aws4 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            "-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere " +
            $"-ControlPlaneCount 1 -WorkerCount 1 {Ssh(nodes)}", TimeSpan.FromSeconds(4), _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret));
        Assert.True(stopping < TimeSpan.FromSeconds(2), $"stopping took {stopping}");
        Assert.Contains(nodes.Addresses[0], nodes.StatusPolls); // it was waiting for kubeadm init when stopped
        Assert.NotEmpty(_ec2.Instances);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Empty(_ec2.SecurityGroups);
        Assert.DoesNotContain(nodes.Calls, c => c.Arguments.StartsWith("token", StringComparison.Ordinal));
        Assert.StartsWith("FipsClusterNotFound,", Assert.Single(_ps.Run("Get-FipsCluster aws4").ErrorIds));
    }

    private PSCredential AwsKeys()
    {
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        return new PSCredential("AKIAFIPSCLUSTERTEST", secret);
    }

    [SkippableFact]
    public void A_node_that_failed_to_join_is_joined_again_from_the_pipeline_and_more_workers_are_launched_and_joined()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 4);
        _ec2.InstanceAddresses = nodes.Addresses; // cp, w1, then the workers added later
        var ssh = Ssh(nodes);
        nodes.FailJoin(nodes.Addresses[1]);
        // The user's own known_hosts line, which must survive everything below.
        var foreign = "[other.example]:2222 " + File.ReadAllText(_nodes.OtherKeyFile + ".pub").Split(' ')[0] + " " + File.ReadAllText(_nodes.OtherKeyFile + ".pub").Split(' ')[1];
        Directory.CreateDirectory(Path.GetDirectoryName(EmptyKnownHosts)!);
        File.WriteAllText(EmptyKnownHosts, "# mine\n" + foreign + "\n");
        // Non-FIPS: this host plays the instances and is not in FIPS mode (a FIPS cluster's refusal is tested below).
        var created = New($"-ControlPlaneCount 1 -WorkerCount 1 {ssh} -Fips:$false");
        Assert.StartsWith("KubeadmJoinFailed,", Assert.Single(created.Errors).FullyQualifiedErrorId);
        nodes.FailJoin(); // whatever broke it is fixed

        // Join again what failed: piped from Get-FipsClusterNode (Cluster and NodeId bind by property name).
        var again = _ps.Run("Get-FipsClusterNode aws1 -EndpointUrl $args[0] -Credential $args[1] | Where-Object JoinState -eq Failed | " +
            $"Add-FipsClusterNode {ssh.Replace("-SshPort " + nodes.Port, "")} -EndpointUrl $args[0] -Credential $args[1] -Verbose", _ec2.Url, AwsKeys());
        Assert.True(again.Errors.Count == 0, string.Join("\n", again.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        var rejoined = again.SingleOf("FipsCluster.ClusterNodeRecord");
        Assert.Equal(nodes.Addresses[1], (string)rejoined.Endpoint);
        Assert.Equal("Joined", (string)rejoined.JoinState);
        Assert.Null((string?)rejoined.JoinError);
        Assert.Equal($"{nodes.Addresses[1]}:{nodes.Port}", (string)rejoined.EvidenceHost); // judged again before joining
        Assert.Equal(2, nodes.Calls.Count(c => c.Node == nodes.Addresses[1] && c.Arguments.StartsWith("join ", StringComparison.Ordinal)));
        Assert.Equal(2, nodes.Calls.Count(c => c.Node == nodes.Addresses[0] && c.Arguments.StartsWith("token create", StringComparison.Ordinal)));
        Assert.Equal(2, nodes.Calls.Count(c => c.Node == nodes.Addresses[0] && c.Arguments.StartsWith("token delete", StringComparison.Ordinal)));
        Assert.Equal(2, _ec2.Instances.Count); // nothing launched

        // Two more workers: launched like the others, keys proven through the console, judged, joined, recorded.
        var launchesBefore = _ec2.Requests.Count(r => r.Action == "RunInstances");
        var whatIf = _ps.Run($"Add-FipsClusterNode aws1 -Count 2 {ssh.Replace("-SshPort " + nodes.Port, "")} -EndpointUrl $args[0] -Credential $args[1] -WhatIf", _ec2.Url, AwsKeys());
        Assert.Contains("What if:", whatIf.HostText);
        Assert.Equal(launchesBefore, _ec2.Requests.Count(r => r.Action == "RunInstances"));
        var added = _ps.Run($"Add-FipsClusterNode aws1 -Count 2 {ssh.Replace("-SshPort " + nodes.Port, "")} -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys());
        Assert.Empty(added.Errors);
        var records = added.Of("FipsCluster.ClusterNodeRecord");
        Assert.Equal(new[] { nodes.Addresses[2], nodes.Addresses[3] }, records.Select(r => (string)r.Endpoint).Order());
        Assert.All(records, r => Assert.Equal("Joined", (string)r.JoinState));
        Assert.All(records, r => Assert.Equal("Worker", (string)r.Role));
        var launch = _ec2.Requests.Last(r => r.Action == "RunInstances").Parameters;
        Assert.Equal("2", launch["MinCount"]);
        Assert.Equal("worker", launch["TagSpecification.1.Tag.3.Value"]);
        Assert.Matches("^fc-[0-9a-f]{24}-worker-v[0-9]+-2$", launch["ClientToken"]);
        Assert.EndsWith($"-worker-v{(long)_ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord").Version - 1}-2", launch["ClientToken"], StringComparison.Ordinal); // the version the add started from
        var workerData = _ec2.Requests.First(r => r.Action == "RunInstances" && r.Parameters["TagSpecification.1.Tag.3.Value"] == "worker").Parameters["UserData"];
        Assert.Equal(workerData, launch["UserData"]); // the cluster's own worker cloud-init
        Assert.All(new[] { nodes.Addresses[2], nodes.Addresses[3] }, a => Assert.Contains($"[{a}]:{nodes.Port} ", File.ReadAllText(EmptyKnownHosts)));

        var record = _ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord");
        Assert.Equal(4, ((IEnumerable<dynamic>)record.Nodes).Count());
        Assert.All((IEnumerable<dynamic>)record.Nodes, n => Assert.Contains((string)n.JoinState, new[] { "Initialized", "Joined" }));
        Assert.All(records, r => Assert.Contains((string)r.NodeId, ((IEnumerable<string>)record.Resources)));
        var everything = created.AllText + again.AllText + added.AllText + whatIf.AllText + StoreText();
        Assert.DoesNotContain(Secret, everything); // the AWS secret key
        foreach (var node in nodes.Calls.Where(c => c.Arguments.StartsWith("join ", StringComparison.Ordinal)).Select(c => c.Node).Distinct())
        {
            var tokenSecret = System.Text.RegularExpressions.Regex.Match(nodes.JoinConfig(node)!.Value.Yaml, @"token: [a-z0-9]{6}\.([a-z0-9]{16})").Groups[1].Value;
            Assert.NotEmpty(tokenSecret);
            Assert.DoesNotContain(tokenSecret, everything);
        }

        // Deprovisioning takes the added instances too, and the host keys recorded for all four; the user's lines stay.
        Assert.Equal(8 + 2, File.ReadAllLines(EmptyKnownHosts).Length);

        // One joined worker removed with the cluster's kubeconfig: terminated, and its Node object deleted — a kubeadm Node
        // without a providerID, found by its InternalIP, the instance's private address (Hostile/NodeLookupTests has the rest).
        using (var api = new KubernetesApiStub { NodeCount = 3 })
        {
            foreach (var (index, address) in new[] { (0, nodes.Addresses[0]), (1, nodes.Addresses[3]), (2, nodes.Addresses[1]) })
            {
                api.ProviderIds[index] = null;
                api.InternalAddresses[index] = address;
            }
            var kubeconfig = Path.Combine(_home + "-ssh", "kubeconfig");
            File.WriteAllText(kubeconfig, api.Kubeconfig("aws1"));
            var removedWorker = (string)records.Single(r => (string)r.Endpoint == nodes.Addresses[3]).NodeId;
            var removal = _ps.Run("Remove-FipsClusterNode aws1 $args[2] -Force -Kubeconfig $args[3] -EndpointUrl $args[0] -Credential $args[1] -Verbose", _ec2.Url, AwsKeys(), removedWorker, kubeconfig);
            Assert.Empty(removal.Errors);
            Assert.Empty(removal.Warnings);
            Assert.Equal(new[] { "node-1" }, api.DeletedNodes);
            Assert.Contains(removal.Verbose, v => v.Message.Contains("Deleted Node node-1", StringComparison.Ordinal));
            Assert.Equal("terminated", _ec2.Instances[removedWorker].State);
        }
        Assert.Equal(6 + 2, File.ReadAllLines(EmptyKnownHosts).Length);
        Assert.Empty(_ps.Run("Remove-FipsCluster aws1 -Deprovision -Force -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys()).Errors);
        Assert.Equal(4, _ec2.Instances.Count);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Equal(new[] { "# mine", foreign }, File.ReadAllLines(EmptyKnownHosts));
    }

    [SkippableFact]
    public void A_FIPS_cluster_refuses_a_non_FIPS_worker_a_broken_control_plane_rolls_back_a_launch_and_a_refused_node_is_removed()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 4);
        _ec2.InstanceAddresses = nodes.Addresses;
        var ssh = Ssh(nodes);
        Assert.Empty(New($"-ControlPlaneCount 1 -WorkerCount 0 {ssh}").Errors);

        // A FIPS cluster: the new worker (this host, not in FIPS mode) is judged, refused, and recorded as such.
        var refused = _ps.Run($"Add-FipsClusterNode aws1 -Count 1 {ssh.Replace("-SshPort " + nodes.Port, "")} -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys());
        Assert.StartsWith("NodeNotFipsCompliant,", Assert.Single(refused.ErrorIds));
        var worker = refused.SingleOf("FipsCluster.ClusterNodeRecord");
        Assert.Equal("Failed", (string)worker.JoinState);
        Assert.False((bool)worker.Compliant);
        Assert.Contains("LNX-FIPS-01", ((IEnumerable<dynamic>)worker.FailedChecks).Select(c => (string)c));
        Assert.DoesNotContain(nodes.Calls, c => c.Arguments.StartsWith("join", StringComparison.Ordinal));
        Assert.Equal(2, ((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord").Nodes).Count());

        nodes.CloudInit("error", nodes.Addresses[0]); // the control plane is broken now
        var result = _ps.Run($"Add-FipsClusterNode aws1 -Count 2 {ssh.Replace("-SshPort " + nodes.Port, "")} -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys());
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ProvisioningFailed,", error.FullyQualifiedErrorId);
        Assert.Contains(CloudInitFailure(fips: true, "KubeadmInitFailed"), error.Exception.Message);
        Assert.Empty(result.Of("FipsCluster.ClusterNodeRecord"));
        Assert.Equal(4, _ec2.Instances.Count);
        Assert.Equal(2, _ec2.Instances.Values.Count(i => i.State == "terminated")); // the two launched by this call
        Assert.Equal(2, ((IEnumerable<dynamic>)_ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord").Nodes).Count());
        Assert.DoesNotContain(nodes.Calls, c => c.Arguments.StartsWith("join", StringComparison.Ordinal));

        // An instance the record does not hold is named, and nothing is called.
        var unknown = _ps.Run($"Add-FipsClusterNode aws1 -InstanceId i-0000000000000dead {ssh.Replace("-SshPort " + nodes.Port, "")} -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys());
        Assert.StartsWith("FipsClusterNodeNotFound,", Assert.Single(unknown.ErrorIds));

        // The refused worker is terminated and forgotten; the control plane that ran kubeadm init cannot be removed alone.
        var refusedId = (string)worker.NodeId;
        Assert.Empty(_ps.Run("Remove-FipsClusterNode aws1 $args[2] -WhatIf -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys(), refusedId).Errors);
        Assert.Equal("running", _ec2.Instances[refusedId].State);
        var refusedAddress = (string)worker.Endpoint;
        Assert.Contains($"[{refusedAddress}]:", File.ReadAllText(EmptyKnownHosts));
        Assert.Empty(_ps.Run("Remove-FipsClusterNode aws1 $args[2] -Force -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys(), refusedId).Errors);
        Assert.Equal("terminated", _ec2.Instances[refusedId].State);
        Assert.DoesNotContain($"[{refusedAddress}]:", File.ReadAllText(EmptyKnownHosts)); // its address may serve another machine next
        Assert.Contains($"[{nodes.Addresses[0]}]:", File.ReadAllText(EmptyKnownHosts));
        var left = _ps.Run("Get-FipsCluster aws1").SingleOf("FipsCluster.FipsClusterRecord");
        Assert.Single((IEnumerable<dynamic>)left.Nodes);
        Assert.DoesNotContain(refusedId, (IEnumerable<string>)left.Resources);
        var controlPlane = (string)((IEnumerable<dynamic>)left.Nodes).Single().NodeId;
        Assert.StartsWith("ClusterNodeRequired,", Assert.Single(_ps.Run("Remove-FipsClusterNode aws1 $args[2] -Force -EndpointUrl $args[0] -Credential $args[1]", _ec2.Url, AwsKeys(), controlPlane).ErrorIds));
        Assert.Equal("running", _ec2.Instances[controlPlane].State);
    }

    [SkippableFact]
    public void A_first_control_plane_whose_console_shows_another_host_key_is_refused_and_everything_rolled_back()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 2);
        _ec2.InstanceAddresses = nodes.Addresses;
        var ssh = Ssh(nodes);
        // What answers at the first control plane's address is not the machine EC2 launched there.
        _ec2.ConsoleByAddress[nodes.Addresses[0]] = Ec2QueryStub.CloudInitConsole(new[] { File.ReadAllText(_nodes.OtherKeyFile + ".pub").Trim() });
        var result = New($"-ControlPlaneCount 1 -WorkerCount 1 {ssh}");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ProvisioningFailed,", error.FullyQualifiedErrorId);
        Assert.Contains("SshHostKeyMismatch", error.Exception.Message);
        Assert.Contains("rolled back", error.Exception.Message);
        Assert.Empty(nodes.Calls); // no kubeadm command ran anywhere
        Assert.Empty(nodes.StatusPolls);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.DoesNotContain(File.ReadAllLines(EmptyKnownHosts), l => l.Length > 0); // the keys learned for the terminated instances are gone
        Assert.Contains("host key line(s)", error.Exception.Message);
    }

    [SkippableFact]
    public void A_worker_that_prints_no_host_keys_is_named_and_not_joined_and_the_rest_of_the_cluster_is()
    {
        _nodes.Require();
        using var nodes = new KubeadmNodes(_nodes, 3);
        _ec2.InstanceAddresses = nodes.Addresses;
        var ssh = Ssh(nodes);
        _ec2.ConsoleByAddress.TryRemove(nodes.Addresses[2], out _);
        var result = New($"-ControlPlaneCount 1 -WorkerCount 2 {ssh} -BootstrapTimeout 00:00:04");
        Assert.Null(result.Terminating);
        var silent = _ec2.Instances.Keys.Single(id => ((IEnumerable<dynamic>)result.SingleOf("FipsCluster.FipsClusterRecord").Nodes).Any(n => (string)n.NodeId == id && (string)n.Endpoint == nodes.Addresses[2]));
        Assert.Contains(result.Warnings, w => w.Message.Contains(silent, StringComparison.Ordinal) && w.Message.Contains("printed no SSH host keys", StringComparison.Ordinal));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("KubeadmJoinFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(silent, error.TargetObject);
        Assert.Contains("is not in " + EmptyKnownHosts, error.Exception.Message); // refused as an unknown host key, never trusted on first use
        var states = ((IEnumerable<dynamic>)result.SingleOf("FipsCluster.FipsClusterRecord").Nodes).ToDictionary(n => (string)n.Endpoint, n => (string)n.JoinState);
        Assert.Equal("Joined", states[nodes.Addresses[1]]);
        Assert.Equal("Failed", states[nodes.Addresses[2]]);
        Assert.DoesNotContain(nodes.Calls, c => c.Node == nodes.Addresses[2]);
        Assert.DoesNotContain($"[{nodes.Addresses[2]}]", File.ReadAllText(EmptyKnownHosts));
    }

    [Theory]
    [InlineData("-SshAllowedCidr 0.0.0.0/0", "whole Internet")]
    [InlineData("-SshAllowedCidr ::/0", "whole Internet")]
    [InlineData("-ApiAllowedCidr 10.0.0.1/8", "10.0.0.0/8")]
    [InlineData("-ApiAllowedCidr not-a-network", "CIDR notation")]
    public void Networks_are_checked_and_SSH_from_everywhere_is_refused_before_anything_is_created(string parameter, string message)
    {
        var result = New(parameter);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("InvalidIngressCidr,", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(message, error.Exception.Message);
        Assert.DoesNotContain(_ec2.Requests, r => Ec2QueryStub.MutatingActions.Contains(r.Action));
    }

    [Fact]
    public void SSH_from_everywhere_with_Force_is_opened_with_a_warning()
    {
        var result = New("-SshAllowedCidr 0.0.0.0/0 -Force -SkipJoin");
        Assert.Null(result.Terminating);
        Assert.Contains(result.Warnings, w => w.Message.Contains("whole Internet", StringComparison.Ordinal));
        Assert.Contains(_ec2.Ingress, r => r.FromPort == 22 && r.Source == "0.0.0.0/0");
    }

    [Fact]
    public void Ctrl_C_while_waiting_for_instances_stops_promptly_and_rolls_back()
    {
        _ec2.PendingForever = true;
        var secret = new SecureString();
        foreach (var c in Secret)
        {
            secret.AppendChar(c);
        }
        var stopping = _ps.RunAndStop("New-FipsCluster -Name aws3 -Provider AWS -Region us-east-1 -EndpointUrl $args[0] -Credential $args[1] -Ami ami-0123456789abcdef0 " +
            "-KubernetesVersion v1.29.6+fips.0 -KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere",
            TimeSpan.FromSeconds(1.5), _ec2.Url, new PSCredential("AKIAFIPSCLUSTERTEST", secret));
        Assert.True(stopping < TimeSpan.FromSeconds(2), $"stopping took {stopping}");
        Assert.NotEmpty(_ec2.Instances);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Empty(_ec2.SecurityGroups);
        Assert.StartsWith("FipsClusterNotFound,", Assert.Single(_ps.Run("Get-FipsCluster aws3").ErrorIds));
    }
}
