using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>One change to a fixture root, and the verdicts the check catalogue gives for it.</summary>
public sealed class FixtureRootVariantTests
{
    private const string BackEnds = "/etc/crypto-policies/back-ends";

    private static void AssertStatus(NodeComplianceReport report, string id, CheckStatus expected) =>
        Assert.True(report.StatusOf(id) == expected, $"{id}: expected {expected}, got {report.StatusOf(id)} ({report.Check(id).Actual})\n{report.Describe()}");

    // ---------------- LNX-FIPS-10 with real symlinks ----------------

    private static void LinkBackEnds(FixtureRoot root, string policy)
    {
        foreach (var file in Directory.EnumerateFiles(root.Local(BackEnds)))
        {
            File.Delete(file);
        }
        foreach (var name in LinuxFactCatalog.CryptoPolicyBackEndNames.Append("nss"))
        {
            var target = $"/usr/share/crypto-policies/{policy}/{name}.txt";
            root.Write(target, $"# {policy} {name}\n");
            // update-crypto-policies writes absolute links: back-ends/nss.config -> /usr/share/crypto-policies/FIPS/nss.txt
            File.CreateSymbolicLink(root.Local($"{BackEnds}/{name}.config"), target);
        }
    }

    [Fact]
    public void Back_ends_linked_to_the_FIPS_policy_pass_LNX_FIPS_10()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // symlinks need privileges there
        }
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => LinkBackEnds(root, "FIPS"));
        AssertStatus(report, "LNX-FIPS-10", CheckStatus.Pass);
        Assert.Contains(report.Check("LNX-FIPS-10").Evidence, e => e.Source == $"{BackEnds}/openssl_fips.config" && e.Excerpt == "/usr/share/crypto-policies/FIPS/openssl_fips.txt");
        // nss.config is now a link whose target exists inside the root: still "exists" for LNX-FIPS-09.
        AssertStatus(report, "LNX-FIPS-09", CheckStatus.Pass);
        Assert.True(report.Compliant, report.Describe());
    }

    [Fact]
    public void Back_ends_linked_to_the_DEFAULT_policy_fail_LNX_FIPS_10()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var report = FixtureRoot.Evaluate("rhel9-nonfips", edit: root => LinkBackEnds(root, "DEFAULT"));
        AssertStatus(report, "LNX-FIPS-10", CheckStatus.Fail);
        Assert.Contains("opensshserver", report.Check("LNX-FIPS-10").Actual);
    }

    [Fact]
    public void Relative_back_end_links_are_resolved_inside_the_root_not_on_the_host()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            LinkBackEnds(root, "FIPS");
            File.Delete(root.Local($"{BackEnds}/gnutls.config"));
            File.CreateSymbolicLink(root.Local($"{BackEnds}/gnutls.config"), "../../../usr/share/crypto-policies/FIPS/gnutls.txt");
        });
        AssertStatus(report, "LNX-FIPS-10", CheckStatus.Pass);
        Assert.Contains(report.Check("LNX-FIPS-10").Evidence, e => e.Source == $"{BackEnds}/gnutls.config" && e.Excerpt == "/usr/share/crypto-policies/FIPS/gnutls.txt");
    }

    // ---------------- LNX-FIPS-10 with a sub-policy (regular files) ----------------

    /// <summary>
    /// What update-crypto-policies leaves for FIPS:OSPP: no pre-built /usr/share/crypto-policies/FIPS:OSPP/, so every
    /// back-end is a regular file (save_config), then state/current and state/CURRENT.pol are written after them.
    /// </summary>
    private static void ApplySubPolicy(FixtureRoot root, string policy)
    {
        foreach (var file in Directory.EnumerateFiles(root.Local(BackEnds)))
        {
            File.Delete(file);
        }
        foreach (var name in LinuxFactCatalog.CryptoPolicyBackEndNames.Append("nss"))
        {
            root.Write($"{BackEnds}/{name}.config", $"# generated for {policy}: {name}\n", FixtureRoot.InstalledAt.AddSeconds(30));
        }
        root.Write("/etc/crypto-policies/config", policy + "\n");
        root.Write("/etc/crypto-policies/state/current", policy + "\n", FixtureRoot.InstalledAt.AddMinutes(1));
        root.Write("/etc/crypto-policies/state/CURRENT.pol", $"# Policy {policy} dump\n#\n# Baseline values for all scopes:\nmac = AEAD HMAC-SHA2-256\n", FixtureRoot.InstalledAt.AddMinutes(1));
    }

    [Theory]
    [InlineData("rhel9-fips")]
    [InlineData("rhel8-fips")]
    public void FIPS_OSPP_back_ends_written_as_regular_files_pass_LNX_FIPS_10(string fixture)
    {
        var report = FixtureRoot.Evaluate(fixture, edit: root => ApplySubPolicy(root, "FIPS:OSPP"));
        AssertStatus(report, "LNX-FIPS-08", CheckStatus.Pass);
        AssertStatus(report, "LNX-FIPS-09", CheckStatus.Pass);
        AssertStatus(report, "LNX-FIPS-10", CheckStatus.Pass);
        var check = report.Check("LNX-FIPS-10");
        Assert.Contains("generated for FIPS:OSPP", check.Actual);
        Assert.DoesNotContain("no back-end", check.Actual);
        // rhel8-fips stays non-compliant for another reason: OpenSSL 1.1's FIPS state cannot be seen on a capture (LNX-SSL-02).
        Assert.Equal(fixture == "rhel9-fips", report.Compliant);
    }

    [Fact]
    public void FIPS_OSPP_back_end_edited_after_the_policy_was_applied_fails_and_the_remediation_keeps_OSPP()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            ApplySubPolicy(root, "FIPS:OSPP");
            root.Write($"{BackEnds}/opensshserver.config", "Ciphers aes128-cbc\n", FixtureRoot.InstalledAt.AddHours(2));
        });
        AssertStatus(report, "LNX-FIPS-10", CheckStatus.Fail);
        var check = report.Check("LNX-FIPS-10");
        Assert.Contains("opensshserver", check.Actual);
        Assert.Contains("update-crypto-policies --set FIPS:OSPP", check.Remediation);
        Assert.DoesNotContain("--set FIPS'", check.Remediation);
    }

    [Fact]
    public void Regular_back_ends_generated_for_DEFAULT_fail_LNX_FIPS_10_and_the_remediation_sets_FIPS()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => ApplySubPolicy(root, "DEFAULT:NO-SHA1"));
        AssertStatus(report, "LNX-FIPS-10", CheckStatus.Fail);
        Assert.Contains("DEFAULT:NO-SHA1", report.Check("LNX-FIPS-10").Actual);
        Assert.Contains("update-crypto-policies --set FIPS'", report.Check("LNX-FIPS-10").Remediation);
    }

    [Fact]
    public void A_policy_dump_that_names_another_policy_fails_LNX_FIPS_10()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            ApplySubPolicy(root, "FIPS:OSPP");
            root.Write("/etc/crypto-policies/state/CURRENT.pol", "# Policy DEFAULT dump\n", FixtureRoot.InstalledAt.AddMinutes(1));
        });
        AssertStatus(report, "LNX-FIPS-10", CheckStatus.Fail);
        Assert.Contains("CURRENT.pol dumps DEFAULT", report.Check("LNX-FIPS-10").Actual);
    }

    [Fact]
    public void Stale_links_to_FIPS_while_DEFAULT_is_applied_fail_LNX_FIPS_10()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // The links were left by an earlier 'update-crypto-policies --set FIPS'; state/current says DEFAULT now.
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            LinkBackEnds(root, "FIPS");
            root.Write("/etc/crypto-policies/config", "DEFAULT\n");
            root.Write("/etc/crypto-policies/state/current", "DEFAULT\n", FixtureRoot.InstalledAt.AddMinutes(1));
        });
        AssertStatus(report, "LNX-FIPS-08", CheckStatus.Fail);
        Assert.NotEqual(CheckStatus.Pass, report.StatusOf("LNX-FIPS-11"));
        Assert.False(report.Compliant);
    }

    // ---------------- LNX-FIPS-04 on RHEL 8: /etc/default/grub decides the next grub2-mkconfig ----------------

    [Fact]
    public void Rhel8_fips_1_in_grubenv_but_not_in_etc_default_grub_fails_LNX_FIPS_04()
    {
        var report = FixtureRoot.Evaluate("rhel8-fips", edit: root => root.Replace("/etc/default/grub", " fips=1", ""));
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Fail);
        var check = report.Check("LNX-FIPS-04");
        Assert.Contains("grub2-mkconfig", check.Actual);
        Assert.Contains("GRUB_CMDLINE_LINUX", check.Remediation);
        Assert.Contains(check.Evidence, e => e.Source == "/etc/default/grub");
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Rhel8_fips_1_in_grubenv_without_etc_default_grub_is_a_warning()
    {
        var report = FixtureRoot.Evaluate("rhel8-fips", edit: root => root.Delete("/etc/default/grub"));
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Warning);
        Assert.Contains("no /etc/default/grub", report.Check("LNX-FIPS-04").Actual);
    }

    [Fact]
    public void Rhel8_fips_1_in_GRUB_CMDLINE_LINUX_DEFAULT_counts()
    {
        var report = FixtureRoot.Evaluate("rhel8-fips", edit: root =>
        {
            root.Replace("/etc/default/grub", " fips=1", "");
            root.Write("/etc/default/grub", root.Read("/etc/default/grub") + "GRUB_CMDLINE_LINUX_DEFAULT=\"fips=1\"\n");
        });
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Pass);
    }

    [Fact]
    public void Rhel9_boot_entries_with_fips_1_but_GRUB_CMDLINE_LINUX_without_it_is_a_warning()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Replace("/etc/default/grub", " fips=1", ""));
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Warning);
        Assert.Contains("--update-bls-cmdline", report.Check("LNX-FIPS-04").Actual);
    }

    // ---------------- LNX-FIPS-06: dracut's fips module is opt-in on RHEL 8 and 9, default on RHEL 10 ----------------

    [Fact]
    public void Rhel9_without_a_dracut_fips_conf_is_a_warning_never_not_applicable()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Delete("/etc/dracut.conf.d/40-fips.conf"));
        AssertStatus(report, "LNX-FIPS-06", CheckStatus.Warning);
        var check = report.Check("LNX-FIPS-06");
        Assert.Contains("255", check.Actual);
        Assert.Contains("lsinitrd", check.Actual);
        Assert.Contains("40-fips.conf", check.Remediation);
    }

    [Theory]
    [InlineData("/etc/dracut.conf.d/99-site.conf")] // any name: dracut sources every conf.d file
    [InlineData("/usr/lib/dracut/dracut.conf.d/40-fips.conf")] // the distribution directory (bootc images)
    [InlineData("/etc/dracut.conf")]
    public void Rhel9_fips_module_asked_for_in_any_dracut_configuration_passes(string path)
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            root.Delete("/etc/dracut.conf.d/40-fips.conf");
            root.Write(path, "add_dracutmodules+=\" fips \"\n");
        });
        AssertStatus(report, "LNX-FIPS-06", CheckStatus.Pass);
    }

    [Fact]
    public void An_etc_file_replaces_the_usr_lib_file_of_the_same_name()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            root.Delete("/etc/dracut.conf.d/40-fips.conf");
            root.Write("/usr/lib/dracut/dracut.conf.d/40-fips.conf", "add_dracutmodules+=\" fips \"\n");
            root.Write("/etc/dracut.conf.d/40-fips.conf", "# disabled by the site\n");
        });
        AssertStatus(report, "LNX-FIPS-06", CheckStatus.Warning);
    }

    [Fact]
    public void Omitting_the_fips_module_fails_LNX_FIPS_06_even_when_it_is_added()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Write("/etc/dracut.conf.d/99-omit.conf", "omit_dracutmodules+=\" fips \"\n"));
        AssertStatus(report, "LNX-FIPS-06", CheckStatus.Fail);
    }

    [Fact]
    public void Rhel8_without_a_dracut_fips_conf_fails_LNX_FIPS_06()
    {
        var report = FixtureRoot.Evaluate("rhel8-fips", edit: root => root.Delete("/etc/dracut.conf.d/40-fips.conf"));
        AssertStatus(report, "LNX-FIPS-06", CheckStatus.Fail);
    }

    [Fact]
    public void Rhel10_without_a_dracut_fips_conf_passes_LNX_FIPS_06()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            root.Delete("/etc/dracut.conf.d/40-fips.conf");
            root.Write("/etc/os-release", "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"10.0 (Coughlan)\"\nID=\"rhel\"\nID_LIKE=\"centos fedora\"\nVERSION_ID=\"10.0\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 10.0 (Coughlan)\"\n");
        });
        AssertStatus(report, "LNX-FIPS-06", CheckStatus.Pass);
        Assert.Contains("returns 0", report.Check("LNX-FIPS-06").Actual);
    }

    // ---------------- boot line and boot configuration ----------------

    [Fact]
    public void Separate_boot_without_boot_token_fails_LNX_FIPS_03()
    {
        // rhel8-fips: mountinfo mounts /dev/sda1 on /boot, / is /dev/mapper/rhel-root (findmnt /boot ≠ /).
        var report = FixtureRoot.Evaluate("rhel8-fips", edit: root => root.Replace("/proc/cmdline", " boot=UUID=6e5b0d3a-2f1c-4b8e-9a7d-3c4f5e6a7b8c", ""));
        AssertStatus(report, "LNX-FIPS-02", CheckStatus.Pass);
        AssertStatus(report, "LNX-FIPS-03", CheckStatus.Fail);
        Assert.False(report.Compliant);
    }

    [Theory]
    [InlineData("fips=1", "fips")] // dracut: "FIPS mode have to be enabled by 'fips=1' not just 'fips'"
    [InlineData("fips=1", "fips=0")]
    [InlineData("fips=1", "fips=1 rd.fips.skipkernel")] // the kernel HMAC check is skipped
    [InlineData("fips=1", "fips=1 fips=0")] // the last occurrence wins
    public void Bad_fips_tokens_on_the_kernel_line_fail_LNX_FIPS_02(string from, string to)
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Replace("/proc/cmdline", from, to));
        AssertStatus(report, "LNX-FIPS-02", CheckStatus.Fail);
        Assert.False(report.Compliant);
    }

    [Fact]
    public void A_boot_entry_without_fips_1_fails_LNX_FIPS_04_check_all()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
            root.Replace("/boot/loader/entries/0f3d8c2a1b7e4d5c9a6b8e7f1c2d3a4b-0-rescue.conf", " fips=1", ""));
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Fail);
        Assert.Contains("0-rescue", report.Check("LNX-FIPS-04").Actual);
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Fips_10_is_not_fips_1_in_a_boot_entry()
    {
        var report = FixtureRoot.Evaluate("rhel9-image-fips", edit: root =>
            root.Replace("/boot/loader/entries/0f3d8c2a1b7e4d5c9a6b8e7f1c2d3a4b-0-rescue.conf", " fips=1", " fips=10"));
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Fail);
    }

    [Fact]
    public void Rhel8_grubenv_without_fips_1_fails_LNX_FIPS_04()
    {
        var report = FixtureRoot.Evaluate("rhel8-fips", edit: root => root.Replace("/boot/grub2/grubenv", " fips=1 ", " "));
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Fail);
    }

    [Fact]
    public void Offline_image_whose_boot_entries_lack_fips_1_is_not_compliant()
    {
        var report = FixtureRoot.Evaluate("rhel9-image-fips", edit: root =>
        {
            foreach (var entry in Directory.EnumerateFiles(root.Local("/boot/loader/entries")))
            {
                File.WriteAllText(entry, File.ReadAllText(entry).Replace(" fips=1", "", StringComparison.Ordinal));
            }
        });
        AssertStatus(report, "LNX-FIPS-01", CheckStatus.NotApplicable);
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Fail);
        AssertStatus(report, "LNX-SSL-01", CheckStatus.Fail); // no fips=1 at boot: RHEL 9 will not load fips.so
        AssertStatus(report, "LNX-GCRY-01", CheckStatus.Fail);
        AssertStatus(report, "LNX-GNUTLS-01", CheckStatus.Fail);
        Assert.False(report.Compliant);
        Assert.Null(report.FipsModeEnabled);
    }

    /// <summary>RHEL 9 after 'fips-mode-setup --enable' but before the reboot: configuration says FIPS, the running kernel does not.</summary>
    private static void EnabledButNotRebooted(FixtureRoot root)
    {
        foreach (var entry in Directory.EnumerateFiles(root.Local("/boot/loader/entries")))
        {
            File.WriteAllText(entry, File.ReadAllText(entry).Replace(" quiet", " quiet fips=1", StringComparison.Ordinal));
        }
        root.Write("/etc/dracut.conf.d/40-fips.conf", "add_dracutmodules+=\" fips \"\n");
        root.Write("/etc/crypto-policies/config", "FIPS\n");
        root.Write("/etc/crypto-policies/state/current", "FIPS\n", FixtureRoot.InstalledAt.AddMinutes(1));
    }

    [Fact]
    public void Enabled_but_not_rebooted_is_inconsistent_and_not_compliant()
    {
        var report = FixtureRoot.Evaluate("rhel9-nonfips", edit: EnabledButNotRebooted);
        AssertStatus(report, "LNX-FIPS-01", CheckStatus.Fail);
        AssertStatus(report, "LNX-FIPS-02", CheckStatus.Fail);
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.Pass);
        AssertStatus(report, "LNX-FIPS-08", CheckStatus.Pass);
        AssertStatus(report, "LNX-FIPS-11", CheckStatus.Fail); // kernel off, policy FIPS: "Inconsistent state detected."
        AssertStatus(report, "LNX-GCRY-01", CheckStatus.Fail);
        AssertStatus(report, "LNX-GNUTLS-01", CheckStatus.Fail);
        Assert.False(report.Compliant);
        Assert.False(report.FipsModeEnabled);
    }

    [Fact]
    public void Enabled_but_not_rebooted_has_no_active_OpenSSL_FIPS_provider()
    {
        // Runtime state beats configuration (§1): RHEL 9 loads fips.so only when fips_enabled is 1.
        var report = FixtureRoot.Evaluate("rhel9-nonfips", edit: EnabledButNotRebooted);
        AssertStatus(report, "LNX-SSL-01", CheckStatus.Fail);
    }

    // ---------------- crypto policy ----------------

    [Theory]
    [InlineData("FIPS:OSPP", CheckStatus.Pass)]
    [InlineData("FIPS:STIG", CheckStatus.Pass)]
    [InlineData("FIPS:NO-SHA1", CheckStatus.Pass)] // legacy list / fips_crypto_subpolicy
    [InlineData("FIPS:ECDHE-ONLY", CheckStatus.Pass)]
    [InlineData("FIPS:NO-ENFORCE-EMS", CheckStatus.Fail)] // relaxes FIPS
    [InlineData("FIPS:AD-SUPPORT", CheckStatus.Fail)]
    [InlineData("FIPS:MY-CUSTOM", CheckStatus.Warning)] // "review the subpolicies to ensure they only restrict"
    [InlineData("DEFAULT:FIPS", CheckStatus.Fail)] // base policy must be FIPS
    [InlineData("FUTURE", CheckStatus.Fail)]
    public void Crypto_policy_sub_policies(string policy, CheckStatus expected)
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
        {
            root.Write("/etc/crypto-policies/config", policy + "\n");
            root.Write("/etc/crypto-policies/state/current", policy + "\n", FixtureRoot.InstalledAt.AddMinutes(1));
        });
        AssertStatus(report, "LNX-FIPS-08", expected);
        AssertStatus(report, "LNX-FIPS-09", CheckStatus.Pass);
    }

    [Fact]
    public void Config_newer_than_the_applied_state_fails_LNX_FIPS_09()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Touch("/etc/crypto-policies/config", FixtureRoot.InstalledAt.AddHours(1)));
        AssertStatus(report, "LNX-FIPS-09", CheckStatus.Fail);
        Assert.Contains("newer", report.Check("LNX-FIPS-09").Actual);
    }

    [Fact]
    public void Configured_policy_not_applied_fails_LNX_FIPS_09()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Write("/etc/crypto-policies/state/current", "DEFAULT\n", FixtureRoot.InstalledAt.AddMinutes(1)));
        AssertStatus(report, "LNX-FIPS-08", CheckStatus.Pass);
        AssertStatus(report, "LNX-FIPS-09", CheckStatus.Fail);
        AssertStatus(report, "LNX-FIPS-11", CheckStatus.Fail); // kernel on, applied policy DEFAULT
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Missing_nss_back_end_fails_LNX_FIPS_09()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Delete($"{BackEnds}/nss.config"));
        AssertStatus(report, "LNX-FIPS-09", CheckStatus.Fail);
        Assert.Contains("nss.config", report.Check("LNX-FIPS-09").Actual);
    }

    // ---------------- libraries and environment ----------------

    [Theory]
    [InlineData("GNUTLS_FORCE_FIPS_MODE=0\n")]
    [InlineData("GNUTLS_SKIP_FIPS_INTEGRITY_CHECKS=1\n")]
    [InlineData("export GNUTLS_FORCE_FIPS_MODE=0\n")]
    public void GnuTLS_overrides_in_etc_environment_fail_LNX_GNUTLS_01(string line)
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Write("/etc/environment", line));
        AssertStatus(report, "LNX-GNUTLS-01", CheckStatus.Fail);
        Assert.False(report.Compliant);
    }

    [Fact]
    public void GnuTLS_override_in_the_NUL_separated_environ_of_pid_1_fails_LNX_GNUTLS_01()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
            root.Write("/proc/1/environ", "HOME=/\0TERM=linux\0GNUTLS_FORCE_FIPS_MODE=0\0BOOT_IMAGE=(hd0,gpt3)/boot/vmlinuz\0"));
        AssertStatus(report, "LNX-GNUTLS-01", CheckStatus.Fail);
    }

    [Fact]
    public void Gcrypt_force_file_puts_libgcrypt_in_FIPS_mode_even_without_the_kernel_flag()
    {
        var report = FixtureRoot.Evaluate("debian12", edit: root => root.Write("/etc/gcrypt/fips_enabled", "1\n"));
        AssertStatus(report, "LNX-GCRY-01", CheckStatus.Pass);
    }

    [Fact]
    public void Probe_in_a_container_defers_boot_checks_to_the_host()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root => root.Write("/.dockerenv", ""));
        var ctr = report.Check("NODE-CTR-01");
        Assert.Equal(CheckStatus.Informational, ctr.Status);
        Assert.Contains("docker", ctr.Actual);
        AssertStatus(report, "LNX-FIPS-03", CheckStatus.NotApplicable);
        AssertStatus(report, "LNX-FIPS-04", CheckStatus.NotApplicable);
        AssertStatus(report, "LNX-FIPS-05", CheckStatus.NotApplicable);
    }

    [Fact]
    public void Kubepods_cgroup_is_detected_as_a_container()
    {
        var report = FixtureRoot.Evaluate("rhel9-fips", edit: root =>
            root.Write("/proc/1/cgroup", "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1c2d.slice/cri-containerd-4f1e.scope\n"));
        Assert.Contains("kubepods", report.Check("NODE-CTR-01").Actual);
    }

    // ---------------- Ubuntu Pro ----------------

    [Fact]
    public void Ubuntu_fips_updates_waiting_for_the_reboot_fails_UBU_FIPS_01()
    {
        var report = FixtureRoot.Evaluate("ubuntu2204-pro-fips", edit: root => root.Replace("/var/lib/ubuntu-advantage/status.json",
            "\"name\": \"fips-updates\", \"status\": \"enabled\", \"status_details\": \"FIPS Updates is active\"",
            "\"name\": \"fips-updates\", \"status\": \"warning\", \"status_details\": \"Reboot to FIPS kernel required\""));
        AssertStatus(report, "UBU-FIPS-01", CheckStatus.Fail);
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Ubuntu_not_attached_fails_UBU_FIPS_01()
    {
        var report = FixtureRoot.Evaluate("ubuntu2204-pro-fips", edit: root => root.Delete("/var/lib/ubuntu-advantage/status.json"));
        AssertStatus(report, "UBU-FIPS-01", CheckStatus.Fail);
    }

    [Fact]
    public void Ubuntu_status_json_without_a_services_array_is_unknown_not_a_pass()
    {
        var report = FixtureRoot.Evaluate("ubuntu2204-pro-fips", edit: root => root.Write("/var/lib/ubuntu-advantage/status.json", "{\"attached\": false}"));
        Assert.NotEqual(CheckStatus.Pass, report.StatusOf("UBU-FIPS-01"));
    }

    [Fact]
    public void Ubuntu_stale_enabled_status_with_the_kernel_flag_off_fails_UBU_FIPS_01()
    {
        var report = FixtureRoot.Evaluate("ubuntu2204-pro-fips", edit: root =>
        {
            root.Write("/proc/sys/crypto/fips_enabled", "0\n");
            root.Write("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-5.15.0-107-generic root=PARTUUID=5c2b7f0e-01 ro console=tty1 console=ttyS0 panic=-1\n");
        });
        AssertStatus(report, "LNX-FIPS-01", CheckStatus.Fail);
        AssertStatus(report, "UBU-FIPS-01", CheckStatus.Fail);
    }

    [Fact]
    public void Ubuntu_without_openssl_fips_module_fails_UBU_FIPS_02()
    {
        var report = FixtureRoot.Evaluate("ubuntu2204-pro-fips", edit: root =>
            root.Replace("/var/lib/dpkg/status", "Package: openssl-fips-module-3\nStatus: install ok installed", "Package: openssl-fips-module-3\nStatus: deinstall ok config-files"));
        AssertStatus(report, "UBU-FIPS-02", CheckStatus.Fail);
        Assert.Contains("openssl-fips-module-3", report.Check("UBU-FIPS-02").Actual);
    }

    [Fact]
    public void Ubuntu_2004_is_flagged_under_the_140_3_profile_after_the_sunset()
    {
        Assert.True(DateOnly.FromDateTime(DateTime.UtcNow) >= CommonNodeChecks.Fips1402Sunset);
        var report = FixtureRoot.Evaluate("ubuntu2204-pro-fips", edit: root =>
            root.Write("/etc/os-release", "PRETTY_NAME=\"Ubuntu 20.04.6 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"20.04\"\nVERSION=\"20.04.6 LTS (Focal Fossa)\"\nVERSION_CODENAME=focal\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=focal\n"));
        Assert.Contains(report.StatusOf("OS-PROV-01"), new[] { CheckStatus.Warning, CheckStatus.Fail });
    }

    // ---------------- profiles ----------------

    [Fact]
    public void The_140_2_sunset_check_appears_only_in_the_140_2_profile()
    {
        var r3 = FixtureRoot.Evaluate("rhel9-fips", "FIPS-140-3");
        var r2 = FixtureRoot.Evaluate("rhel9-fips", "FIPS-140-2");
        Assert.DoesNotContain(r3.Checks, c => c.CheckId == "PROFILE-140-2-SUNSET");
        var sunset = r2.Check("PROFILE-140-2-SUNSET");
        Assert.Equal(CheckStatus.Informational, sunset.Status);
        Assert.False(sunset.Required);
        Assert.Contains("2026-09-21", sunset.Actual);
        Assert.Equal("FIPS 140-2", sunset.Standard);
        Assert.True(r2.Compliant);
        Assert.Equal("FIPS-140-2", r2.Profile);
    }

    [Fact]
    public void A_missing_root_directory_is_a_FipsClusterException()
    {
        var ex = Assert.Throws<FipsClusterException>(() => RootFactReader.Read(Path.Combine(Path.GetTempPath(), "fc-no-such-root-" + Guid.NewGuid())));
        Assert.Equal(ErrorIds.InvalidRootPath, ex.ErrorId);
    }
}
