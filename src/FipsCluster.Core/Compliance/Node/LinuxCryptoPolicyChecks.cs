using System.Text.RegularExpressions;
using static FipsCluster.Core.Compliance.CheckResults;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;
using static FipsCluster.Core.Compliance.Node.LinuxNodeChecks;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>The Linux checks of the system-wide crypto policy: RHEL's /etc/system-fips, the configured and applied policy and its sub-policies, and the back-end links each library reads (catalogued in <see cref="LinuxNodeChecks"/>).</summary>
internal static partial class LinuxCryptoPolicyChecks
{
    internal static bool UsesCryptoPolicies(NodeCheckInput input) =>
        input.Facts.Exists(CryptoPolicyConfig) || input.Facts.DirectoryExists(CryptoPolicyBackEnds) || (input.IsRhelFamily && input.Os.MajorVersion >= 8);

    internal static CheckOutcome SystemFipsFile(NodeCheckInput input)
    {
        var f = input.Facts;
        if (!input.IsRhelFamily || input.Os.MajorVersion is < 7 or > 8)
        {
            return CheckOutcome.NotApplicable("/etc/system-fips is only used on RHEL 7 and 8");
        }
        var exists = f.Exists(SystemFips);
        return Outcome(exists ? CheckStatus.Pass : CheckStatus.Fail, "present", exists ? "present" : "absent", "Run 'fips-mode-setup --enable' (it creates /etc/system-fips).", Ev(f, SystemFips));
    }

    internal static CheckOutcome CryptoPolicyConfigured(NodeCheckInput input)
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

    internal static CheckOutcome CryptoPolicyApplied(NodeCheckInput input)
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
    internal static string? PolicyLine(string? text) =>
        text?.Split('\n').Select(l => l.Split('#', 2)[0].Trim()).FirstOrDefault(l => l.Length > 0)?.ToUpperInvariant();

    /// <summary>
    /// The command that re-applies FIPS without losing what is configured: the configured FIPS-based policy with its
    /// sub-policies (fips-mode-setup --enable preserves a FIPS-based policy the same way), else plain FIPS.
    /// </summary>
    internal static string SetFipsPolicyCommand(NodeFacts f) => $"update-crypto-policies --set {FipsPolicyToApply(f)}";

    /// <summary>The FIPS policy to apply: the configured FIPS-based policy with its sub-policies (as fips-mode-setup --enable keeps it), else FIPS.</summary>
    internal static string FipsPolicyToApply(NodeFacts f)
    {
        var configured = PolicyLine(f.Text(CryptoPolicyConfig));
        return configured is not null && configured.Split(':')[0] == "FIPS" ? configured : "FIPS";
    }

    [GeneratedRegex(@"^# Policy (\S+) dump")]
    internal static partial Regex PolicyDumpHeader();

    internal static CheckOutcome CryptoPolicyBackEndLinks(NodeCheckInput input)
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
}
