using FipsCluster.Core.Remediation;
using Xunit;

namespace FipsCluster.Core.Tests.Remediation;

/// <summary>The kernel-argument edits as grubby --update-kernel=ALL --args would make them.</summary>
public sealed class KernelArgumentsTests
{
    [Theory]
    [InlineData("ro quiet", "ro quiet fips=1")]
    [InlineData("ro fips=0 quiet", "ro quiet fips=1")] // another fips value is replaced, not kept beside
    [InlineData("ro fips quiet", "ro quiet fips=1")] // a bare 'fips' (dracut refuses it) too
    [InlineData("ro fips=1 quiet", "ro fips=1 quiet")] // already there: unchanged
    public void Fips_is_added_once(string before, string after) =>
        Assert.Equal(after, KernelArguments.Add(before, KernelArguments.ForFips(null)));

    [Fact]
    public void Boot_is_added_only_when_none_is_given()
    {
        Assert.Equal("ro fips=1 boot=UUID=a", KernelArguments.Add("ro", KernelArguments.ForFips("UUID=a")));
        Assert.Equal("ro boot=/dev/sda1 fips=1", KernelArguments.Add("ro boot=/dev/sda1", KernelArguments.ForFips("UUID=a")));
    }

    [Fact]
    public void Grubenv_stays_a_1024_byte_block()
    {
        var grubenv = "# GRUB Environment Block\nkernelopts=root=/dev/vda ro\n";
        grubenv += new string('#', 1024 - grubenv.Length);
        var edited = KernelArguments.EditGrubEnv(grubenv, KernelArguments.ForFips(null), out var overflow)!;
        Assert.False(overflow);
        Assert.Equal(1024, System.Text.Encoding.UTF8.GetByteCount(edited));
        Assert.StartsWith("# GRUB Environment Block\nkernelopts=root=/dev/vda ro fips=1\n#", edited, StringComparison.Ordinal);
        Assert.Equal(edited, KernelArguments.EditGrubEnv(edited, KernelArguments.ForFips(null), out _)); // a second edit changes nothing
    }

    [Fact]
    public void A_full_grubenv_is_refused()
    {
        var grubenv = "# GRUB Environment Block\nkernelopts=" + new string('x', 990) + "\n";
        Assert.Null(KernelArguments.EditGrubEnv(grubenv, KernelArguments.ForFips(null), out var overflow));
        Assert.True(overflow);
    }

    [Theory]
    [InlineData("GRUB_CMDLINE_LINUX=\"rhgb quiet\"\n", "GRUB_CMDLINE_LINUX=\"rhgb quiet fips=1\"\n")]
    [InlineData("GRUB_CMDLINE_LINUX='rhgb'\n", "GRUB_CMDLINE_LINUX='rhgb fips=1'\n")]
    [InlineData("GRUB_TIMEOUT=5\n", "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"fips=1\"\n")]
    public void Default_grub_gets_fips_in_GRUB_CMDLINE_LINUX(string before, string after) =>
        Assert.Equal(after, KernelArguments.EditDefaultGrub(before, KernelArguments.ForFips(null)));

    [Fact]
    public void A_boot_entry_without_options_gets_a_line()
    {
        Assert.Equal("title x\nlinux /vmlinuz\noptions fips=1\n", KernelArguments.EditBootEntry("title x\nlinux /vmlinuz\n", KernelArguments.ForFips(null)));
        Assert.Equal("title x\noptions ro fips=1\n", KernelArguments.EditBootEntry("title x\noptions ro\n", KernelArguments.ForFips(null)));
    }

    [Theory]
    [InlineData("UUID=6e5b /boot xfs defaults 0 0\n/dev/vda1 / xfs defaults 0 0", "UUID=6e5b")]
    [InlineData("/dev/vda1 / xfs defaults 0 0\n# UUID=x /boot xfs defaults 0 0", null)]
    [InlineData("LABEL=boot /boot/ ext4 defaults 1 2", "LABEL=boot")]
    public void The_boot_device_comes_from_fstab(string fstab, string? device) =>
        Assert.Equal(device, KernelArguments.BootDeviceFromFstab(fstab));
}
