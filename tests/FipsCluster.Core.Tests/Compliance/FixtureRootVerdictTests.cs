using System.Collections.Concurrent;
using System.Reflection;
using FipsCluster.Core.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>
/// Every check of the FIPS-140-3 profile on every fixture root, with the verdict that the upstream rules each check
/// cites (ComplianceAsCode, dracut, fips-mode-setup, the OpenSSL and library manuals: the Reference of each check in
/// about_FipsCluster_Checks) give for that node. The expectations were derived from those rules, not from the code;
/// rows marked Skip are where the code disagrees with them.
/// </summary>
public sealed class FixtureRootVerdictTests
{
    private const string P = nameof(CheckStatus.Pass);
    private const string F = nameof(CheckStatus.Fail);
    private const string NA = nameof(CheckStatus.NotApplicable);
    private const string Info = nameof(CheckStatus.Informational);
    private const string Unk = nameof(CheckStatus.Unknown);
    private const string W = nameof(CheckStatus.Warning);

    private static readonly ConcurrentDictionary<string, NodeComplianceReport> Reports = new();

    private static NodeComplianceReport Report(string fixture) => Reports.GetOrAdd(fixture, f => FixtureRoot.Evaluate(f));

    [Theory]
    // ---- rhel8-fips: captured running RHEL 8.10 in FIPS mode; /boot is a separate xfs (mountinfo), boot=UUID= given ----
    [InlineData("rhel8-fips", "LNX-FIPS-01", P)] // fips_enabled == 1
    [InlineData("rhel8-fips", "LNX-FIPS-02", P)] // fips=1 in /proc/cmdline, no rd.fips.skipkernel
    [InlineData("rhel8-fips", "LNX-FIPS-03", P)] // /boot separate (mountinfo: /dev/sda1 vs /dev/mapper/rhel-root) and boot=UUID=… present
    [InlineData("rhel8-fips", "LNX-FIPS-04", P)] // RHEL 8: grubenv kernelopts ∋ fips=1 and /etc/default/grub GRUB_CMDLINE_LINUX ∋ fips=1 (what grub2-mkconfig rebuilds it from)
    [InlineData("rhel8-fips", "LNX-FIPS-05", P)] // /boot/.vmlinuz-4.18.0-553.el8_10.x86_64.hmac exists
    [InlineData("rhel8-fips", "LNX-FIPS-06", P)] // RHEL ≤ 8: 40-fips.conf add_dracutmodules+=" fips "
    [InlineData("rhel8-fips", "LNX-FIPS-07", P)] // RHEL 8: /etc/system-fips exists
    [InlineData("rhel8-fips", "LNX-FIPS-08", P)] // config FIPS
    [InlineData("rhel8-fips", "LNX-FIPS-09", P)] // state/current == config, not older, nss.config exists
    [InlineData("rhel8-fips", "LNX-FIPS-10", P)] // regular files (update-crypto-policies writes files when it does not link), state/current FIPS, none newer than it
    [InlineData("rhel8-fips", "LNX-FIPS-11", P)] // kernel on, policy FIPS
    [InlineData("rhel8-fips", "LNX-SSL-01", NA)] // RHEL 8 ships OpenSSL 1.1.1k-fips, no OpenSSL 3
    [InlineData("rhel8-fips", "LNX-SSL-02", Unk)] // OpenSSL 1.1.1 installed (/etc/pki/tls/openssl.cnf); '-fips' + MD5 refusal cannot be observed on a capture
    [InlineData("rhel8-fips", "LNX-GCRY-01", P)] // kernel flag 1
    [InlineData("rhel8-fips", "LNX-GNUTLS-01", P)] // kernel flag 1, no overrides
    [InlineData("rhel8-fips", "UBU-FIPS-01", NA)]
    [InlineData("rhel8-fips", "UBU-FIPS-02", NA)]
    [InlineData("rhel8-fips", "OS-PROV-01", P)] // RHEL 8 in CaC's certified list
    [InlineData("rhel8-fips", "NODE-GO-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel8-fips", "NODE-CRT-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel8-fips", "NODE-KEY-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel8-fips", "NODE-KENC-01", NA)] // no kube-apiserver static pod manifest: not a control plane
    [InlineData("rhel8-fips", "NODE-CTR-01", Info)] // host (cgroup v1 init.scope)
    // ---- rhel9-fips: captured running RHEL 9.4 in FIPS mode; /boot on the root filesystem ----
    [InlineData("rhel9-fips", "LNX-FIPS-01", P)]
    [InlineData("rhel9-fips", "LNX-FIPS-02", P)]
    [InlineData("rhel9-fips", "LNX-FIPS-03", NA)] // /boot not separate (mountinfo has only /boot/efi)
    [InlineData("rhel9-fips", "LNX-FIPS-04", P)] // every BLS options line (kernel + rescue) has fips=1
    [InlineData("rhel9-fips", "LNX-FIPS-05", P)]
    [InlineData("rhel9-fips", "LNX-FIPS-06", P)] // 40-fips.conf present (criterion dropped on RHEL 9, but the module is configured)
    [InlineData("rhel9-fips", "LNX-FIPS-07", NA)] // RHEL ≥ 9
    [InlineData("rhel9-fips", "LNX-FIPS-08", P)]
    [InlineData("rhel9-fips", "LNX-FIPS-09", P)]
    [InlineData("rhel9-fips", "LNX-FIPS-10", P)] // regular files (update-crypto-policies writes files when it does not link), state/current FIPS, none newer than it
    [InlineData("rhel9-fips", "LNX-FIPS-11", P)]
    [InlineData("rhel9-fips", "LNX-SSL-01", P)] // RHEL 9 auto-loads fips.so when fips_enabled=1
    [InlineData("rhel9-fips", "LNX-SSL-02", NA)] // OpenSSL 3
    [InlineData("rhel9-fips", "LNX-GCRY-01", P)]
    [InlineData("rhel9-fips", "LNX-GNUTLS-01", P)]
    [InlineData("rhel9-fips", "UBU-FIPS-01", NA)]
    [InlineData("rhel9-fips", "UBU-FIPS-02", NA)]
    [InlineData("rhel9-fips", "OS-PROV-01", P)]
    [InlineData("rhel9-fips", "NODE-GO-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-fips", "NODE-CRT-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-fips", "NODE-KEY-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-fips", "NODE-KENC-01", NA)] // no kube-apiserver static pod manifest: not a control plane
    [InlineData("rhel9-fips", "NODE-CTR-01", Info)]
    // ---- rhel9-nonfips: captured running RHEL 9.4, FIPS off, policy DEFAULT ----
    [InlineData("rhel9-nonfips", "LNX-FIPS-01", F)] // fips_enabled == 0
    [InlineData("rhel9-nonfips", "LNX-FIPS-02", F)] // no fips=1
    [InlineData("rhel9-nonfips", "LNX-FIPS-03", NA)]
    [InlineData("rhel9-nonfips", "LNX-FIPS-04", F)] // BLS entries lack fips=1
    [InlineData("rhel9-nonfips", "LNX-FIPS-05", P)] // kernel-core ships the .hmac regardless of mode
    [InlineData("rhel9-nonfips", "LNX-FIPS-06", W)] // RHEL 9 dracut 01fips check() returns 255: nothing asks for the module; the initramfs itself cannot be read
    [InlineData("rhel9-nonfips", "LNX-FIPS-07", NA)]
    [InlineData("rhel9-nonfips", "LNX-FIPS-08", F)] // DEFAULT
    [InlineData("rhel9-nonfips", "LNX-FIPS-09", P)] // DEFAULT configured and applied
    [InlineData("rhel9-nonfips", "LNX-FIPS-10", F)]
    [InlineData("rhel9-nonfips", "LNX-FIPS-11", P)] // pass condition "no mixture of positive/negative signs": all negative
    [InlineData("rhel9-nonfips", "LNX-SSL-01", F)] // fips provider not loaded with fips_enabled=0
    [InlineData("rhel9-nonfips", "LNX-SSL-02", NA)]
    [InlineData("rhel9-nonfips", "LNX-GCRY-01", F)]
    [InlineData("rhel9-nonfips", "LNX-GNUTLS-01", F)]
    [InlineData("rhel9-nonfips", "UBU-FIPS-01", NA)]
    [InlineData("rhel9-nonfips", "UBU-FIPS-02", NA)]
    [InlineData("rhel9-nonfips", "OS-PROV-01", P)]
    [InlineData("rhel9-nonfips", "NODE-GO-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-nonfips", "NODE-CRT-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-nonfips", "NODE-KEY-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-nonfips", "NODE-KENC-01", NA)] // no kube-apiserver static pod manifest: not a control plane
    [InlineData("rhel9-nonfips", "NODE-CTR-01", Info)]
    // ---- ubuntu2204-pro-fips: captured Ubuntu 22.04 with Pro fips-updates ----
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-01", P)]
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-02", P)]
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-03", NA)]
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-04", P)] // grub.d/99-fips.cfg GRUB_CMDLINE_LINUX_DEFAULT ∋ fips=1
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-05", P)]
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-06", NA)] // initramfs-tools, not dracut
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-07", NA)]
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-08", NA)] // no crypto-policies on Ubuntu
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-09", NA)]
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-10", NA)]
    [InlineData("ubuntu2204-pro-fips", "LNX-FIPS-11", P)]
    [InlineData("ubuntu2204-pro-fips", "LNX-SSL-01", P)] // fips.so + openssl.cnf: fips+base active, default_properties fips=yes
    [InlineData("ubuntu2204-pro-fips", "LNX-SSL-02", NA)]
    [InlineData("ubuntu2204-pro-fips", "LNX-GCRY-01", P)]
    [InlineData("ubuntu2204-pro-fips", "LNX-GNUTLS-01", P)]
    [InlineData("ubuntu2204-pro-fips", "UBU-FIPS-01", P)] // services[fips-updates].status == enabled
    [InlineData("ubuntu2204-pro-fips", "UBU-FIPS-02", P)] // ubuntu-fips + openssl-fips-module-3 installed
    [InlineData("ubuntu2204-pro-fips", "OS-PROV-01", P)] // 22.04: FIPS 140-3
    [InlineData("ubuntu2204-pro-fips", "NODE-GO-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("ubuntu2204-pro-fips", "NODE-CRT-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("ubuntu2204-pro-fips", "NODE-KEY-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("ubuntu2204-pro-fips", "NODE-KENC-01", NA)] // no kube-apiserver static pod manifest: not a control plane
    [InlineData("ubuntu2204-pro-fips", "NODE-CTR-01", Info)]
    // ---- debian12: plain Debian 12, kernel without the FIPS sysctl ----
    [InlineData("debian12", "LNX-FIPS-01", F)] // absent → fail ("exists and == 1")
    [InlineData("debian12", "LNX-FIPS-02", F)]
    [InlineData("debian12", "LNX-FIPS-03", NA)]
    [InlineData("debian12", "LNX-FIPS-04", F)] // GRUB_CMDLINE_LINUX lacks fips=1
    [InlineData("debian12", "LNX-FIPS-05", F)] // no kernel .hmac
    [InlineData("debian12", "LNX-FIPS-06", NA)]
    [InlineData("debian12", "LNX-FIPS-07", NA)]
    [InlineData("debian12", "LNX-FIPS-08", NA)]
    [InlineData("debian12", "LNX-FIPS-09", NA)]
    [InlineData("debian12", "LNX-FIPS-10", NA)]
    [InlineData("debian12", "LNX-FIPS-11", P)] // only one (negative) signal: no mixture
    [InlineData("debian12", "LNX-SSL-01", F)] // libssl3, no fips.so
    [InlineData("debian12", "LNX-SSL-02", NA)]
    [InlineData("debian12", "LNX-GCRY-01", F)]
    [InlineData("debian12", "LNX-GNUTLS-01", F)]
    [InlineData("debian12", "UBU-FIPS-01", NA)]
    [InlineData("debian12", "UBU-FIPS-02", NA)]
    [InlineData("debian12", "OS-PROV-01", F)] // Debian ships no validated modules
    [InlineData("debian12", "NODE-GO-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("debian12", "NODE-CRT-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("debian12", "NODE-KEY-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("debian12", "NODE-KENC-01", NA)] // no kube-apiserver static pod manifest: not a control plane
    [InlineData("debian12", "NODE-CTR-01", Info)]
    // ---- rhel9-image-fips: offline RHEL 9.4 image (no /proc): runtime checks do not apply, boot config decides ----
    [InlineData("rhel9-image-fips", "LNX-FIPS-01", NA)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-02", NA)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-03", NA)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-04", P)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-05", P)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-06", P)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-07", NA)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-08", P)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-09", P)]
    [InlineData("rhel9-image-fips", "LNX-FIPS-10", P)] // regular files (update-crypto-policies writes files when it does not link), state/current FIPS, none newer than it
    [InlineData("rhel9-image-fips", "LNX-FIPS-11", NA)]
    [InlineData("rhel9-image-fips", "LNX-SSL-01", P)] // RHEL 9 + fips.so + fips=1 in every boot entry
    [InlineData("rhel9-image-fips", "LNX-SSL-02", NA)]
    [InlineData("rhel9-image-fips", "LNX-GCRY-01", P)]
    [InlineData("rhel9-image-fips", "LNX-GNUTLS-01", P)]
    [InlineData("rhel9-image-fips", "UBU-FIPS-01", NA)]
    [InlineData("rhel9-image-fips", "UBU-FIPS-02", NA)]
    [InlineData("rhel9-image-fips", "OS-PROV-01", P)]
    [InlineData("rhel9-image-fips", "NODE-GO-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-image-fips", "NODE-CRT-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-image-fips", "NODE-KEY-01", NA)] // no component binaries or cluster PKI in this root
    [InlineData("rhel9-image-fips", "NODE-KENC-01", NA)] // no kube-apiserver static pod manifest: not a control plane
    [InlineData("rhel9-image-fips", "NODE-CTR-01", NA)]
    public void Check_verdict_matches_the_catalogue(string fixture, string checkId, string expected)
    {
        var report = Report(fixture);
        var check = report.Check(checkId);
        Assert.True(Enum.Parse<CheckStatus>(expected) == check.Status,
            $"{fixture} {checkId}: expected {expected}, got {check.Status} ({check.Actual})\n{report.Describe()}");
    }

    public static readonly string[] Fixtures = { "rhel8-fips", "rhel9-fips", "rhel9-nonfips", "ubuntu2204-pro-fips", "debian12", "rhel9-image-fips" };

    [Fact]
    public void The_table_has_one_row_for_every_linux_check_of_the_profile_on_every_fixture()
    {
        var rows = typeof(FixtureRootVerdictTests).GetMethod(nameof(Check_verdict_matches_the_catalogue))!
            .GetCustomAttributes<InlineDataAttribute>()
            .Select(a => a.GetData(null!).Single())
            .Select(d => ((string)d[0], (string)d[1]))
            .ToList();
        Assert.Equal(rows.Count, rows.Distinct().Count());
        foreach (var fixture in Fixtures)
        {
            var report = Report(fixture);
            var inReport = report.Checks.Select(c => c.CheckId).Order().ToList();
            var inTable = rows.Where(r => r.Item1 == fixture).Select(r => r.Item2).Order().ToList();
            Assert.Equal(inReport, inTable);
        }
    }

    [Theory]
    [InlineData("rhel8-fips")]
    [InlineData("rhel9-fips")]
    [InlineData("rhel9-nonfips")]
    [InlineData("ubuntu2204-pro-fips")]
    [InlineData("debian12")]
    [InlineData("rhel9-image-fips")]
    public void Linux_reports_hold_the_profiles_linux_and_common_checks_but_no_windows_checks(string fixture)
    {
        var report = Report(fixture);
        var expected = ComplianceProfiles.Default.Checks.Select(c => c.CheckId).Where(id => !id.StartsWith("WIN-", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected, report.Checks.Select(c => c.CheckId).ToList());
        Assert.Equal("FIPS-140-3", report.Profile);
        Assert.All(report.Checks, c => Assert.Equal("FIPS 140-3", c.Standard));
    }

    [Theory]
    [InlineData("rhel8-fips", false)] // LNX-SSL-02 (High, required) cannot be judged on a capture: Unknown never counts as a pass
    [InlineData("rhel9-fips", true)]
    [InlineData("rhel9-nonfips", false)]
    [InlineData("ubuntu2204-pro-fips", true)]
    [InlineData("debian12", false)]
    [InlineData("rhel9-image-fips", true)]
    public void Compliant_verdict(string fixture, bool compliant)
    {
        var report = Report(fixture);
        Assert.True(compliant == report.Compliant, $"{fixture}: expected Compliant={compliant}\n{report.Describe()}");
        Assert.Equal(compliant ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant, report.Status);
        Assert.Equal(NodeTransport.Root, report.Transport);
    }

    [Theory]
    [InlineData("rhel8-fips", true)]
    [InlineData("rhel9-fips", true)]
    [InlineData("rhel9-nonfips", false)]
    [InlineData("ubuntu2204-pro-fips", true)]
    [InlineData("debian12", false)] // a running kernel without the fips_enabled sysctl (no FIPS support) cannot be in FIPS mode
    [InlineData("rhel9-image-fips", null)] // offline image: no running kernel
    public void Fips_mode_flag(string fixture, bool? enabled) => Assert.Equal(enabled, Report(fixture).FipsModeEnabled);

    [Theory]
    [InlineData("rhel8-fips", "rhel", "Rhel", "8.10", 8, "Red Hat Enterprise Linux 8.10 (Ootpa)")]
    [InlineData("rhel9-fips", "rhel", "Rhel", "9.4", 9, "Red Hat Enterprise Linux 9.4 (Plow)")]
    [InlineData("rhel9-nonfips", "rhel", "Rhel", "9.4", 9, "Red Hat Enterprise Linux 9.4 (Plow)")]
    [InlineData("ubuntu2204-pro-fips", "ubuntu", "Ubuntu", "22.04", 22, "Ubuntu 22.04.4 LTS")]
    [InlineData("debian12", "debian", "Debian", "12", 12, "Debian GNU/Linux 12 (bookworm)")]
    [InlineData("rhel9-image-fips", "rhel", "Rhel", "9.4", 9, "Red Hat Enterprise Linux 9.4 (Plow)")]
    public void Os_identity(string fixture, string id, string family, string versionId, int major, string pretty)
    {
        var os = Report(fixture).Os!;
        Assert.Equal((id, family, versionId, major, pretty), (os.Id, os.Family, os.VersionId, os.MajorVersion, os.PrettyName));
    }

    [Fact]
    public void Failed_required_checks_are_the_findings_and_carry_a_remediation()
    {
        var report = Report("rhel9-nonfips");
        var findings = report.Findings.Select(c => c.CheckId).ToList();
        Assert.Contains("LNX-FIPS-01", findings);
        Assert.Contains("LNX-FIPS-08", findings);
        Assert.DoesNotContain("LNX-FIPS-10", findings); // optional in the profile
        Assert.All(report.Findings, c => Assert.False(string.IsNullOrWhiteSpace(c.Remediation), c.CheckId + " has no remediation"));
        Assert.All(report.Checks.Where(c => c.Status is CheckStatus.Pass or CheckStatus.NotApplicable), c => Assert.Equal("", c.Remediation));
    }
}
