using System.Security.Cryptography;
using System.Text;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remediation;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests.Remediation;

/// <summary>
/// Enable-FipsMode -Root on the non-FIPS RHEL 8 and RHEL 9 image fixtures, judged afterwards by the real Test-FipsNode
/// code (RootFactReader + the profile's checks) on a fresh read of the tree: every configuration check passes, a second
/// run changes nothing, -WhatIf (ShouldProcess declined) leaves every byte, name, mode and link as it was.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EnableFipsModeImageTests
{
    private static readonly string[] ConfigurationChecks = { "LNX-FIPS-03", "LNX-FIPS-04", "LNX-FIPS-05", "LNX-FIPS-06", "LNX-FIPS-07", "LNX-FIPS-08", "LNX-FIPS-09", "LNX-FIPS-10" };

    private static OperationContext Yes(List<(string Target, string Action)>? asked = null) => new()
    {
        ShouldProcess = (target, action) =>
        {
            asked?.Add((target, action));
            return true;
        },
    };

    private static readonly OperationContext WhatIf = new() { ShouldProcess = static (_, _) => false };

    private static async Task<FipsModeChange> Enable(FixtureRoot root, List<(string, string)>? asked = null) =>
        await new FipsModeService().EnableAsync(new ImageFipsModeTarget(root.Path, "image"), Yes(asked))
        ?? throw new Xunit.Sdk.XunitException("declined");

    [Theory]
    [InlineData("rhel8-image-nonfips")]
    [InlineData("rhel9-image-nonfips")]
    public async Task Configuration_checks_fail_before_and_all_pass_after(string fixture)
    {
        using var root = FixtureRoot.Copy(fixture);
        var before = root.Evaluate();
        Assert.Contains(ConfigurationChecks, id => before.StatusOf(id) is CheckStatus.Fail);

        var asked = new List<(string, string)>();
        var change = await Enable(root, asked);

        Assert.False(change.NoChange);
        Assert.False(change.RebootRequired); // an image is not running: its first boot is the boot in FIPS mode
        Assert.Single(asked); // one question per target, naming every change
        Assert.All(change.Changes, c => Assert.Contains(c.Path, asked[0].Item2));
        Assert.All(change.Changes, c => Assert.Equal(FipsModeStepState.Applied, c.State));
        var after = root.Evaluate(); // a fresh read of the tree, as Test-FipsNode -Root does
        foreach (var id in ConfigurationChecks)
        {
            Assert.True(after.StatusOf(id) is CheckStatus.Pass or CheckStatus.NotApplicable, $"{id}: {after.Check(id).Status} {after.Check(id).Actual}\n{after.Describe()}");
        }
        Assert.Equal(CheckStatus.Pass, after.StatusOf("LNX-FIPS-04"));
        Assert.Equal(CheckStatus.Pass, after.StatusOf("LNX-FIPS-10"));
        Assert.Equal(after.Checks.Select(c => (c.CheckId, c.Status)), change.Verdict!.Checks.Select(c => (c.CheckId, c.Status)));
        // The initramfs cannot be rebuilt from outside: left to the image's dracut, and said so.
        Assert.Contains(change.FirstBootSteps, s => s.Path == "dracut -f --regenerate-all" && s.State == FipsModeStepState.Deferred);
    }

    [Fact]
    public async Task Rhel9_files_are_what_fips_mode_setup_would_leave()
    {
        using var root = FixtureRoot.Copy("rhel9-image-nonfips");
        var change = await Enable(root);
        Assert.Equal("FIPS\n", root.Read("/etc/crypto-policies/config"));
        Assert.Equal("FIPS\n", root.Read("/etc/crypto-policies/state/current"));
        foreach (var name in LinuxFactCatalog.CryptoPolicyBackEndNames.Append("nss"))
        {
            Assert.Equal($"/usr/share/crypto-policies/FIPS/{name}.txt", new FileInfo(root.Local($"/etc/crypto-policies/back-ends/{name}.config")).LinkTarget);
        }
        foreach (var entry in Directory.GetFiles(root.Local("/boot/loader/entries"), "*.conf"))
        {
            var options = File.ReadAllLines(entry).Single(l => l.StartsWith("options ", StringComparison.Ordinal));
            Assert.Single(options.Split(' '), t => t.StartsWith("fips", StringComparison.Ordinal));
            Assert.Contains(" fips=1", options, StringComparison.Ordinal);
            Assert.DoesNotContain("boot=", options, StringComparison.Ordinal); // /boot is on the root filesystem in this image
        }
        Assert.Contains("rhgb quiet fips=1\"", root.Read("/etc/default/grub"), StringComparison.Ordinal);
        Assert.Equal("add_dracutmodules+=\" fips \"\n", root.Read("/etc/dracut.conf.d/40-fips.conf"));
        Assert.False(File.Exists(root.Local("/etc/system-fips"))); // RHEL 8 only
        // The dump of the DEFAULT policy would contradict state/current: kept aside, not deleted.
        Assert.False(File.Exists(root.Local("/etc/crypto-policies/state/CURRENT.pol")));
        Assert.StartsWith("# Policy DEFAULT dump", root.Read("/etc/crypto-policies/state/CURRENT.pol.bak"), StringComparison.Ordinal);
        Assert.Equal("image files", change.Method);
    }

    [Fact]
    public async Task Rhel8_gets_kernelopts_boot_device_and_system_fips()
    {
        using var root = FixtureRoot.Copy("rhel8-image-nonfips");
        await Enable(root);
        var grubenv = File.ReadAllBytes(root.Local("/boot/grub2/grubenv"));
        Assert.Equal(1024, grubenv.Length); // grub2-editenv's fixed block
        var kernelopts = Encoding.UTF8.GetString(grubenv).Split('\n').Single(l => l.StartsWith("kernelopts=", StringComparison.Ordinal));
        Assert.EndsWith("rhgb quiet fips=1 boot=UUID=6e5b0d3a-2f1c-4b8e-9a7d-3c4f5e6a7b8c", kernelopts, StringComparison.Ordinal); // /boot is separate (fstab)
        Assert.Contains("fips=1 boot=UUID=6e5b0d3a-2f1c-4b8e-9a7d-3c4f5e6a7b8c\"", root.Read("/etc/default/grub"), StringComparison.Ordinal);
        // The entry takes its options from $kernelopts: left as it is.
        Assert.Contains("options $kernelopts $tuned_params", File.ReadAllText(Directory.GetFiles(root.Local("/boot/loader/entries"), "*.conf").Single()), StringComparison.Ordinal);
        Assert.Equal("# FIPS module installation complete\n", root.Read("/etc/system-fips"));
    }

    [Theory]
    [InlineData("rhel8-image-nonfips")]
    [InlineData("rhel9-image-nonfips")]
    public async Task A_second_run_changes_nothing_and_says_so(string fixture)
    {
        using var root = FixtureRoot.Copy(fixture);
        await Enable(root);
        var hash = TreeHash(root.Path);
        var asked = new List<(string, string)>();
        var second = await Enable(root, asked);
        Assert.True(second.NoChange);
        Assert.Empty(second.Changes);
        Assert.Empty(asked); // nothing to confirm
        Assert.Contains("already configured", second.Message, StringComparison.Ordinal);
        Assert.Equal(hash, TreeHash(root.Path));
    }

    [Theory]
    [InlineData("rhel8-image-nonfips")]
    [InlineData("rhel9-image-nonfips")]
    public async Task WhatIf_changes_no_byte(string fixture)
    {
        using var root = FixtureRoot.Copy(fixture);
        var hash = TreeHash(root.Path);
        var service = new FipsModeService();
        var plan = await service.PlanAsync(new ImageFipsModeTarget(root.Path), CancellationToken.None);
        Assert.NotEmpty(plan.Steps);
        Assert.Null(await service.ApplyAsync(plan, WhatIf));
        Assert.Equal(hash, TreeHash(root.Path));
    }

    [Fact]
    public async Task Every_rewritten_file_is_kept_as_bak_with_its_mode_and_owner()
    {
        using var root = FixtureRoot.Copy("rhel9-image-nonfips");
        var grub = root.Local("/etc/default/grub");
        var original = File.ReadAllText(grub);
        File.SetUnixFileMode(grub, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var change = await Enable(root);
        var step = change.Changes.Single(c => c.Path == "/etc/default/grub");
        Assert.Equal("/etc/default/grub.bak", step.BackupPath);
        Assert.Equal(original, File.ReadAllText(grub + ".bak"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(grub));
        foreach (var rewritten in change.Changes.Where(c => c.BackupPath is not null))
        {
            Assert.True(File.Exists(root.Local(rewritten.BackupPath!)) || new FileInfo(root.Local(rewritten.BackupPath!)).LinkTarget is not null, rewritten.BackupPath);
        }
        // No temporary file is left behind.
        Assert.Empty(Directory.EnumerateFileSystemEntries(root.Path, ".*.fc-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_link_out_of_the_image_is_written_inside_it()
    {
        using var root = FixtureRoot.Copy("rhel9-image-nonfips");
        using var outside = new TempDir();
        var victim = Path.Combine(outside.Path, "grub");
        File.WriteAllText(victim, "GRUB_CMDLINE_LINUX=\"quiet\"\n");
        var inside = root.Local(victim); // where the absolute link leads inside the image (chroot semantics)
        Directory.CreateDirectory(Path.GetDirectoryName(inside)!);
        File.Move(root.Local("/etc/default/grub"), inside);
        File.CreateSymbolicLink(root.Local("/etc/default/grub"), victim);
        await Enable(root);
        Assert.Equal("GRUB_CMDLINE_LINUX=\"quiet\"\n", File.ReadAllText(victim)); // this machine's file: untouched
        Assert.Contains("quiet fips=1\"", File.ReadAllText(inside), StringComparison.Ordinal); // the image's file: written through its link
        Assert.Equal(victim, new FileInfo(root.Local("/etc/default/grub")).LinkTarget);
    }

    [Fact]
    public async Task Debian_is_refused_and_nothing_changes()
    {
        using var root = FixtureRoot.Copy("debian12");
        var hash = TreeHash(root.Path);
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Enable(root));
        Assert.Equal(ErrorIds.FipsModeUnsupported, error.ErrorId);
        Assert.Contains("Debian publishes no FIPS-validated", error.Message, StringComparison.Ordinal);
        Assert.Equal(hash, TreeHash(root.Path));
    }

    [Fact]
    public async Task Ubuntu_images_are_refused_offline()
    {
        using var root = FixtureRoot.Copy("ubuntu2204-pro-fips");
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Enable(root));
        Assert.Equal(ErrorIds.FipsModeUnsupported, error.ErrorId);
        Assert.Contains("pro enable fips-updates", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rhel10_is_install_time_only_unless_it_is_a_bootc_image()
    {
        using var root = FixtureRoot.Copy("rhel9-image-nonfips");
        root.Replace("/etc/os-release", "VERSION_ID=\"9.4\"", "VERSION_ID=\"10.0\"");
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Enable(root));
        Assert.Equal(ErrorIds.FipsModeInstallTimeOnly, error.ErrorId);

        Directory.CreateDirectory(root.Local("/usr/lib/bootc/install"));
        var change = await Enable(root);
        Assert.Contains(change.Changes, c => c.Path == "/usr/lib/bootc/kargs.d/01-fips.toml");
        Assert.Equal("kargs = [\"fips=1\"]\n", root.Read("/usr/lib/bootc/kargs.d/01-fips.toml"));
        var after = root.Evaluate();
        Assert.Equal(CheckStatus.Pass, after.StatusOf("LNX-FIPS-04"));
        Assert.Contains("bootc", after.Check("LNX-FIPS-04").Actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_without_the_prebuilt_fips_policy_is_refused_before_any_change()
    {
        using var root = FixtureRoot.Copy("rhel9-image-nonfips");
        Directory.Delete(root.Local("/usr/share/crypto-policies/FIPS"), recursive: true);
        var hash = TreeHash(root.Path);
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Enable(root));
        Assert.Equal(ErrorIds.FipsModeImageIncomplete, error.ErrorId);
        Assert.Contains("update-crypto-policies --no-reload --set FIPS", error.Message, StringComparison.Ordinal);
        Assert.Equal(hash, TreeHash(root.Path));
    }

    [Fact]
    public async Task A_fips_image_needs_nothing()
    {
        using var root = FixtureRoot.Copy("rhel9-image-nonfips");
        await Enable(root);
        // The initramfs, once rebuilt after the dracut configuration, takes the first-boot step away.
        root.Write("/boot/initramfs-5.14.0-427.13.1.el9_4.x86_64.img", "initramfs", DateTime.UtcNow.AddMinutes(5));
        var again = await Enable(root);
        Assert.True(again.NoChange);
        Assert.Empty(again.FirstBootSteps);
    }

    /// <summary>Every entry under a tree: path, type, mode, link target or SHA-256 of the content.</summary>
    internal static string TreeHash(string root)
    {
        var text = new StringBuilder();
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            text.Append(Path.GetRelativePath(root, path)).Append(' ');
            if (info.LinkTarget is { } target)
            {
                text.Append("-> ").Append(target); // the image's absolute links dangle on this machine: no mode to follow
                text.Append('\n');
                continue;
            }
            text.Append(File.GetUnixFileMode(path)).Append(' ');
            if (Directory.Exists(path))
            {
                text.Append("dir");
            }
            else
            {
                text.Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
            }
            text.Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("fc-outside-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
