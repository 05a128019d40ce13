using System.Text.RegularExpressions;
using static FipsCluster.Core.Compliance.CheckResults;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;
using static FipsCluster.Core.Compliance.Node.LinuxFipsModeChecks;
using static FipsCluster.Core.Compliance.Node.LinuxNodeChecks;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>The Linux checks of the crypto libraries' own FIPS state: OpenSSL 3's FIPS provider or OpenSSL 1.x's FIPS mode, libgcrypt and GnuTLS (catalogued in <see cref="LinuxNodeChecks"/>).</summary>
internal static partial class LinuxCryptoLibraryChecks
{
    /// <summary>The OpenSSL major version: from `openssl version` on a live node, else from the installed packages.</summary>
    internal static int? OpenSslMajor(NodeFacts f, out string version)
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
    internal static partial Regex OpenSslVersion();

    internal static CheckOutcome OpenSsl3Provider(NodeCheckInput input)
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

    internal static bool BootConfigHasFips(NodeCheckInput input) => PersistentBootEntries(input).Status is CheckStatus.Pass;

    internal static CheckOutcome OpenSsl1Fips(NodeCheckInput input)
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

    internal static bool Installed(NodeFacts f, params string[] names) => !f.PackagesKnown || names.Any(f.Packages.ContainsKey);

    internal static CheckOutcome Libgcrypt(NodeCheckInput input)
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

    internal static CheckOutcome Gnutls(NodeCheckInput input)
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
    internal static string NormalizeAssignment(string line)
    {
        var text = line.Trim();
        if (text.StartsWith("export ", StringComparison.Ordinal))
        {
            text = text[7..].TrimStart();
        }
        return text.Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal);
    }
}
