using static FipsCluster.Core.Compliance.CheckResults;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;
using static FipsCluster.Core.Compliance.Node.LinuxNodeChecks;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>The Linux checks of where the FIPS modules come from: Ubuntu Pro's FIPS service and packages, the OS release's validated modules, and whether the probe ran in a container (catalogued in <see cref="LinuxNodeChecks"/>).</summary>
internal static class LinuxDistributionChecks
{
    internal static CheckOutcome UbuntuProService(NodeCheckInput input)
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

    internal static CheckOutcome UbuntuFipsPackages(NodeCheckInput input)
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

    internal static CheckOutcome OsProvenance(NodeCheckInput input)
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

    internal static CheckOutcome ContainerScope(NodeCheckInput input)
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
