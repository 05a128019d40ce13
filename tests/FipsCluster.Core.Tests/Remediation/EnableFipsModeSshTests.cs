using System.Diagnostics;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remediation;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests.Remediation;

/// <summary>
/// Two simulated running nodes over real SSH (tests/Infrastructure/rhel-node.sh): a RHEL 9 node not in FIPS mode whose
/// fips-mode-setup, update-crypto-policies, grubby, dracut and systemctl are stand-ins that log how they were called, and
/// this host's Debian 12. The login is not root; it has password-less sudo.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RhelNodesFixture : IDisposable
{
    private readonly string _dir = Path.Combine("/tmp", "fc-rhel-" + Guid.NewGuid().ToString("N")[..6]);
    private readonly List<string> _started = new();

    public RhelNodesFixture()
    {
        Directory.CreateDirectory(_dir);
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ED); // 0755: sshd's login user reads the authorized key through it
        Run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", KeyFile);
        Rhel = Start("rhel", "rhel9");
        Debian = Start("debian", "debian12");
    }

    public string KeyFile => Path.Combine(_dir, "key");

    public string Rhel { get; }

    public string Debian { get; }

    public string Dir(string node) => Path.Combine(_dir, node);

    public SshOptions Ssh(string node) => new()
    {
        Login = new SshLogin { UserName = "fcprobe", KeyFilePath = KeyFile },
        KnownHostsPath = Path.Combine(Dir(node), "known_hosts"),
    };

    public string[] Commands(string node) => File.ReadAllLines(Path.Combine(Dir(node), "commands.log"));

    private string Start(string node, string os)
    {
        var name = "fct" + Guid.NewGuid().ToString("N")[..6];
        for (var attempt = 0; ; attempt++)
        {
            var subnet = $"10.213.{Random.Shared.Next(200, 250)}";
            try
            {
                Run(Script, "start", Dir(node), "--authorized-key", KeyFile + ".pub", "--name", name, "--subnet", subnet, "--os", os);
                break;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
        _started.Add(node);
        return File.ReadAllText(Path.Combine(Dir(node), "address")).Trim();
    }

    public void Reboot(string node) => Run(Script, "reboot", Dir(node));

    public void Dispose()
    {
        foreach (var node in _started)
        {
            try
            {
                Run(Script, "stop", Dir(node));
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine(ex.Message);
            }
        }
        Directory.Delete(_dir, recursive: true);
    }

    private static string Script => Path.Combine(RepoRoot(), "tests", "Infrastructure", "rhel-node.sh");

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FipsCluster.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("FipsCluster.sln not found above " + AppContext.BaseDirectory);
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        var error = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(300)))
        {
            p.Kill(true);
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error.Result}");
        }
    }
}

/// <summary>Enable-FipsMode on running nodes over SSH: the exact commands, run through sudo; the reboot; Debian refused.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EnableFipsModeSshTests(RhelNodesFixture nodes) : IClassFixture<RhelNodesFixture>
{
    private static readonly string[] ModeChecks = { "LNX-FIPS-01", "LNX-FIPS-02", "LNX-FIPS-11", "LNX-SSL-01", "LNX-GCRY-01", "LNX-GNUTLS-01" };

    private static OperationContext Yes() => new() { ShouldProcess = static (_, _) => true };

    [Fact]
    public async Task Rhel_node_runs_fips_mode_setup_with_sudo_then_after_the_reboot_passes_the_mode_checks()
    {
        var target = new SshFipsModeTarget(new HostEndpoint(nodes.Rhel, 22), nodes.Ssh("rhel"));
        var service = new FipsModeService();

        // -WhatIf first: nothing runs on the node.
        var plan = await service.PlanAsync(target, CancellationToken.None);
        Assert.Equal(new[] { "sudo -n fips-mode-setup --enable" }, plan.Steps.Select(s => s.Path));
        Assert.Null(await service.ApplyAsync(plan, new OperationContext { ShouldProcess = static (_, _) => false }));
        Assert.Empty(nodes.Commands("rhel"));
        Assert.Equal("Fail", plan.Verdict.Check("LNX-FIPS-08").Status.ToString());

        var change = await service.EnableAsync(target, Yes());
        Assert.NotNull(change);
        Assert.Equal("fips-mode-setup", change.Method);
        Assert.Equal(new[] { "sudo -n fips-mode-setup --enable" }, change.Changes.Select(c => c.Path));
        Assert.Equal(new[] { "uid=0 sudo_user=fcprobe fips-mode-setup --enable" }, nodes.Commands("rhel")); // as root, through the login's sudo
        Assert.True(change.RebootRequired);
        Assert.False(change.NoChange);
        Assert.Equal(CheckStatus.Fail, change.Verdict!.StatusOf("LNX-FIPS-01")); // the kernel is not in FIPS mode before the reboot
        foreach (var id in new[] { "LNX-FIPS-06", "LNX-FIPS-08", "LNX-FIPS-09", "LNX-FIPS-10" })
        {
            Assert.True(change.Verdict!.StatusOf(id) is CheckStatus.Pass, $"{id}: {change.Verdict!.Check(id).Actual}\n{change.Verdict!.Describe()}");
        }
        // The build machine carries /.dockerenv, so the boot checks say the host's bootloader applies (NotApplicable):
        // the entries themselves show what grubby (called by fips-mode-setup) did.
        Assert.True(change.Verdict!.StatusOf("LNX-FIPS-04") is CheckStatus.Pass or CheckStatus.NotApplicable);
        Assert.All(Directory.GetFiles(Path.Combine(nodes.Dir("rhel"), "boot", "loader", "entries"), "*.conf"),
            entry => Assert.Matches(@"(?m)^options .* fips=1$", File.ReadAllText(entry)));

        // Configured but not rebooted: nothing more to change, and it still says a reboot is needed.
        var again = await service.EnableAsync(target, Yes());
        Assert.True(again!.NoChange);
        Assert.True(again.RebootRequired);
        Assert.Single(nodes.Commands("rhel"));

        // -Restart: sudo systemctl reboot (the stand-in simulates the reboot), wait for the new boot id, judge again.
        var restarted = await service.RestartAsync(target, again, TimeSpan.FromSeconds(60), Yes());
        Assert.True(restarted.Restarted);
        Assert.Equal("uid=0 sudo_user=fcprobe systemctl reboot", nodes.Commands("rhel")[^1]);
        Assert.False(restarted.RebootRequired);
        foreach (var id in ModeChecks)
        {
            Assert.True(restarted.Verdict!.StatusOf(id) is CheckStatus.Pass, $"{id}: {restarted.Verdict!.Check(id).Actual}\n{restarted.Verdict!.Describe()}");
        }
        Assert.True(restarted.Verdict!.FipsModeEnabled);
    }

    [Fact]
    public async Task Debian_over_ssh_is_refused_and_nothing_runs()
    {
        var target = new SshFipsModeTarget(new HostEndpoint(nodes.Debian, 22), nodes.Ssh("debian"));
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => new FipsModeService().EnableAsync(target, Yes()));
        Assert.Equal(ErrorIds.FipsModeUnsupported, error.ErrorId);
        Assert.Contains("Debian", error.Message, StringComparison.Ordinal);
        Assert.Empty(nodes.Commands("debian"));
    }
}
