using System.Text.RegularExpressions;
using static FipsCluster.Core.Compliance.CheckResults;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;
using static FipsCluster.Core.Compliance.Node.LinuxNodeChecks;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>The Linux checks that FIPS mode is on and stays on: the kernel flag, the boot line and the boot entries it comes from, the kernel HMAC and dracut's fips module in the initramfs, and whether those signals agree (catalogued in <see cref="LinuxNodeChecks"/>).</summary>
internal static partial class LinuxFipsModeChecks
{
    internal const string EnableFips = "Enable FIPS mode (RHEL 8/9: 'fips-mode-setup --enable'; RHEL 10: install with fips=1; Ubuntu: 'pro enable fips-updates') and reboot.";

    internal static CheckOutcome KernelFlag(NodeCheckInput input)
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

    internal static CheckOutcome BootLine(NodeCheckInput input)
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

    internal static CheckOutcome SeparateBoot(NodeCheckInput input)
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
    internal static partial Regex FipsToken();

    internal static CheckOutcome PersistentBootEntries(NodeCheckInput input)
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

    internal const string GrubDefaultRemediation =
        "Add fips=1 (and boot=UUID=<uuid of /boot> when /boot is separate) to GRUB_CMDLINE_LINUX in /etc/default/grub, the line grub2-mkconfig rebuilds the kernel options from.";

    /// <summary>True when /etc/default/grub exists and no GRUB_CMDLINE_LINUX[_DEFAULT] assignment in it carries fips=1.</summary>
    internal static bool GrubCmdlineLacksFips(NodeFacts f, out string lines)
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

    internal static IEnumerable<string> OptionsLines(string entry) =>
        entry.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("options", StringComparison.Ordinal) && (l.Length == 7 || char.IsWhiteSpace(l[7])));

    internal static CheckOutcome KernelHmac(NodeCheckInput input)
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
    internal static (bool Added, bool Omitted) DracutConfigFips(NodeFacts f, out CheckEvidence[] evidence)
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
    internal static partial Regex DracutModulesAssignment();

    internal const string DracutFipsRemediation =
        "Write add_dracutmodules+=\" fips \" to /etc/dracut.conf.d/40-fips.conf and rebuild the initramfs ('dracut -f'); 'fips-mode-setup --enable' does both through fips-finish-install.";

    internal static CheckOutcome DracutModule(NodeCheckInput input)
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

    internal static CheckOutcome Consistency(NodeCheckInput input)
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
}
