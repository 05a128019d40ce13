using static FipsCluster.Core.Compliance.Node.LinuxCryptoLibraryChecks;
using static FipsCluster.Core.Compliance.Node.LinuxCryptoPolicyChecks;
using static FipsCluster.Core.Compliance.Node.LinuxDistributionChecks;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;
using static FipsCluster.Core.Compliance.Node.LinuxFipsModeChecks;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// The Linux node checks: pure functions of <see cref="NodeFacts"/>. Ids, detection and pass conditions follow the
/// upstream rules each entry's Reference names (ComplianceAsCode, dracut, fips-mode-setup, the OpenSSL and library
/// manuals); what each judges and reads is said here once and published as about_FipsCluster_Checks.
/// </summary>
public static class LinuxNodeChecks
{
    // Declared before All: static initializers run in textual order, and All's descriptions read these lists.
    /// <summary>Sub-policies that only restrict FIPS (CaC fips_crypto_subpolicy).</summary>
    internal static readonly string[] RestrictingSubPolicies = { "OSPP", "STIG", "NO-SHA1", "NO-CAMELLIA", "ECDHE-ONLY" };

    /// <summary>Sub-policies known to relax FIPS.</summary>
    internal static readonly string[] RelaxingSubPolicies = { "NO-ENFORCE-EMS", "SHA1", "AD-SUPPORT", "AD-SUPPORT-LEGACY" };

    internal static readonly string[] GnutlsOverrides = { "GNUTLS_FORCE_FIPS_MODE=0", "GNUTLS_SKIP_FIPS_INTEGRITY_CHECKS=" };

    internal static readonly string[] UbuntuFipsMetaPackages = { "ubuntu-fips", "ubuntu-aws-fips", "ubuntu-azure-fips", "ubuntu-gcp-fips" };

    internal const string NotOffline = " Not applicable to an offline image.";
    internal const string OfflineBoots = " Offline, the boot entries must carry fips=1 instead (LNX-FIPS-04).";

    public static IReadOnlyList<CheckDefinition<NodeCheckInput>> All { get; } = new CheckDefinition<NodeCheckInput>[]
    {
        new("LNX-FIPS-01", "Kernel FIPS mode flag", CheckScope.Mode, "CaC enable_fips_mode, sysctl_crypto_fips_enabled; docs.kernel.org sysctl/crypto", KernelFlag)
        {
            Judges = $"{FipsEnabled} reads 1. Absent (a kernel without FIPS support) or 0 fails; unreadable is Error." + NotOffline,
            Reads = $"{FipsEnabled}; {FipsName} and {FipsVersion} as evidence",
        },
        new("LNX-FIPS-02", "Kernel booted with fips=1", CheckScope.Mode, "dracut 11fips fips-boot.sh, fips.sh", BootLine)
        {
            Judges = "The running kernel's command line has fips=1 as its last fips token (a bare 'fips', which dracut refuses, fails) and no rd.fips.skipkernel." + NotOffline,
            Reads = Cmdline,
        },
        new("LNX-FIPS-03", "boot= given for a separate /boot", CheckScope.Configuration, "fips-mode-setup; dracut 11fips mount_boot", SeparateBoot)
        {
            Judges = "When /boot is a separate filesystem (by the mount table or by device numbers), the kernel command line has a boot= token: without it dracut cannot verify the kernel HMAC. "
                + "Not applicable when /boot is on the root filesystem, in a container, or to an offline image; Unknown when the mounts cannot be read.",
            Reads = $"{MountInfo}, the device numbers of / and /boot (stat), {Cmdline}",
        },
        new("LNX-FIPS-04", "Bootloader keeps fips=1 on the next boot", CheckScope.Configuration,
            "CaC grub2_enable_fips_mode, enable_fips_mode; grub2 10_linux (RHEL 8 kernelopts from GRUB_CMDLINE_LINUX; RHEL 9.3+ grub2-mkconfig --update-bls-cmdline); fips-mode-setup (grubby --update-kernel=ALL --args=fips=1)",
            PersistentBootEntries)
        {
            Judges = "fips=1 persists for the next boot: a bootc kargs file carries \"fips=1\"; else every BLS boot entry's options line has fips=1 (RHEL 9+ and non-RHEL systems); "
                + "else, on RHEL 8, grubenv's kernelopts; else a GRUB_CMDLINE_LINUX line. "
                + "RHEL 8: grub2-mkconfig rebuilds kernelopts from GRUB_CMDLINE_LINUX, so fips=1 in grubenv but not in /etc/default/grub fails (the next grub2-mkconfig drops it; Warning without /etc/default/grub). "
                + "RHEL 9+: grub2-mkconfig rewrites BLS options only with --update-bls-cmdline (always on 9.0-9.2), so entries with fips=1 and a GRUB_CMDLINE_LINUX without it is a Warning. "
                + "Unknown when no bootloader configuration is found; not applicable in a container.",
            Reads = $"{BootcKargs}/*.toml, {LoaderEntries}/*.conf, {GrubEnv}, {DefaultGrub}, {DefaultGrubD}/*.cfg",
        },
        new("LNX-FIPS-05", "Kernel HMAC file present", CheckScope.Configuration, "dracut 11fips fips.sh do_fips", KernelHmac)
        {
            Judges = $"{Boot}/.vmlinuz-<running kernel>.hmac exists (any .vmlinuz-*.hmac when the kernel release is unknown). Not applicable in a container.",
            Reads = $"the {Boot}/.vmlinuz-*.hmac files, uname -r",
        },
        new("LNX-FIPS-06", "dracut fips module in the initramfs", CheckScope.Configuration,
            "fips-mode-setup and fips-finish-install (crypto-policies: 40-fips.conf, dracut -f); dracut modules.d/01fips/module-setup.sh check() (RHEL 8-9: return 255, only when asked; RHEL 10: return 0, by default); CaC enable_dracut_fips_module",
            DracutModule)
        {
            Judges = "The fips module is in the running initramfs (lsinitrd -m). Where lsinitrd cannot tell, the dracut configuration decides: add_dracutmodules+=\" fips \" in dracut.conf or any "
                + "dracut.conf.d file (/etc or /usr/lib, every name, not only 40-fips.conf) passes and omit_dracutmodules naming fips fails. Without either: RHEL 10+ passes (its dracut includes the module by default); "
                + "RHEL 9 is a Warning (its dracut includes the module only when asked, so the next rebuild leaves it out, but whether the current initramfs has it cannot be read "
                + "from files); RHEL 8 and other dracut systems fail. Sources: 01fips/module-setup.sh of RHEL's dracut branches, dracut.sh, fips-mode-setup and fips-finish-install. Not applicable to a node that does not build its initramfs with dracut.",
            Reads = $"lsinitrd -m; {DracutConf}, {DracutConfD}/*.conf, {DracutLibConfD}/*.conf",
        },
        new("LNX-FIPS-07", "/etc/system-fips present (RHEL 7-8)", CheckScope.Configuration, "CaC etc_system_fips_exists", SystemFipsFile)
        {
            Judges = $"{SystemFips} exists on RHEL-family 7 and 8. Not applicable to other releases and distributions.",
            Reads = $"{SystemFips}, {OsRelease}",
        },
        new("LNX-FIPS-08", "System crypto policy is FIPS", CheckScope.Configuration, "CaC configure_crypto_policy, fips_crypto_subpolicy", CryptoPolicyConfigured)
        {
            Judges = $"The configured system-wide crypto policy is FIPS, with restricting sub-policies only ({string.Join(", ", RestrictingSubPolicies)}). "
                + $"A relaxing sub-policy ({string.Join(", ", RelaxingSubPolicies)}) fails; an unknown one is a Warning. Not applicable to a node without system-wide crypto policies.",
            Reads = CryptoPolicyConfig,
        },
        new("LNX-FIPS-09", "Configured crypto policy is applied", CheckScope.Configuration, "CaC configure_crypto_policy; update-crypto-policies --is-applied", CryptoPolicyApplied)
        {
            Judges = "The configured policy is the applied one: state/current equals config, config is not newer than state/current, and back-ends/nss.config exists; "
                + "or the boot-time fips-crypto-policy-overlay bind mount is active (a pass; the on-disk config then differs). Not applicable without system-wide crypto policies.",
            Reads = $"{CryptoPolicyConfig} and {CryptoPolicyCurrent} (content and mtime), {CryptoPolicyBackEnds}/nss.config, {MountInfo}",
        },
        new("LNX-FIPS-10", "Crypto policy back-ends point to the FIPS policy", CheckScope.Configuration,
            "CaC fips_crypto_policy_symlinks; crypto-policies update-crypto-policies.py save_config (links only to an existing /usr/share/crypto-policies/<policy>/, else regular files) and apply_policy (back-ends, then state/current, then state/CURRENT.pol)",
            CryptoPolicyBackEndLinks)
        {
            Judges = $"Every back-end ({string.Join(", ", CryptoPolicyBackEndNames)}) is generated from the FIPS policy. A link must point to /usr/share/crypto-policies/FIPS/<name>.txt. "
                + "update-crypto-policies writes links only when a pre-built policy directory exists; for a policy with sub-policies (FIPS:OSPP) or local.d additions it writes regular files, "
                + "which pass when state/current names a FIPS-based policy, state/CURRENT.pol dumps that same policy, and no file is newer than state/current (edited after the policy was applied); "
                + "unreadable modification times are a Warning. No back-end at all fails. The remediation re-applies the configured FIPS policy with its sub-policies. "
                + "Not applicable without system-wide crypto policies.",
            Reads = $"the link targets, or the mtimes, of {CryptoPolicyBackEnds}/<name>.config; {CryptoPolicyCurrent} and {CryptoPolicyDump} (content and mtime), {CryptoPolicyConfig}",
        },
        new("LNX-FIPS-11", "FIPS signals are consistent", CheckScope.Mode, "fips-mode-setup --check", Consistency)
        {
            Judges = "fips-mode-setup --check's rule: the kernel flag, the initramfs fips module (when lsinitrd can tell) and the applied base policy agree. "
                + "Consistently off passes here (the other checks report that FIPS is off); a mixture fails." + NotOffline,
            Reads = $"{FipsEnabled}, lsinitrd -m, {CryptoPolicyCurrent}",
        },
        new("LNX-SSL-01", "OpenSSL 3 FIPS provider active by default", CheckScope.Mode, "openssl fips_module(7), fips_config(5)", OpenSsl3Provider)
        {
            Judges = "OpenSSL 3 on a running node: 'openssl list -providers' shows an active fips provider and 'openssl md5' is refused (non-FIPS algorithms do not serve by default). "
                + "Offline or without the openssl command: fips.so is installed and openssl.cnf activates fips with default_properties = fips=yes (or only fips and base), "
                + "or the distribution loads its provider itself (RHEL 9+, openssl-fips-module-3) and the node runs (or boots) in FIPS mode. "
                + "Not applicable without OpenSSL or with OpenSSL 1.x (LNX-SSL-02); Unknown when 1.x cannot be told from 3.x.",
            Reads = $"openssl version -a, openssl list -providers, openssl md5 </dev/null; {string.Join(", ", OpenSslConfigs)} and their includes; "
                + $"fips.so in {string.Join(", ", OpenSslModuleDirs)}; the installed packages",
        },
        new("LNX-SSL-02", "OpenSSL 1.x in FIPS mode", CheckScope.Mode, "RHEL OpenSSL README.FIPS", OpenSsl1Fips)
        {
            Judges = "OpenSSL 1.x: 'openssl version' names a -fips build and 'openssl md5' is refused. Unknown offline or without the openssl command (the FIPS state of 1.x can only be seen "
                + "on a running node). Not applicable without OpenSSL or with OpenSSL 3 (LNX-SSL-01).",
            Reads = "openssl version -a, openssl md5 </dev/null, the installed packages",
        },
        new("LNX-GCRY-01", "libgcrypt enters FIPS mode", CheckScope.Mode, "libgcrypt manual 'Enabling FIPS mode'; src/fips.c", Libgcrypt)
        {
            Judges = $"libgcrypt enters FIPS mode: {GcryptFipsFile} exists and is not 0, or the kernel flag is 1." + OfflineBoots + " Not applicable when libgcrypt is not installed.",
            Reads = $"{GcryptFipsFile}, {FipsEnabled}, the installed packages",
        },
        new("LNX-GNUTLS-01", "GnuTLS FIPS mode not overridden", CheckScope.Mode, "GnuTLS manual, FIPS140-2 mode", Gnutls)
        {
            Judges = $"No {string.Join(" or ", GnutlsOverrides.Select(o => o.TrimEnd('=')))} in the environment, and the kernel flag is 1." + OfflineBoots
                + " Not applicable when GnuTLS is not installed.",
            Reads = $"{EtcEnvironment}, {InitEnviron}, the probe session's environment (export -p), {FipsEnabled}, the installed packages",
        },
        new("UBU-FIPS-01", "Ubuntu Pro FIPS service enabled", CheckScope.Provenance, "ubuntu-pro-client uaclient/entitlements/fips.py", UbuntuProService)
        {
            Judges = "Ubuntu Pro's status has the fips or fips-updates service enabled and, on a running node, the kernel flag is 1 and the running kernel is a -fips kernel "
                + "(otherwise a reboot to the FIPS kernel is pending). Not applicable to other distributions.",
            Reads = $"{UbuntuAdvantageStatus}, {FipsEnabled}, uname -r",
        },
        new("UBU-FIPS-02", "Ubuntu FIPS kernel and packages", CheckScope.Provenance, "ubuntu-pro-client fips.py package list", UbuntuFipsPackages)
        {
            Judges = $"A FIPS meta-package ({string.Join(", ", UbuntuFipsMetaPackages)}) is installed, and on 22.04+ also openssl-fips-module-3. "
                + "Unknown when the package database cannot be read; not applicable to other distributions.",
            Reads = $"the installed packages (dpkg-query on a running node, {DpkgStatus} under -Root)",
        },
        new("OS-PROV-01", "Operating system ships FIPS-validated modules", CheckScope.Provenance, "CaC installed_OS_is_FIPS_certified; CMVP", OsProvenance)
        {
            Judges = "The release ships FIPS 140-3 validated modules: RHEL family (RHEL, CentOS, Rocky, AlmaLinux, Oracle Linux, RHCOS) 8 to 10, SLES 15 and 16, Ubuntu 22.04 and 24.04. "
                + "Releases with FIPS 140-2 modules only (RHEL family 7, Ubuntu 16.04, 18.04 and 20.04, SLES 12) fail under a FIPS 140-3 profile; under FIPS-140-2 they pass until "
                + $"{CommonNodeChecks.Fips1402Sunset:yyyy-MM-dd} and are a Warning after it. Any other release fails; Unknown without os-release.",
            Reads = OsRelease,
        },
        new("NODE-CTR-01", "Probe runs on the host, not in a container", CheckScope.Mode, "microsoft/go FIPS README; MITRE RHEL 9 STIG SV-258230", ContainerScope)
        {
            Judges = "Informational: whether the probe ran in a container, where the kernel flag and boot line shown are the host's while OpenSSL and the libraries are the container's."
                + NotOffline,
            Reads = $"{DockerEnv}, {ContainerEnv}, {InitCgroup}",
        },
    };

    internal static CheckEvidence Ev(NodeFacts facts, string path)
    {
        var file = facts.File(path);
        return file switch
        {
            null or { State: FileFactState.Absent } => new CheckEvidence(path, null),
            { State: FileFactState.Unreadable } => new CheckEvidence(path, "(unreadable)"),
            _ => new CheckEvidence(path, Excerpt(file.Content)),
        };
    }

    internal static CheckEvidence Ev(CommandFact? command, string commandLine) =>
        new(commandLine, command is null || !command.Available ? null : $"exit {command.ExitCode}: {Excerpt(command.Output)}");

    internal static string Excerpt(string text, int max = 400)
    {
        var trimmed = text.AsSpan().Trim();
        return trimmed.Length > max ? string.Concat(trimmed[..max], "…") : trimmed.Length == text.Length ? text : trimmed.ToString();
    }

    /// <summary>
    /// <see cref="Excerpt(string, int)"/> of a file's UTF-8 content, decoding only its head when that already decides
    /// the excerpt (a fleet scan takes excerpts of every node's openssl.cnf).
    /// </summary>
    internal static string Excerpt(ReadOnlySpan<byte> utf8, int max = 400)
    {
        var headBytes = (max + 64) * 4;
        if (utf8.Length > headBytes)
        {
            var head = System.Text.Encoding.UTF8.GetString(utf8[..headBytes]).AsSpan().TrimStart();
            // Text past the cut, short of the last character (the cut may split one): the whole text is longer too.
            if (head.Length > max + 1 && !head[max..^1].IsWhiteSpace())
            {
                return string.Concat(head[..max], "…");
            }
        }
        return Excerpt(System.Text.Encoding.UTF8.GetString(utf8), max);
    }
}
