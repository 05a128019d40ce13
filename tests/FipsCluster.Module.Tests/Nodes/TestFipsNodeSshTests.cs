using System.Diagnostics;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Nodes;

/// <summary>Test-FipsNode over real sshd: a simulated FIPS node, this host, and nodes that fail in specific ways.</summary>
[Collection("ssh")]
public sealed class TestFipsNodeSshTests : IClassFixture<ModuleFixture>
{
    private const string Report = "FipsCluster.NodeComplianceReport";
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;

    public TestFipsNodeSshTests(SshNodesFixture nodes, ModuleFixture module)
    {
        _nodes = nodes;
        _ps = module.Session;
    }

    private const string Call = "Test-FipsNode -ComputerName $args[0] -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -TimeoutSeconds $args[4]";

    private PsResult Test(object targets, int timeoutSeconds = 20, string extra = "") =>
        _ps.Run(Call + " " + extra, targets, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, timeoutSeconds);

    private static Dictionary<string, string> Statuses(dynamic report)
    {
        var map = new Dictionary<string, string>();
        foreach (var check in report.Checks)
        {
            map[(string)check.CheckId] = check.Status.ToString();
        }
        return map;
    }

    [SkippableFact]
    public void The_simulated_FIPS_node_passes_the_kernel_boot_and_OpenSSL_checks_and_this_host_fails_them()
    {
        _nodes.Require();
        var result = Test(new[] { _nodes.FipsNode, _nodes.PlainNode });
        Assert.Empty(result.Errors);
        var reports = result.Of(Report).ToDictionary(r => (string)r.ComputerName);
        Assert.Equal(2, reports.Count);

        var fips = reports[_nodes.FipsNode];
        Assert.Equal("Ssh", fips.Transport.ToString());
        Assert.True((bool?)fips.FipsModeEnabled);
        var fipsChecks = Statuses(fips);
        Assert.Equal("Pass", fipsChecks["LNX-FIPS-01"]);
        Assert.Equal("Pass", fipsChecks["LNX-FIPS-02"]);
        Assert.Equal("Pass", fipsChecks["LNX-SSL-01"]);
        Assert.Equal("Pass", fipsChecks["LNX-GCRY-01"]);
        // The evidence is what the node itself said: its OpenSSL listed an active fips provider and refused MD5.
        var ssl = ((IEnumerable<dynamic>)fips.Checks).Single(c => (string)c.CheckId == "LNX-SSL-01");
        Assert.Contains("MD5 refused", (string)ssl.Actual);
        Assert.Contains(((IEnumerable<dynamic>)ssl.Evidence), e => ((string)e.Source).StartsWith("openssl list -providers") && ((string?)e.Excerpt ?? "").Contains("fips"));
        // Debian 12 ships no validated modules: the simulated node is honest about provenance.
        Assert.Equal("Fail", fipsChecks["OS-PROV-01"]);
        Assert.False((bool)fips.Compliant);

        var plain = reports[_nodes.PlainNode];
        var plainChecks = Statuses(plain);
        Assert.Equal("Fail", plainChecks["LNX-FIPS-01"]);
        Assert.Equal("Fail", plainChecks["LNX-FIPS-02"]);
        Assert.Equal("Fail", plainChecks["LNX-SSL-01"]);
        Assert.NotEqual(true, (bool?)plain.FipsModeEnabled);
    }

    [SkippableFact]
    public void Each_faulty_node_gets_an_error_report_with_its_reason_within_the_timeout_while_healthy_nodes_pass()
    {
        _nodes.Require();
        var targets = new[] { _nodes.FipsNode, _nodes.ClosedPortNode, _nodes.SilentNode, _nodes.WrongKeyNode, _nodes.ChangedKeyNode, _nodes.UnknownKeyNode, _nodes.PlainNode };
        var clock = Stopwatch.StartNew();
        var result = Test(targets, timeoutSeconds: 4);
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"took {clock.Elapsed}");

        var reports = result.Of(Report).ToDictionary(r => (string)r.ComputerName);
        Assert.Equal(targets.Length, reports.Count);
        var expected = new Dictionary<string, string>
        {
            [_nodes.ClosedPortNode] = "NodeUnreachable",
            [_nodes.SilentNode] = "NodeTimedOut",
            [_nodes.WrongKeyNode] = "SshAuthenticationFailed",
            [_nodes.ChangedKeyNode] = "SshHostKeyMismatch",
            [_nodes.UnknownKeyNode] = "SshHostKeyUnknown",
        };
        foreach (var (node, errorId) in expected)
        {
            var report = reports[node];
            Assert.Equal("Error", report.Status.ToString());
            Assert.False((bool)report.Compliant);
            Assert.Equal(errorId, (string)report.ErrorId);
            Assert.Contains(node.Split(':')[0], (string)((IEnumerable<dynamic>)report.Errors).First());
            Assert.Empty((IEnumerable<dynamic>)report.Checks);
        }
        // One non-terminating error per faulty node, with the same id.
        Assert.Equal(expected.Values.Order(), result.ErrorIds.Select(id => id.Split(',')[0]).Order());
        Assert.Equal("Pass", Statuses(reports[_nodes.FipsNode])["LNX-FIPS-01"]);
        Assert.Equal("NonCompliant", reports[_nodes.PlainNode].Status.ToString());
        // The changed key is named, with the fingerprint the node presented.
        Assert.Contains("SHA256:", (string)((IEnumerable<dynamic>)reports[_nodes.ChangedKeyNode].Errors).First());
    }

    [SkippableFact]
    public void Each_report_is_written_as_soon_as_its_node_is_done()
    {
        _nodes.Require();
        var result = _ps.Run(Call + " | ForEach-Object { [pscustomobject]@{ Name = $_.ComputerName; At = [DateTime]::UtcNow } }",
            new[] { _nodes.SilentNode, _nodes.FipsNode }, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, 8);
        var arrivals = result.Output.Select(o => (Name: (string)o.Properties["Name"].Value, At: (DateTime)o.Properties["At"].Value)).ToList();
        Assert.Equal(new[] { _nodes.FipsNode, _nodes.SilentNode }, arrivals.Select(a => a.Name));
        // Progress counts the nodes as they finish.
        Assert.Contains("PROGRESS: Testing FIPS compliance 1 of 2 nodes done", result.HostText);
        Assert.Contains("PROGRESS: Testing FIPS compliance 2 of 2 nodes done", result.HostText);
        // The silent node times out after 8 s; the FIPS node's full scan takes well under 5 s even on a busy machine.
        Assert.True(arrivals[1].At - arrivals[0].At > TimeSpan.FromSeconds(3), "the fast node's report waited for the slow one");
    }

    [SkippableFact]
    public void Connections_that_sshd_drops_past_MaxStartups_are_retried_until_every_node_answers()
    {
        _nodes.Require();
        // 24 nodes, all at once, against sshds that drop every unauthenticated connection beyond the 3rd.
        var result = _nodes.WithStrictSshd("3:100:3", 24, (targets, knownHosts) =>
            _ps.Run("Test-FipsNode -ComputerName $args[0] -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -ThrottleLimit 24 -TimeoutSeconds 60 -Verbose",
                targets, _nodes.UserName, _nodes.KeyFile, knownHosts), out var sshdLog);
        Assert.Contains("past MaxStartups", sshdLog); // the server really dropped connections
        Assert.Contains(result.Verbose, v => v.Message.Contains("attempt"));
        var reports = result.Of(Report);
        Assert.Equal(24, reports.Count);
        Assert.All(reports, r => Assert.NotEqual("Error", r.Status.ToString()));
        Assert.Empty(result.Errors);
    }

    [SkippableFact]
    public void AcceptNew_trusts_and_records_an_unknown_host_with_a_warning_but_never_a_changed_one()
    {
        _nodes.Require();
        var knownHosts = _nodes.CopyKnownHosts();
        var before = File.ReadAllLines(knownHosts).Length;
        var result = _ps.Run("Test-FipsNode -ComputerName $args[0], $args[1] -UserName $args[2] -KeyFilePath $args[3] -KnownHostsPath $args[4] -HostKeyPolicy AcceptNew",
            _nodes.UnknownKeyNode, _nodes.ChangedKeyNode, _nodes.UserName, _nodes.KeyFile, knownHosts);
        var reports = result.Of(Report).ToDictionary(r => (string)r.ComputerName);
        Assert.NotEqual("Error", reports[_nodes.UnknownKeyNode].Status.ToString());
        Assert.Equal("SshHostKeyMismatch", (string)reports[_nodes.ChangedKeyNode].ErrorId);
        Assert.Contains(result.Warnings, w => w.Message.Contains("127.0.0.6") && w.Message.Contains("SHA256:"));
        var after = File.ReadAllLines(knownHosts);
        Assert.Equal(before + 1, after.Length);
        Assert.StartsWith($"[127.0.0.6]:{_nodes.PlainPort} ecdsa-sha2-nistp256 ", after[^1]);

        // The recorded key is now trusted under the strict policy.
        var strict = _ps.Run("Test-FipsNode -ComputerName $args[0] -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3]",
            _nodes.UnknownKeyNode, _nodes.UserName, _nodes.KeyFile, knownHosts);
        Assert.Empty(strict.Errors);
        Assert.NotEqual("Error", strict.SingleOf(Report).Status.ToString());
    }

    [SkippableFact]
    public void Names_arrive_from_the_pipeline_by_value_and_by_property_name_and_Quiet_returns_one_bool()
    {
        _nodes.Require();
        var byValue = _ps.Run("$args[0] | " + Call.Replace("-ComputerName $args[0] ", ""), new[] { _nodes.FipsNode, _nodes.PlainNode }, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, 20);
        Assert.Equal(2, byValue.Of(Report).Count);
        var byProperty = _ps.Run("[pscustomobject]@{ HostName = $args[0] } | " + Call.Replace("-ComputerName $args[0] ", ""), _nodes.FipsNode, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, 20);
        Assert.Equal(_nodes.FipsNode, (string)byProperty.SingleOf(Report).ComputerName);

        var quiet = Test(new[] { _nodes.FipsNode, _nodes.PlainNode }, extra: "-Quiet");
        Assert.False(quiet.Single<bool>());
        var quietFaulty = Test(new[] { _nodes.ClosedPortNode }, extra: "-Quiet");
        Assert.False(quietFaulty.Single<bool>());
    }

    [SkippableFact]
    public void Ctrl_C_stops_a_fleet_run_promptly()
    {
        _nodes.Require();
        var silent = Enumerable.Repeat(_nodes.SilentNode, 40).ToArray();
        var stopping = _ps.RunAndStop(Call, TimeSpan.FromMilliseconds(800), silent, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts, 600);
        Assert.True(stopping < TimeSpan.FromSeconds(2), $"stopping took {stopping}");
    }

    [SkippableFact]
    public void A_bad_key_file_is_one_error_before_any_node_is_contacted_and_Quiet_says_false()
    {
        _nodes.Require();
        var bogus = Path.GetTempFileName();
        File.WriteAllText(bogus, "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n");
        try
        {
            var result = _ps.Run("Test-FipsNode -ComputerName $args[0], $args[1] -UserName fcprobe -KeyFilePath $args[2] -KnownHostsPath $args[3]",
                _nodes.FipsNode, _nodes.PlainNode, bogus, _nodes.KnownHosts);
            // One error for the command, not one per node, and no reports. Like every Test-* failure it is not
            // terminating, so -Quiet still answers (false).
            var id = Assert.Single(result.ErrorIds);
            Assert.StartsWith("SshKeyFileInvalid,", id);
            Assert.Null(result.Terminating);
            Assert.Empty(result.Of(Report));
            Assert.DoesNotContain("not a key", result.AllText);
            var quiet = _ps.Run("Test-FipsNode -ComputerName $args[0], $args[1] -UserName fcprobe -KeyFilePath $args[2] -KnownHostsPath $args[3] -Quiet",
                _nodes.FipsNode, _nodes.PlainNode, bogus, _nodes.KnownHosts);
            Assert.False(quiet.Single<bool>());
            Assert.StartsWith("SshKeyFileInvalid,", Assert.Single(quiet.ErrorIds));
        }
        finally
        {
            File.Delete(bogus);
        }
    }

    private static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }
        secure.MakeReadOnly();
        return secure;
    }

    [SkippableFact]
    public void Passwords_and_key_passphrases_never_reach_any_stream_or_error()
    {
        _nodes.Require();
        const string password = "Pw-7f3a9c1e-never-shown";
        var result = _ps.Run("$c = [pscredential]::new('fcprobe', $args[1]); "
            + "Test-FipsNode -ComputerName $args[0] -SshCredential $c -KnownHostsPath $args[2] -Verbose -Debug | Out-Default; "
            + "Test-FipsNode -ComputerName $args[0] -SshCredential $c -KnownHostsPath $args[2]",
            _nodes.PlainNode, Secure(password), _nodes.KnownHosts);
        Assert.Equal("SshAuthenticationFailed", (string)result.SingleOf(Report).ErrorId);
        Assert.DoesNotContain(password, result.AllText);
        Assert.DoesNotContain(password, string.Join("\n", result.Errors.Select(e => e.Exception.ToString())));

        // An encrypted key with the wrong passphrase: one error naming the file, never the passphrase.
        const string passphrase = "Kp-91be22-right";
        const string wrong = "Kp-0c44d1-wrong";
        var key = Path.Combine(Path.GetTempPath(), "fc-enc-" + Guid.NewGuid().ToString("N")[..6]);
        var keygen = System.Diagnostics.Process.Start("ssh-keygen", $"-q -t ecdsa -b 256 -N {passphrase} -f {key}")!;
        keygen.WaitForExit();
        try
        {
            var bad = _ps.Run("Test-FipsNode -ComputerName $args[0] -UserName fcprobe -KeyFilePath $args[1] -KeyPassphrase $args[2] -KnownHostsPath $args[3] -Verbose",
                _nodes.PlainNode, key, Secure(wrong), _nodes.KnownHosts);
            Assert.StartsWith("SshKeyFileInvalid,", Assert.Single(bad.ErrorIds));
            Assert.Contains(key, bad.AllText);
            Assert.DoesNotContain(wrong, bad.AllText);
            Assert.DoesNotContain(wrong, string.Join("\n", bad.Errors.Select(e => e.Exception.ToString())));
        }
        finally
        {
            File.Delete(key);
            File.Delete(key + ".pub");
        }
    }
}
