using System.Text.Json.Nodes;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Dsc;

/// <summary>
/// A simulated running RHEL 9 node over real SSH (tests/Infrastructure/rhel-node.sh: a network and mount namespace whose
/// fips-mode-setup and friends are stand-ins that log their calls; login "fcprobe" with sudo), for the reboot half of
/// FipsNode: Set asks PSDesiredStateConfiguration / Machine Configuration for the reboot ($global:DSCMachineStatus = 1),
/// the DSC v3 command resource's set output carries _restartRequired, and after the simulated reboot Test's reasons no
/// longer name the FIPS mode checks.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FipsNodeRunningNodeTests : IClassFixture<FipsNodeRunningNodeTests.RhelNode>, IClassFixture<DscV3ResourceManifestTests.Pwsh>
{
    private static readonly string[] ModeChecks = { "LNX-FIPS-01", "LNX-FIPS-02" };

    private readonly RhelNode _node;
    private readonly DscV3ResourceManifestTests.Pwsh _pwsh;

    public FipsNodeRunningNodeTests(RhelNode node, DscV3ResourceManifestTests.Pwsh pwsh)
    {
        _node = node;
        _pwsh = pwsh;
    }

    [SkippableFact]
    public void Set_enables_FIPS_mode_with_sudo_asks_every_engine_for_the_reboot_and_the_node_passes_the_mode_checks_after_it()
    {
        _node.Require();
        using var ps = new PsSession();
        // The instance as Invoke-DscResource makes one (the class comes from the module's own scope).
        var setup = ps.Run("""
            $global:node = & (Get-Module FipsCluster) { [FipsNode]::new() }
            $node.Target = $args[0]; $node.UserName = 'fcprobe'; $node.KeyFilePath = $args[1]; $node.KnownHostsPath = $args[2]
            $global:DSCMachineStatus = 0
            """, _node.Address, _node.KeyFile, _node.KnownHosts);
        Assert.True(setup.Terminating is null && setup.Errors.Count == 0, setup.AllText);

        var before = ps.Run("$node.Get()").Output.Single().BaseObject;
        var beforeCodes = Codes(ps, "$node.Get().Reasons.Code");
        Assert.Contains("FipsNode:FipsNode:LNX-FIPS-08", beforeCodes);
        Assert.Contains("FipsNode:FipsNode:LNX-FIPS-01", beforeCodes);
        Assert.Equal(false, ps.Run("$node.Test()").Output.Single().BaseObject);
        Assert.NotNull(before);

        var set = ps.Run("$node.Set(); $node.RebootRequired; $global:DSCMachineStatus");
        Assert.True(set.Terminating is null && set.Errors.Count == 0, set.AllText + set.Terminating);
        Assert.Equal(new object[] { true, 1 }, set.Output.Select(o => o.BaseObject).ToArray());
        Assert.Contains(_node.Commands(), c => c.Contains("sudo_user=fcprobe fips-mode-setup --enable", StringComparison.Ordinal));
        // Configured, but the kernel still runs without FIPS mode until the reboot the engine now performs.
        var pending = Codes(ps, "$node.Get().Reasons.Code");
        Assert.DoesNotContain("FipsNode:FipsNode:LNX-FIPS-08", pending);
        Assert.Contains("FipsNode:FipsNode:LNX-FIPS-01", pending);
        Assert.Equal(false, ps.Run("$node.Test()").Output.Single().BaseObject);

        // DSC v3: the command resource's set output asks for the restart of this node.
        var desired = new JsonObject { ["Target"] = _node.Address, ["UserName"] = "fcprobe", ["KeyFilePath"] = _node.KeyFile, ["KnownHostsPath"] = _node.KnownHosts };
        var v3 = _pwsh.RunOperation("set", desired.ToJsonString());
        Assert.True(v3.ExitCode == 0, v3.StdErr);
        var after = JsonNode.Parse(v3.StdOut.Trim())!;
        var restart = Assert.Single(after["_restartRequired"]!.AsArray());
        Assert.Equal(_node.Address, (string?)restart!["system"]);
        Assert.Contains("must restart", v3.StdErr, StringComparison.Ordinal);

        _node.Reboot();
        var rebooted = Codes(ps, "$node.Get().Reasons.Code");
        foreach (var check in ModeChecks)
        {
            Assert.DoesNotContain("FipsNode:FipsNode:" + check, rebooted);
        }
    }

    private static List<string> Codes(PsSession ps, string script)
    {
        var result = ps.Run(script);
        Assert.True(result.Terminating is null, result.AllText + result.Terminating);
        return result.Output.Select(o => o.ToString()).ToList();
    }

    /// <summary>One simulated RHEL 9 node (rhel-node.sh start/reboot/stop) with an SSH key for its login.</summary>
    public sealed class RhelNode : IDisposable
    {
        private readonly string _dir = Path.Combine("/tmp", "fc-dscnode-" + Guid.NewGuid().ToString("N")[..6]);
        private readonly bool _started;

        public RhelNode()
        {
            try
            {
                Directory.CreateDirectory(_dir);
                File.SetUnixFileMode(_dir, (UnixFileMode)0x1ED); // 0755: sshd's login user reads the authorized key through it
                Run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", KeyFile);
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        Run(Script, "start", NodeDir, "--authorized-key", KeyFile + ".pub", "--name", "fcd" + Guid.NewGuid().ToString("N")[..6],
                            "--subnet", $"10.213.{Random.Shared.Next(150, 199)}", "--os", "rhel9");
                        break;
                    }
                    catch (InvalidOperationException) when (attempt < 3)
                    {
                    }
                }
                _started = true;
                Address = File.ReadAllText(Path.Combine(NodeDir, "address")).Trim();
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                Unavailable = ex.Message;
            }
        }

        public string? Unavailable { get; }

        public string Address { get; } = "";

        public string KeyFile => Path.Combine(_dir, "key");

        private string NodeDir => Path.Combine(_dir, "rhel");

        public string KnownHosts => Path.Combine(NodeDir, "known_hosts");

        public string[] Commands() => File.ReadAllLines(Path.Combine(NodeDir, "commands.log"));

        public void Reboot() => Run(Script, "reboot", NodeDir);

        /// <summary>Skips without the simulated node, except under CI=true, where that fails.</summary>
        public void Require() => TestEnvironment.Require(Unavailable, "the simulated RHEL node cannot run");

        private static string Script => Path.Combine(TestPaths.RepoRoot, "tests", "Infrastructure", "rhel-node.sh");

        private static void Run(string file, params string[] args) => ProcessRunner.RunChecked(file, args);

        public void Dispose()
        {
            if (_started)
            {
                try
                {
                    Run(Script, "stop", NodeDir);
                }
                catch (InvalidOperationException ex)
                {
                    Console.Error.WriteLine(ex.Message);
                }
            }
            if (Directory.Exists(_dir))
            {
                Directory.Delete(_dir, recursive: true);
            }
        }
    }
}
