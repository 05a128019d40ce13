using System.Text.RegularExpressions;
using static FipsCluster.Core.Compliance.CheckResults;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// The Linux node checks: pure functions of <see cref="NodeFacts"/>. Ids, detection and pass conditions follow the
/// upstream rules each entry's Reference names (ComplianceAsCode, dracut, fips-mode-setup, the OpenSSL and library
/// manuals); what each judges and reads is said here once and published as about_FipsCluster_Checks.
/// </summary>
public static partial class LinuxNodeChecks
{
    // Declared before All: static initializers run in textual order, and All's descriptions read these lists.
    /// <summary>Sub-policies that only restrict FIPS (CaC fips_crypto_subpolicy).</summary>
    private static readonly string[] RestrictingSubPolicies = { "OSPP", "STIG", "NO-SHA1", "NO-CAMELLIA", "ECDHE-ONLY" };

    /// <summary>Sub-policies known to relax FIPS.</summary>
    private static readonly string[] RelaxingSubPolicies = { "NO-ENFORCE-EMS", "SHA1", "AD-SUPPORT", "AD-SUPPORT-LEGACY" };

    private static readonly string[] GnutlsOverrides = { "GNUTLS_FORCE_FIPS_MODE=0", "GNUTLS_SKIP_FIPS_INTEGRITY_CHECKS=" };

    private static readonly string[] UbuntuFipsMetaPackages = { "ubuntu-fips", "ubuntu-aws-fips", "ubuntu-azure-fips", "ubuntu-gcp-fips" };

    private const string NotOffline = " Not applicable to an offline image.";
    private const string OfflineBoots = " Offline, the boot entries must carry fips=1 instead (LNX-FIPS-04).";

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

    private static CheckEvidence Ev(NodeFacts facts, string path)
    {
        var file = facts.File(path);
        return file switch
        {
            null or { State: FileFactState.Absent } => new CheckEvidence(path, null),
            { State: FileFactState.Unreadable } => new CheckEvidence(path, "(unreadable)"),
            _ => new CheckEvidence(path, Excerpt(file.Text)),
        };
    }

    private static CheckEvidence Ev(CommandFact? command, string commandLine) =>
        new(commandLine, command is null || !command.Available ? null : $"exit {command.ExitCode}: {Excerpt(command.Output)}");

    internal static string Excerpt(string text, int max = 400)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= max ? trimmed : trimmed[..max] + "…";
    }

    private const string EnableFips = "Enable FIPS mode (RHEL 8/9: 'fips-mode-setup --enable'; RHEL 10: install with fips=1; Ubuntu: 'pro enable fips-updates') and reboot.";

    private static CheckOutcome KernelFlag(NodeCheckInput input)
    {
        var f = input.Facts;
        if (f.Offline)
        {
            return CheckOutcome.NotApplicable("offline image: no running kernel (the boot checks decide)");
        }
        var file = f.File(FipsEnabled);
        var evidence = new[] { Ev(f, FipsEnabled), Ev(f, FipsName), Ev(f, FipsVersion) };
        return file switch
        {
            null or { State: FileFactState.Absent } => Outcome(CheckStatus.Fail, "1", "absent: the kernel has no FIPS support (CONFIG_CRYPTO_FIPS)", EnableFips, evidence),
            { State: FileFactState.Unreadable } => Outcome(CheckStatus.Error, "1", "unreadable", "Run the probe as a user that can read " + FipsEnabled + ".", evidence),
            _ => file.Text.Trim() switch
            {
                "1" => Outcome(CheckStatus.Pass, "1", "1", "", evidence),
                "0" => Outcome(CheckStatus.Fail, "1", "0", EnableFips, evidence),
                var other => Outcome(CheckStatus.Unknown, "1", Excerpt(other, 40), "", evidence),
            },
        };
    }

    private static CheckOutcome BootLine(NodeCheckInput input)
    {
        var f = input.Facts;
        if (f.Offline)
        {
            return CheckOutcome.NotApplicable("offline image: not booted (LNX-FIPS-04 checks the boot entries)");
        }
        var evidence = Ev(f, Cmdline);
        if (!f.Exists(Cmdline))
        {
            return Outcome(CheckStatus.Error, "fips=1", "/proc/cmdline could not be read", "", evidence);
        }
        var tokens = input.KernelTokens;
        var fips = tokens.LastOrDefault(t => t.StartsWith("fips=", StringComparison.Ordinal) || t == "fips");
        var skip = tokens.Contains("rd.fips.skipkernel");
        if (fips == "fips=1" && !skip)
        {
            return Outcome(CheckStatus.Pass, "fips=1", "fips=1", "", evidence);
        }
        var actual = skip ? "rd.fips.skipkernel: the kernel integrity check is skipped"
            : fips == "fips" ? "'fips' without '=1' (dracut refuses it)"
            : fips is null ? "no fips= token" : fips;
        return Outcome(CheckStatus.Fail, "fips=1 (and no rd.fips.skipkernel)", actual, EnableFips, evidence);
    }

    private static CheckOutcome SeparateBoot(NodeCheckInput input)
    {
        var f = input.Facts;
        if (f.Offline)
        {
            return CheckOutcome.NotApplicable("offline image: mounts unknown");
        }
        if (input.Container is not null)
        {
            return CheckOutcome.NotApplicable($"in a {input.Container} container: the host's boot configuration applies");
        }
        // findmnt's evidence: the mount table says whether /boot is its own filesystem; stat devices are the fallback.
        var mounts = MountTable.Parse(f.Text(MountInfo));
        var rootMount = mounts.LastOrDefault(m => m.MountPoint == "/");
        var bootMount = mounts.LastOrDefault(m => m.MountPoint == Boot);
        var rootDevice = f.DirectoryDevice("/");
        var bootDevice = f.DirectoryDevice(Boot);
        if (rootMount is null && (rootDevice is null || bootDevice is null))
        {
            return Outcome(CheckStatus.Unknown, "boot=<device of /boot> when /boot is separate", "the mounts of / and /boot could not be read", "", Ev(f, MountInfo));
        }
        // Either signal of a separate /boot is enough to require boot= (dracut dies at boot otherwise).
        var separateByMount = rootMount is not null && bootMount is not null && bootMount.Device != rootMount.Device;
        var separateByStat = rootDevice is not null && bootDevice is not null && rootDevice != bootDevice;
        var separate = separateByMount || separateByStat;
        var how = separateByMount ? $"/boot: {bootMount!.Source} ({bootMount.Device}), /: {rootMount!.Source} ({rootMount.Device})"
            : rootDevice is not null && bootDevice is not null ? $"stat -c %d / /boot: {rootDevice} {bootDevice}"
            : bootMount is null ? "no /boot mount" : "/boot on the root device";
        if (!separate)
        {
            return CheckOutcome.NotApplicable("/boot is on the root filesystem (" + how + ")");
        }
        var token = input.KernelTokens.FirstOrDefault(t => t.StartsWith("boot=", StringComparison.Ordinal));
        var evidence = new[] { Ev(f, Cmdline), new CheckEvidence(MountInfo, how) };
        return token is not null
            ? Outcome(CheckStatus.Pass, "boot=<device of /boot>", token, "", evidence)
            : Outcome(CheckStatus.Fail, "boot=<device of /boot>", "/boot is a separate filesystem but the kernel line has no boot=",
                "Add boot=UUID=<uuid of /boot> to the kernel command line (fips-mode-setup does this), or dracut cannot verify the kernel HMAC.", evidence);
    }

    [GeneratedRegex(@"(^|\s|"")fips=1(\s|""|$)")]
    private static partial Regex FipsToken();

    private static CheckOutcome PersistentBootEntries(NodeCheckInput input)
    {
        var f = input.Facts;
        if (input.Container is not null)
        {
            return CheckOutcome.NotApplicable($"in a {input.Container} container: the host's bootloader applies");
        }
        var remediation = "Persist fips=1 in the bootloader (RHEL: 'grubby --update-kernel=ALL --args=fips=1'; Debian/Ubuntu: GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub).";
        var bootc = f.FilesIn(BootcKargs, ".toml").Where(t => t.Text.Contains("\"fips=1\"", StringComparison.Ordinal)).ToList();
        if (bootc.Count > 0)
        {
            return Outcome(CheckStatus.Pass, "fips=1 in bootc kargs", "fips=1 in " + bootc[0].Path, "", Ev(f, bootc[0].Path));
        }
        // RHEL 9+ keeps kernel arguments in BLS entries; every entry must carry fips=1 (CaC check="all").
        var entries = f.FilesIn(LoaderEntries, ".conf").ToList();
        if (entries.Count > 0 && (!input.IsRhelFamily || input.Os.MajorVersion >= 9 || input.Os.MajorVersion == 0))
        {
            var missing = entries.Where(e => !OptionsLines(e.Text).Any() || OptionsLines(e.Text).Any(o => !FipsToken().IsMatch(o))).ToList();
            var evidence = entries.Select(e => new CheckEvidence(e.Path, Excerpt(string.Join(" | ", OptionsLines(e.Text))))).ToArray();
            if (missing.Count > 0)
            {
                return Outcome(CheckStatus.Fail, "fips=1 in every boot entry", $"{missing.Count} of {entries.Count} boot entries lack fips=1: {string.Join(", ", missing.Select(m => Path.GetFileName(m.Path)))}", remediation, evidence);
            }
            // RHEL 9: grub2-mkconfig leaves existing BLS options alone unless given --update-bls-cmdline (9.3+; 9.0-9.2 rewrote
            // them on every run), which replaces them with GRUB_CMDLINE_LINUX: fips=1 missing there is lost only then.
            if (input.IsRhelFamily && input.Os.MajorVersion >= 9 && GrubCmdlineLacksFips(f, out var grubLine))
            {
                return Outcome(CheckStatus.Warning, "fips=1 in every boot entry and in GRUB_CMDLINE_LINUX",
                    $"fips=1 in all {entries.Count} boot entries, but not in {DefaultGrub} ({grubLine}): 'grub2-mkconfig --update-bls-cmdline' (and grub2-mkconfig on RHEL 9.0-9.2) "
                    + "rewrites every entry's options from GRUB_CMDLINE_LINUX and would drop fips=1; the next boot still has it",
                    GrubDefaultRemediation, evidence.Append(Ev(f, DefaultGrub)).ToArray());
            }
            return Outcome(CheckStatus.Pass, "fips=1 in every boot entry", $"fips=1 in all {entries.Count} boot entries", "", evidence);
        }
        if (input.IsRhelFamily && input.Os.MajorVersion == 8 && f.File(GrubEnv) is { Exists: true } grubenv)
        {
            var ok = FipsToken().IsMatch(grubenv.Text);
            if (!ok)
            {
                return Outcome(CheckStatus.Fail, "fips=1 in grubenv kernelopts", "grubenv kernelopts lack fips=1", remediation, Ev(f, GrubEnv));
            }
            // RHEL 8's grub2-mkconfig (10_linux) rebuilds kernelopts from GRUB_CMDLINE_LINUX: a fips=1 only in grubenv is
            // dropped by the next grub2-mkconfig run, and the boot after it is not in FIPS mode (CaC checks both files on RHEL 8).
            if (!f.Exists(DefaultGrub))
            {
                return Outcome(CheckStatus.Warning, "fips=1 in grubenv kernelopts and in GRUB_CMDLINE_LINUX",
                    $"fips=1 in {GrubEnv}, but there is no {DefaultGrub}: the next grub2-mkconfig rebuilds kernelopts without it", GrubDefaultRemediation, Ev(f, GrubEnv), Ev(f, DefaultGrub));
            }
            if (GrubCmdlineLacksFips(f, out var grubLine))
            {
                return Outcome(CheckStatus.Fail, "fips=1 in grubenv kernelopts and in GRUB_CMDLINE_LINUX",
                    $"fips=1 in {GrubEnv} only: {DefaultGrub} lacks it ({grubLine}), so the next grub2-mkconfig rebuilds kernelopts without fips=1 and the boot after it is not in FIPS mode",
                    GrubDefaultRemediation, Ev(f, GrubEnv), Ev(f, DefaultGrub));
            }
            return Outcome(CheckStatus.Pass, "fips=1 in grubenv kernelopts and in GRUB_CMDLINE_LINUX", $"fips=1 in {GrubEnv} and in {DefaultGrub}", "", Ev(f, GrubEnv), Ev(f, DefaultGrub));
        }
        var grubFiles = new[] { f.File(DefaultGrub) }.Concat(f.FilesIn(DefaultGrubD, ".cfg")).Where(x => x is { Exists: true }).Select(x => x!).ToList();
        if (grubFiles.Count == 0)
        {
            return Outcome(CheckStatus.Unknown, "fips=1 in the bootloader configuration", "no bootloader configuration found (grubenv, loader entries, /etc/default/grub, bootc kargs)", remediation, Ev(f, DefaultGrub));
        }
        var lines = grubFiles.SelectMany(g => g.Text.Split('\n').Select(l => (g.Path, Line: l.Trim())))
            .Where(x => x.Line.StartsWith("GRUB_CMDLINE_LINUX", StringComparison.Ordinal)).ToList();
        var withFips = lines.FirstOrDefault(x => FipsToken().IsMatch(x.Line));
        var grubEvidence = grubFiles.Select(g => new CheckEvidence(g.Path, Excerpt(string.Join(" | ", g.Text.Split('\n').Where(l => l.TrimStart().StartsWith("GRUB_CMDLINE_LINUX", StringComparison.Ordinal)))))).ToArray();
        return withFips.Line is not null
            ? Outcome(CheckStatus.Pass, "fips=1 in GRUB_CMDLINE_LINUX", $"fips=1 in {withFips.Path}", "", grubEvidence)
            : Outcome(CheckStatus.Fail, "fips=1 in GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX lacks fips=1", remediation, grubEvidence);
    }

    private const string GrubDefaultRemediation =
        "Add fips=1 (and boot=UUID=<uuid of /boot> when /boot is separate) to GRUB_CMDLINE_LINUX in /etc/default/grub, the line grub2-mkconfig rebuilds the kernel options from.";

    /// <summary>True when /etc/default/grub exists and no GRUB_CMDLINE_LINUX[_DEFAULT] assignment in it carries fips=1.</summary>
    private static bool GrubCmdlineLacksFips(NodeFacts f, out string lines)
    {
        lines = "";
        if (f.Text(DefaultGrub) is not { } text)
        {
            return false;
        }
        var assignments = text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("GRUB_CMDLINE_LINUX", StringComparison.Ordinal)).ToList();
        lines = assignments.Count == 0 ? "no GRUB_CMDLINE_LINUX" : Excerpt(string.Join(" | ", assignments), 200);
        return !assignments.Any(l => FipsToken().IsMatch(l));
    }

    private static IEnumerable<string> OptionsLines(string entry) =>
        entry.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("options", StringComparison.Ordinal) && (l.Length == 7 || char.IsWhiteSpace(l[7])));

    private static CheckOutcome KernelHmac(NodeCheckInput input)
    {
        var f = input.Facts;
        if (input.Container is not null)
        {
            return CheckOutcome.NotApplicable($"in a {input.Container} container: the host's kernel applies");
        }
        var hmacs = f.FilesIn(Boot, ".hmac").Where(h => Path.GetFileName(h.Path).StartsWith(".vmlinuz-", StringComparison.Ordinal)).ToList();
        var kernel = input.Os.Kernel;
        var expected = kernel.Length > 0 ? $"{Boot}/.vmlinuz-{kernel}.hmac" : $"{Boot}/.vmlinuz-<kernel>.hmac";
        var found = kernel.Length > 0 ? hmacs.FirstOrDefault(h => h.Path == expected) : hmacs.FirstOrDefault();
        var evidence = hmacs.Select(h => new CheckEvidence(h.Path, Excerpt(h.Text, 80))).DefaultIfEmpty(new CheckEvidence(expected, null)).ToArray();
        return found is not null
            ? Outcome(CheckStatus.Pass, expected, found.Path, "", evidence)
            : Outcome(CheckStatus.Fail, expected, "no kernel HMAC file", "Install the kernel's HMAC file (it ships with the distribution's FIPS kernel package).", evidence);
    }

    /// <summary>
    /// What dracut's configuration says of the fips module. dracut.sh (RHEL 9's dracut 057) sources /etc/dracut.conf,
    /// then every *.conf of /etc/dracut.conf.d and /usr/lib/dracut/dracut.conf.d in name order, a name in /etc
    /// replacing the same name in /usr/lib (dropindirs_sort): every file counts, not only 40-fips.conf.
    /// </summary>
    private static (bool Added, bool Omitted) DracutConfigFips(NodeFacts f, out CheckEvidence[] evidence)
    {
        var etc = f.FilesIn(DracutConfD, ".conf").ToList();
        var etcNames = etc.Select(c => Path.GetFileName(c.Path)).ToHashSet(StringComparer.Ordinal);
        var main = f.File(DracutConf) is { Exists: true } mainConf ? new[] { mainConf } : Array.Empty<FileFact>();
        var configs = main.Concat(f.FilesIn(DracutLibConfD, ".conf").Where(c => !etcNames.Contains(Path.GetFileName(c.Path))).Concat(etc)
            .OrderBy(c => Path.GetFileName(c.Path), StringComparer.Ordinal)).ToList();
        evidence = configs.Select(c => new CheckEvidence(c.Path, Excerpt(c.Text, 200))).ToArray();
        bool Names(string key) => configs.Any(c => c.Text.Split('\n').Any(l => DracutModulesAssignment().Match(l) is { Success: true } m
            && m.Groups[1].Value == key && m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("fips")));
        return (Names("add_dracutmodules"), Names("omit_dracutmodules"));
    }

    [GeneratedRegex(@"^\s*(add_dracutmodules|omit_dracutmodules)\+?=\s*""([^""]*)""\s*(?:#.*)?$")]
    private static partial Regex DracutModulesAssignment();

    private const string DracutFipsRemediation =
        "Write add_dracutmodules+=\" fips \" to /etc/dracut.conf.d/40-fips.conf and rebuild the initramfs ('dracut -f'); 'fips-mode-setup --enable' does both through fips-finish-install.";

    private static CheckOutcome DracutModule(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!input.IsRhelFamily && !f.DirectoryExists(DracutConfD))
        {
            return CheckOutcome.NotApplicable("the node does not build its initramfs with dracut");
        }
        var lsinitrd = f.Command("lsinitrd");
        if (lsinitrd is { Available: true, ExitCode: 0 })
        {
            var present = lsinitrd.Output.Split('\n').Any(l => l.Trim() == "fips");
            return Outcome(present ? CheckStatus.Pass : CheckStatus.Fail, "fips module in the running initramfs", present ? "fips module present" : "fips module absent",
                "Rebuild the initramfs with the fips module: 'fips-mode-setup --enable' or add_dracutmodules+=\" fips \" and 'dracut -f'.", Ev(lsinitrd, "lsinitrd -m"));
        }
        var (configured, omitted) = DracutConfigFips(f, out var evidence);
        const string Expected = "add_dracutmodules+=\" fips \" in dracut.conf.d";
        if (omitted)
        {
            return Outcome(CheckStatus.Fail, Expected, "omit_dracutmodules names fips: dracut leaves the module out", DracutFipsRemediation, evidence);
        }
        if (configured)
        {
            return Outcome(CheckStatus.Pass, Expected, "configured", "", evidence);
        }
        // Sources read for this decision (public): dracut's modules.d/01fips/module-setup.sh on the RHEL branches
        // (redhat-plumbers/dracut-rhel8 and dracut-rhel9: check() { return 255; }, i.e. "include only when asked";
        // dracut-rhel10: check() { return 0; }, included by default); dracut.sh selects modules by check() plus
        // add_dracutmodules / -a and adds nothing for a kernel running with fips=1; crypto-policies' fips-mode-setup
        // --enable runs fips-finish-install --complete when 'lsinitrd -m' lacks fips, which writes
        // /etc/dracut.conf.d/40-fips.conf (add_dracutmodules+=" fips ") and runs 'dracut -f --regenerate-all'.
        if (input.IsRhelFamily && input.Os.MajorVersion >= 10)
        {
            // RHEL 10's dracut modules.d/01fips/module-setup.sh: check() { return 0; } — the module is included by default.
            return Outcome(CheckStatus.Pass, Expected, $"RHEL {input.Os.MajorVersion}: dracut's 01fips check() returns 0, so every initramfs includes the module unless omitted", "", evidence);
        }
        if (input.IsRhelFamily && input.Os.MajorVersion == 9)
        {
            // RHEL 9's dracut modules.d/01fips/module-setup.sh: check() { return 255; } — included only when asked
            // (add_dracutmodules or dracut -a fips); fips-mode-setup --enable asks through fips-finish-install's 40-fips.conf.
            // Whether the initramfs on disk was built with -a fips cannot be read from files: a Warning, not a verdict.
            return Outcome(CheckStatus.Warning, Expected,
                "RHEL 9: dracut includes the fips module only when asked (01fips check() returns 255) and no dracut.conf.d file adds it: the next initramfs rebuild "
                + "(every kernel update) leaves it out; whether the current initramfs has it cannot be seen from files ('lsinitrd -m' on the running node decides)",
                DracutFipsRemediation, evidence);
        }
        return Outcome(CheckStatus.Fail, Expected, "not configured", DracutFipsRemediation, evidence);
    }

    private static CheckOutcome SystemFipsFile(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!input.IsRhelFamily || input.Os.MajorVersion is < 7 or > 8)
        {
            return CheckOutcome.NotApplicable("/etc/system-fips is only used on RHEL 7 and 8");
        }
        var exists = f.Exists(SystemFips);
        return Outcome(exists ? CheckStatus.Pass : CheckStatus.Fail, "present", exists ? "present" : "absent", "Run 'fips-mode-setup --enable' (it creates /etc/system-fips).", Ev(f, SystemFips));
    }

    private static bool UsesCryptoPolicies(NodeCheckInput input) =>
        input.Facts.Exists(CryptoPolicyConfig) || input.Facts.DirectoryExists(CryptoPolicyBackEnds) || (input.IsRhelFamily && input.Os.MajorVersion >= 8);

    private static CheckOutcome CryptoPolicyConfigured(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!UsesCryptoPolicies(input))
        {
            return CheckOutcome.NotApplicable("the node has no system-wide crypto policies");
        }
        var evidence = Ev(f, CryptoPolicyConfig);
        var remediation = $"Set the FIPS policy: '{SetFipsPolicyCommand(f)}' (fips-mode-setup --enable does this, keeping a FIPS-based policy's sub-policies).";
        if (f.Text(CryptoPolicyConfig) is not { } text)
        {
            return Outcome(CheckStatus.Fail, "FIPS[:OSPP|STIG]", "no /etc/crypto-policies/config", remediation, evidence);
        }
        var policy = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#')) ?? "";
        var parts = policy.Split(':');
        if (parts[0] != "FIPS")
        {
            return Outcome(CheckStatus.Fail, "FIPS[:OSPP|STIG]", policy.Length == 0 ? "(empty)" : policy, remediation, evidence);
        }
        var subs = parts.Skip(1).ToList();
        var relaxing = subs.Where(s => RelaxingSubPolicies.Contains(s)).ToList();
        if (relaxing.Count > 0)
        {
            return Outcome(CheckStatus.Fail, "FIPS with restricting sub-policies only", $"{policy}: {string.Join(", ", relaxing)} relaxes FIPS", remediation, evidence);
        }
        var unknown = subs.Where(s => !RestrictingSubPolicies.Contains(s)).ToList();
        return unknown.Count == 0
            ? Outcome(CheckStatus.Pass, "FIPS[:OSPP|STIG]", policy, "", evidence)
            : Outcome(CheckStatus.Warning, "FIPS with restricting sub-policies only", $"{policy}: review {string.Join(", ", unknown)} (custom sub-policies can relax FIPS)",
                "Make sure the custom sub-policies only restrict, never relax, the FIPS policy.", evidence);
    }

    private static CheckOutcome CryptoPolicyApplied(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!UsesCryptoPolicies(input))
        {
            return CheckOutcome.NotApplicable("the node has no system-wide crypto policies");
        }
        var config = f.File(CryptoPolicyConfig);
        var current = f.File(CryptoPolicyCurrent);
        var evidence = new List<CheckEvidence> { Ev(f, CryptoPolicyConfig), Ev(f, CryptoPolicyCurrent), Ev(f, CryptoPolicyBackEnds + "/nss.config") };
        var mountInfo = f.Text(MountInfo) ?? "";
        if (!f.Offline && mountInfo.Contains("/crypto-policies/default-fips-config", StringComparison.Ordinal))
        {
            evidence.Add(new CheckEvidence(MountInfo, "fips-crypto-policy-overlay bind mount of default-fips-config"));
            return Outcome(CheckStatus.Pass, "configured policy applied", "FIPS policy applied by the boot-time overlay (the on-disk config differs)", "", evidence.ToArray());
        }
        var remediation = $"Apply the configured policy: '{SetFipsPolicyCommand(f)}' and restart services (or reboot).";
        if (config is not { Exists: true } || current is not { Exists: true })
        {
            return Outcome(CheckStatus.Fail, "state/current equals config", "config or state/current missing", remediation, evidence.ToArray());
        }
        var problems = new List<string>();
        if (config.Text.Trim() != current.Text.Trim())
        {
            problems.Add($"applied '{current.Text.Trim()}' differs from configured '{config.Text.Trim()}'");
        }
        if (config.ModifiedUnixSeconds is { } cm && current.ModifiedUnixSeconds is { } sm && cm > sm)
        {
            problems.Add("config is newer than the applied state");
        }
        if (!f.Exists(CryptoPolicyBackEnds + "/nss.config"))
        {
            problems.Add("back-ends/nss.config missing");
        }
        return problems.Count == 0
            ? Outcome(CheckStatus.Pass, "state/current equals config", current.Text.Trim(), "", evidence.ToArray())
            : Outcome(CheckStatus.Fail, "state/current equals config", string.Join("; ", problems), remediation, evidence.ToArray());
    }

    /// <summary>The first non-comment line of a crypto-policies config or state file ("FIPS:OSPP"), upper-cased as update-crypto-policies writes it.</summary>
    private static string? PolicyLine(string? text) =>
        text?.Split('\n').Select(l => l.Split('#', 2)[0].Trim()).FirstOrDefault(l => l.Length > 0)?.ToUpperInvariant();

    /// <summary>
    /// The command that re-applies FIPS without losing what is configured: the configured FIPS-based policy with its
    /// sub-policies (fips-mode-setup --enable preserves a FIPS-based policy the same way), else plain FIPS.
    /// </summary>
    private static string SetFipsPolicyCommand(NodeFacts f)
    {
        var configured = PolicyLine(f.Text(CryptoPolicyConfig));
        var policy = configured is not null && configured.Split(':')[0] == "FIPS" ? configured : "FIPS";
        return $"update-crypto-policies --set {policy}";
    }

    [GeneratedRegex(@"^# Policy (\S+) dump")]
    private static partial Regex PolicyDumpHeader();

    private static CheckOutcome CryptoPolicyBackEndLinks(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!UsesCryptoPolicies(input))
        {
            return CheckOutcome.NotApplicable("the node has no system-wide crypto policies");
        }
        const string Expected = "back-ends generated from the applied FIPS policy";
        var remediation = $"Run '{SetFipsPolicyCommand(f)}' (it regenerates every back-end; a FIPS policy with sub-policies is written as regular files).";
        var applied = PolicyLine(f.Text(CryptoPolicyCurrent));
        var current = f.File(CryptoPolicyCurrent);
        var evidence = new List<CheckEvidence> { Ev(f, CryptoPolicyCurrent) };
        var links = new List<string>();
        var files = new List<FileFact>();
        var wrong = new List<string>();
        foreach (var name in CryptoPolicyBackEndNames)
        {
            var path = $"{CryptoPolicyBackEnds}/{name}.config";
            if (f.LinkTarget(path) is { } target)
            {
                links.Add(name);
                evidence.Add(new CheckEvidence(path, target));
                // A pre-built policy directory: FIPS itself, or (should one ship) the applied FIPS-based policy's own.
                var fipsDir = target == $"/usr/share/crypto-policies/FIPS/{name}.txt"
                    || (applied is not null && applied.Split(':')[0] == "FIPS" && target == $"/usr/share/crypto-policies/{applied}/{name}.txt");
                if (!fipsDir)
                {
                    wrong.Add($"{name} (links to {target})");
                }
            }
            else if (f.File(path) is { Exists: true } file)
            {
                files.Add(file);
                evidence.Add(new CheckEvidence(path, "regular file" + (file.ModifiedUnixSeconds is { } m ? $", mtime {m}" : "")));
            }
        }
        if (links.Count == 0 && files.Count == 0)
        {
            return Outcome(CheckStatus.Fail, Expected, "no back-end files found (neither links nor generated files)", remediation, new CheckEvidence(CryptoPolicyBackEnds, null));
        }
        if (files.Count > 0)
        {
            // Regular files carry no link to say which policy made them: update-crypto-policies writes them, then
            // state/current (the policy name) and state/CURRENT.pol (its dump), so the state files attribute them.
            if (applied is null)
            {
                wrong.Add($"{string.Join(", ", files.Select(x => Path.GetFileNameWithoutExtension(x.Path)))} are regular files but {CryptoPolicyCurrent} is missing: no record of which policy generated them");
            }
            else if (applied.Split(':')[0] != "FIPS")
            {
                wrong.Add($"{string.Join(", ", files.Select(x => Path.GetFileNameWithoutExtension(x.Path)))} were generated for the applied policy {applied}, which is not FIPS-based");
            }
            else
            {
                var stale = current?.ModifiedUnixSeconds is { } appliedAt
                    ? files.Where(x => x.ModifiedUnixSeconds is { } m && m > appliedAt).ToList()
                    : new List<FileFact>();
                if (stale.Count > 0)
                {
                    wrong.Add($"{string.Join(", ", stale.Select(x => Path.GetFileNameWithoutExtension(x.Path)))} modified after {applied} was applied (newer than state/current)");
                }
                evidence.Add(Ev(f, CryptoPolicyDump));
                var dump = f.Text(CryptoPolicyDump) is { } dumpText ? PolicyDumpHeader().Match(dumpText) : null;
                if (dump is { Success: true } && !string.Equals(dump.Groups[1].Value, applied, StringComparison.OrdinalIgnoreCase))
                {
                    wrong.Add($"state/CURRENT.pol dumps {dump.Groups[1].Value} while state/current says {applied}");
                }
            }
        }
        if (wrong.Count > 0)
        {
            return Outcome(CheckStatus.Fail, Expected, "not FIPS: " + string.Join("; ", wrong), remediation, evidence.ToArray());
        }
        var timesKnown = current?.ModifiedUnixSeconds is not null && files.All(x => x.ModifiedUnixSeconds is not null);
        var fresh = timesKnown ? ", none modified since it was applied" : "";
        var form = (links.Count, files.Count) switch
        {
            (> 0, 0) => $"{links.Count} back-ends link to the FIPS policy",
            (0, _) => $"{files.Count} back-ends are files generated for {applied} (a policy with sub-policies, or with local.d additions, has no pre-built directory to link to){fresh}",
            _ => $"{links.Count} back-ends link to the FIPS policy, {files.Count} are files generated for {applied}{fresh}",
        };
        if (files.Count > 0 && !timesKnown)
        {
            return Outcome(CheckStatus.Warning, Expected, form + "; their modification times could not be read, so edits after the policy was applied cannot be ruled out",
                remediation, evidence.ToArray());
        }
        return Outcome(CheckStatus.Pass, Expected, form, "", evidence.ToArray());
    }

    private static CheckOutcome Consistency(NodeCheckInput input)
    {
        var f = input.Facts;
        if (f.Offline)
        {
            return CheckOutcome.NotApplicable("offline image: no running kernel");
        }
        // The three signals of fips-mode-setup --check: kernel flag, initramfs module (when inspectable), base policy.
        var signals = new List<(string Name, bool Positive)>();
        if (input.KernelFipsFlag is { } flag)
        {
            signals.Add(("kernel flag", flag));
        }
        else
        {
            signals.Add(("kernel flag", false));
        }
        if (f.Command("lsinitrd") is { Available: true, ExitCode: 0 } lsinitrd)
        {
            signals.Add(("initramfs fips module", lsinitrd.Output.Split('\n').Any(l => l.Trim() == "fips")));
        }
        if (f.Text(CryptoPolicyCurrent) is { } current)
        {
            signals.Add(("crypto policy", current.Trim().Split(':')[0] == "FIPS"));
        }
        var description = string.Join(", ", signals.Select(s => $"{s.Name} {(s.Positive ? "on" : "off")}"));
        var evidence = new[] { Ev(f, FipsEnabled), Ev(f, CryptoPolicyCurrent) };
        if (signals.All(s => s.Positive))
        {
            return Outcome(CheckStatus.Pass, "no mixture of FIPS signals", description, "", evidence);
        }
        if (signals.All(s => !s.Positive))
        {
            // fips-mode-setup's rule is about agreement; that FIPS is off is what the other checks report.
            return Outcome(CheckStatus.Pass, "no mixture of FIPS signals", "consistently disabled: " + description, "", evidence);
        }
        return Outcome(CheckStatus.Fail, "no mixture of FIPS signals", "inconsistent state: " + description,
            "Finish enabling FIPS mode so that kernel, initramfs and crypto policy agree ('fips-mode-setup --enable', reboot).", evidence);
    }

    /// <summary>The OpenSSL major version: from `openssl version` on a live node, else from the installed packages.</summary>
    private static int? OpenSslMajor(NodeFacts f, out string version)
    {
        version = "";
        if (f.Command("openssl-version") is { Available: true } cmd && OpenSslVersion().Match(cmd.Output) is { Success: true } m)
        {
            version = m.Value;
            return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var (name, major) in new[] { ("libssl3", 3), ("openssl-libs", 0), ("libssl1.1", 1), ("openssl", 0) })
        {
            if (f.Packages.TryGetValue(name, out var v))
            {
                version = $"{name} {v}";
                return major != 0 ? major : (int.TryParse(v.Split('.')[0].Split(':')[^1], out var parsed) ? parsed : null);
            }
        }
        if (OpenSslModuleDirs.Any(d => f.Exists(d + "/fips.so")))
        {
            version = "OpenSSL 3 (fips.so installed)";
            return 3;
        }
        if (OpenSslConfigs.Any(f.Exists))
        {
            // Installed, version not observable (no command, no dpkg database): the distribution release decides.
            var os = NodeOsReader.Read(f);
            int? byRelease = os.Family switch
            {
                "Rhel" when os.MajorVersion is > 0 and <= 8 => 1,
                "Rhel" when os.MajorVersion >= 9 => 3,
                "Ubuntu" when os.MajorVersion is > 0 and < 22 => 1,
                "Ubuntu" when os.MajorVersion >= 22 => 3,
                "Debian" when os.MajorVersion is > 0 and < 12 => 1,
                "Debian" when os.MajorVersion >= 12 => 3,
                _ => null,
            };
            version = byRelease is { } shipped ? $"OpenSSL {shipped}.x (as {os} ships)" : "OpenSSL (version unknown)";
            return byRelease ?? 0;
        }
        return null;
    }

    [GeneratedRegex(@"OpenSSL (\d+)\.\d+\.\d+[a-z]*(-fips)?")]
    private static partial Regex OpenSslVersion();

    private static CheckOutcome OpenSsl3Provider(NodeCheckInput input)
    {
        var f = input.Facts;
        var major = OpenSslMajor(f, out var version);
        if (major is null)
        {
            return CheckOutcome.NotApplicable("OpenSSL is not installed");
        }
        if (major == 0)
        {
            return Outcome(CheckStatus.Unknown, "fips provider active", version + ": cannot tell OpenSSL 1.x from 3.x", "");
        }
        if (major < 3)
        {
            return CheckOutcome.NotApplicable($"{version}: OpenSSL 1.x (LNX-SSL-02 applies)");
        }
        var config = OpenSslConfigReader.Read(f);
        var modules = OpenSslModuleDirs.Select(d => d + "/fips.so").Where(f.Exists).ToList();
        var evidence = new List<CheckEvidence>();
        evidence.AddRange(config.Files.Select(p => Ev(f, p)));
        evidence.Add(new CheckEvidence("fips.so", modules.Count > 0 ? string.Join(", ", modules) : null));
        var remediation = "Activate the FIPS provider: install the distribution's FIPS provider (RHEL: boot with fips=1; Ubuntu: 'pro enable fips-updates'), "
            + "or include fipsmodule.cnf, activate fips and base, and set default_properties = fips=yes in openssl.cnf.";
        var providers = f.Command("openssl-providers");
        if (!f.Offline && providers is { Available: true })
        {
            evidence.Add(Ev(providers, "openssl list -providers"));
            var md5 = f.Command("openssl-md5");
            evidence.Add(Ev(md5, "openssl md5 </dev/null"));
            var fipsActive = OpenSslProviders.FipsActive(providers.Output, out var fipsName);
            var md5Refused = md5 is { Available: true, ExitCode: not 0 };
            if (fipsActive && md5Refused)
            {
                return Outcome(CheckStatus.Pass, "fips provider active; non-FIPS algorithms refused", $"{version}: {fipsName} active; MD5 refused", "", evidence.ToArray());
            }
            if (fipsActive)
            {
                return Outcome(CheckStatus.Fail, "fips provider active; non-FIPS algorithms refused", $"{version}: {fipsName} active, but MD5 still works: non-FIPS providers serve by default",
                    "Set default_properties = fips=yes (or activate only fips and base) in openssl.cnf.", evidence.ToArray());
            }
            return Outcome(CheckStatus.Fail, "fips provider active; non-FIPS algorithms refused", $"{version}: no active fips provider", remediation, evidence.ToArray());
        }
        // Offline (or no openssl binary): judge the configuration and the installed module.
        var autoLoads = (input.IsRhelFamily && input.Os.MajorVersion >= 9) || f.Packages.ContainsKey("openssl-fips-module-3");
        // Runtime beats configuration: a running node auto-loads the provider only when its kernel flag is 1.
        var bootsFips = f.Offline ? BootConfigHasFips(input) : input.KernelFipsFlag == true;
        if (modules.Count == 0)
        {
            return Outcome(CheckStatus.Fail, "fips.so installed and activated", "no FIPS provider module (fips.so) installed", remediation, evidence.ToArray());
        }
        if (config.FipsActivated && config.FipsOnlyByDefault)
        {
            return Outcome(CheckStatus.Pass, "fips.so installed and activated", "openssl.cnf activates fips with " + (config.DefaultPropertiesFips ? "default_properties = fips=yes" : "fips and base only"), "", evidence.ToArray());
        }
        if (autoLoads && bootsFips)
        {
            return Outcome(CheckStatus.Pass, "fips.so installed and activated",
                f.Offline ? "the distribution loads its FIPS provider when booted with fips=1, and the boot entries carry fips=1"
                          : "the distribution loads its FIPS provider because the kernel flag is 1", "", evidence.ToArray());
        }
        return Outcome(CheckStatus.Fail, "fips.so installed and activated",
            config.FipsActivated ? "fips activated, but non-FIPS providers serve by default" : "fips.so installed but not activated", remediation, evidence.ToArray());
    }

    private static bool BootConfigHasFips(NodeCheckInput input) => PersistentBootEntries(input).Status is CheckStatus.Pass;

    private static CheckOutcome OpenSsl1Fips(NodeCheckInput input)
    {
        var f = input.Facts;
        var major = OpenSslMajor(f, out var version);
        if (major is null or >= 3)
        {
            return CheckOutcome.NotApplicable(major is null ? "OpenSSL is not installed" : $"{version}: OpenSSL 3 (LNX-SSL-01 applies)");
        }
        if (major == 0)
        {
            return Outcome(CheckStatus.Unknown, "-fips build in FIPS mode", version + ": cannot tell OpenSSL 1.x from 3.x", "");
        }
        if (f.Offline || f.Command("openssl-version") is not { Available: true } cmd)
        {
            return Outcome(CheckStatus.Unknown, "-fips build in FIPS mode", version + ": the FIPS state of OpenSSL 1.x can only be seen on a running node", "");
        }
        var md5 = f.Command("openssl-md5");
        var fipsBuild = cmd.Output.Contains("-fips", StringComparison.Ordinal);
        var refused = md5 is { Available: true, ExitCode: not 0 };
        var evidence = new[] { Ev(cmd, "openssl version -a"), Ev(md5, "openssl md5 </dev/null") };
        return fipsBuild && refused
            ? Outcome(CheckStatus.Pass, "-fips build in FIPS mode", version + ", MD5 refused", "", evidence)
            : Outcome(CheckStatus.Fail, "-fips build in FIPS mode", fipsBuild ? version + ", but MD5 works (not in FIPS mode)" : version + ": not a FIPS-capable build",
                "Use the distribution's FIPS-capable OpenSSL and boot with fips=1.", evidence);
    }

    private static bool Installed(NodeFacts f, params string[] names) => !f.PackagesKnown || names.Any(f.Packages.ContainsKey);

    private static CheckOutcome Libgcrypt(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!Installed(f, "libgcrypt20", "libgcrypt"))
        {
            return CheckOutcome.NotApplicable("libgcrypt is not installed");
        }
        var forced = f.File(GcryptFipsFile) is { Exists: true } forceFile && forceFile.Text.Trim() != "0";
        var evidence = new[] { Ev(f, GcryptFipsFile), Ev(f, FipsEnabled) };
        if (forced)
        {
            return Outcome(CheckStatus.Pass, "kernel flag 1 or /etc/gcrypt/fips_enabled", "forced by " + GcryptFipsFile, "", evidence);
        }
        if (f.Offline)
        {
            var boots = BootConfigHasFips(input);
            return Outcome(boots ? CheckStatus.Pass : CheckStatus.Fail, "kernel flag 1 or /etc/gcrypt/fips_enabled",
                boots ? "follows the kernel flag; the boot entries carry fips=1" : "no fips=1 at boot and no " + GcryptFipsFile, EnableFips, evidence);
        }
        return input.KernelFipsFlag == true
            ? Outcome(CheckStatus.Pass, "kernel flag 1 or /etc/gcrypt/fips_enabled", "follows the kernel flag (1)", "", evidence)
            : Outcome(CheckStatus.Fail, "kernel flag 1 or /etc/gcrypt/fips_enabled", "kernel flag not 1 and no " + GcryptFipsFile, EnableFips, evidence);
    }

    private static CheckOutcome Gnutls(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!Installed(f, "libgnutls30", "gnutls"))
        {
            return CheckOutcome.NotApplicable("GnuTLS is not installed");
        }
        var sources = new List<(string Source, string Text)>();
        if (f.Text(EtcEnvironment) is { } etcEnv)
        {
            sources.Add((EtcEnvironment, etcEnv));
        }
        if (f.Text(InitEnviron) is { } initEnv)
        {
            sources.Add((InitEnviron, initEnv.Replace('\0', '\n')));
        }
        if (f.Command("env") is { Available: true } env)
        {
            sources.Add(("export -p (probe session)", env.Output));
        }
        var overrides = sources.SelectMany(s => s.Text.Split('\n').Select(l => (s.Source, Line: NormalizeAssignment(l)))
                .Where(x => GnutlsOverrides.Any(o => x.Line.StartsWith(o, StringComparison.Ordinal))))
            .ToList();
        var evidence = overrides.Select(o => new CheckEvidence(o.Source, o.Line)).Append(Ev(f, FipsEnabled)).ToArray();
        if (overrides.Count > 0)
        {
            return Outcome(CheckStatus.Fail, "no GnuTLS FIPS overrides; kernel flag 1", "override: " + string.Join(", ", overrides.Select(o => $"{o.Line} ({o.Source})")),
                "Remove GNUTLS_FORCE_FIPS_MODE=0 and GNUTLS_SKIP_FIPS_INTEGRITY_CHECKS from the environment.", evidence);
        }
        if (f.Offline)
        {
            var boots = BootConfigHasFips(input);
            return Outcome(boots ? CheckStatus.Pass : CheckStatus.Fail, "no GnuTLS FIPS overrides; kernel flag 1", boots ? "no overrides; the boot entries carry fips=1" : "no fips=1 at boot", EnableFips, evidence);
        }
        return input.KernelFipsFlag == true
            ? Outcome(CheckStatus.Pass, "no GnuTLS FIPS overrides; kernel flag 1", "no overrides; kernel flag 1", "", evidence)
            : Outcome(CheckStatus.Fail, "no GnuTLS FIPS overrides; kernel flag 1", "no overrides, but the kernel flag is not 1", EnableFips, evidence);
    }

    /// <summary>"export NAME='value'" (export -p), NAME="value" (/etc/environment) and NAME=value all read as NAME=value.</summary>
    private static string NormalizeAssignment(string line)
    {
        var text = line.Trim();
        if (text.StartsWith("export ", StringComparison.Ordinal))
        {
            text = text[7..].TrimStart();
        }
        return text.Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal);
    }

    private static CheckOutcome UbuntuProService(NodeCheckInput input)
    {
        var f = input.Facts;
        if (input.Os.Family != "Ubuntu")
        {
            return CheckOutcome.NotApplicable("not Ubuntu");
        }
        var evidence = new List<CheckEvidence> { Ev(f, UbuntuAdvantageStatus) };
        var remediation = "Attach Ubuntu Pro and enable FIPS: 'pro attach <token>; pro enable fips-updates', then reboot.";
        if (f.Text(UbuntuAdvantageStatus) is not { } json)
        {
            return Outcome(CheckStatus.Fail, "fips or fips-updates service enabled", "no Ubuntu Pro status (not attached)", remediation, evidence.ToArray());
        }
        var services = UbuntuProStatus.EnabledFipsServices(json, out var parsed);
        if (!parsed)
        {
            return Outcome(CheckStatus.Unknown, "fips or fips-updates service enabled", "status.json could not be parsed", "", evidence.ToArray());
        }
        if (services.Count == 0)
        {
            return Outcome(CheckStatus.Fail, "fips or fips-updates service enabled", "no FIPS service enabled", remediation, evidence.ToArray());
        }
        if (!f.Offline && input.KernelFipsFlag != true)
        {
            // The Pro client itself reports DISABLED when the kernel flag is not 1, whatever its cache says.
            evidence.Add(Ev(f, FipsEnabled));
            return Outcome(CheckStatus.Fail, "fips or fips-updates service enabled, FIPS kernel running", $"{string.Join(", ", services)} enabled in status.json, but /proc/sys/crypto/fips_enabled is not 1 (reboot to the FIPS kernel required)", "Reboot into the FIPS kernel.", evidence.ToArray());
        }
        if (!f.Offline && input.Os.Kernel.Length > 0 && !input.Os.Kernel.Contains("-fips", StringComparison.Ordinal))
        {
            evidence.Add(new CheckEvidence("uname -r", input.Os.Kernel));
            return Outcome(CheckStatus.Fail, "fips or fips-updates service enabled, FIPS kernel running", $"{string.Join(", ", services)} enabled, but the running kernel {input.Os.Kernel} is not a FIPS kernel: reboot to FIPS kernel required", "Reboot into the FIPS kernel.", evidence.ToArray());
        }
        return Outcome(CheckStatus.Pass, "fips or fips-updates service enabled", string.Join(", ", services) + " enabled", "", evidence.ToArray());
    }

    private static CheckOutcome UbuntuFipsPackages(NodeCheckInput input)
    {
        var f = input.Facts;
        if (input.Os.Family != "Ubuntu")
        {
            return CheckOutcome.NotApplicable("not Ubuntu");
        }
        if (!f.PackagesKnown)
        {
            return Outcome(CheckStatus.Unknown, "ubuntu-fips meta-package installed", "the package database could not be read", "");
        }
        var meta = UbuntuFipsMetaPackages.Where(f.Packages.ContainsKey).ToList();
        var missing = new List<string>();
        if (meta.Count == 0)
        {
            missing.Add("ubuntu-fips (or a cloud variant)");
        }
        if (input.Os.MajorVersion >= 22 && !f.Packages.ContainsKey("openssl-fips-module-3"))
        {
            missing.Add("openssl-fips-module-3");
        }
        var evidence = LinuxFactCatalog.Packages.Where(f.Packages.ContainsKey).Select(p => new CheckEvidence("package " + p, f.Packages[p])).ToArray();
        return missing.Count == 0
            ? Outcome(CheckStatus.Pass, "ubuntu-fips meta-package installed", string.Join(", ", meta.Concat(f.Packages.ContainsKey("openssl-fips-module-3") ? new[] { "openssl-fips-module-3" } : Array.Empty<string>())), "", evidence)
            : Outcome(CheckStatus.Fail, "ubuntu-fips meta-package installed", "missing: " + string.Join(", ", missing), "Enable FIPS with 'pro enable fips-updates' (installs the FIPS packages).", evidence);
    }

    private static CheckOutcome OsProvenance(NodeCheckInput input)
    {
        var os = input.Os;
        var evidence = new[] { Ev(input.Facts, OsRelease) };
        if (os.Id.Length == 0)
        {
            return Outcome(CheckStatus.Unknown, "an OS with FIPS-validated modules", "no /etc/os-release", "", evidence);
        }
        // Releases whose validated modules are FIPS 140-2 only (no 140-3 validation).
        var only1402 = os.Family switch
        {
            "Rhel" => os.MajorVersion == 7,
            "Ubuntu" => os.VersionId is "16.04" or "18.04" or "20.04",
            "Suse" => os.MajorVersion == 12,
            _ => false,
        };
        var supported = only1402 || os.Family switch
        {
            "Rhel" => os.MajorVersion is >= 8 and <= 10,
            "Ubuntu" => os.VersionId is "22.04" or "24.04",
            "Suse" => os.MajorVersion is 15 or 16,
            _ => false,
        };
        var useOther = "Use RHEL 8+ (or CentOS Stream/Rocky/Alma/Oracle Linux), SLES 15+, or Ubuntu 22.04+ with Pro FIPS for FIPS nodes.";
        if (!supported)
        {
            return Outcome(CheckStatus.Fail, "an OS with FIPS-validated modules", $"{os}: no FIPS-validated cryptographic modules are published for it", useOther, evidence);
        }
        if (!only1402)
        {
            return Outcome(CheckStatus.Pass, "an OS with FIPS-validated modules", $"{os} ({os.Family})", "", evidence);
        }
        var sunsetPassed = DateOnly.FromDateTime(DateTime.UtcNow) >= CommonNodeChecks.Fips1402Sunset;
        var actual = $"{os}: FIPS 140-2 validated modules only" + (sunsetPassed ? $", on the CMVP Historical list since {CommonNodeChecks.Fips1402Sunset:yyyy-MM-dd}" : "");
        if (input.Profile.Standard.Contains("140-2", StringComparison.Ordinal))
        {
            return Outcome(sunsetPassed ? CheckStatus.Warning : CheckStatus.Pass, "an OS with FIPS-validated modules", actual, useOther, evidence);
        }
        return Outcome(CheckStatus.Fail, "an OS with FIPS 140-3 validated modules", actual, useOther, evidence);
    }

    private static CheckOutcome ContainerScope(NodeCheckInput input)
    {
        var evidence = new[] { Ev(input.Facts, DockerEnv), Ev(input.Facts, ContainerEnv), Ev(input.Facts, InitCgroup) };
        if (input.Facts.Offline)
        {
            return CheckOutcome.NotApplicable("offline image");
        }
        return input.Container is { } runtime
            ? new CheckOutcome(CheckStatus.Informational, "the host", $"in a {runtime} container: the kernel flag and boot line shown are the host's; OpenSSL and libraries are the container's", evidence)
            : new CheckOutcome(CheckStatus.Informational, "the host", "the host (no container markers)", evidence);
    }
}
