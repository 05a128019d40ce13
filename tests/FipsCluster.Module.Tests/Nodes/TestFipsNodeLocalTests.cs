using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Nodes;

/// <summary>Test-FipsNode on this machine and on root directories, and Get-FipsComplianceProfile, through the real engine.</summary>
public sealed class TestFipsNodeLocalTests : IClassFixture<ModuleFixture>, IDisposable
{
    private const string Report = "FipsCluster.NodeComplianceReport";
    private readonly PsSession _ps;
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "fc-local-" + Guid.NewGuid().ToString("N")[..8]);

    public TestFipsNodeLocalTests(ModuleFixture module)
    {
        _ps = module.Session;
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void The_local_machine_gets_one_report_whose_kernel_check_matches_what_proc_says()
    {
        var result = _ps.Run("Test-FipsNode");
        Assert.Empty(result.Errors);
        var report = result.SingleOf(Report);
        Assert.Equal("Local", report.Transport.ToString());
        Assert.Equal("FIPS-140-3", (string)report.Profile);
        var kernel = ((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == "LNX-FIPS-01");
        var flag = File.Exists("/proc/sys/crypto/fips_enabled") ? File.ReadAllText("/proc/sys/crypto/fips_enabled").Trim() : null;
        Assert.Equal(flag == "1" ? "Pass" : "Fail", kernel.Status.ToString());
        Assert.Equal(flag == "1", (bool?)report.FipsModeEnabled == true);
        // What the node's os-release says, not a guess.
        var osRelease = File.ReadAllText("/etc/os-release");
        Assert.Contains($"ID={report.Os.Id}", osRelease);
        // Compliance is exactly "every required check satisfied".
        var unsatisfied = ((IEnumerable<dynamic>)report.Checks).Where(c => (bool)c.Required && !(bool)c.IsSatisfied).ToList();
        Assert.Equal(unsatisfied.Count == 0, (bool)report.Compliant);
    }

    [Fact]
    public void A_root_tree_is_judged_offline_and_roots_arrive_by_property_name_from_Get_ChildItem()
    {
        // A minimal RHEL 9 image: BLS entries with fips=1, FIPS crypto policy, the FIPS provider installed.
        var image = Path.Combine(_temp, "rhel9-image");
        Write(image, "etc/os-release", "NAME=\"Red Hat Enterprise Linux\"\nVERSION_ID=\"9.4\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n");
        Write(image, "boot/loader/entries/abc-5.14.0-427.el9.x86_64.conf", "title RHEL\nversion 5.14.0-427.el9.x86_64\nlinux /vmlinuz-5.14.0-427.el9.x86_64\noptions root=/dev/mapper/rhel-root ro crashkernel=auto fips=1\n");
        Write(image, "etc/crypto-policies/config", "FIPS\n");
        Write(image, "etc/crypto-policies/state/current", "FIPS\n");
        Write(image, "etc/crypto-policies/back-ends/nss.config", "library=\n");
        Write(image, "usr/lib64/ossl-modules/fips.so", "");
        Write(image, "etc/pki/tls/openssl.cnf", "openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\ndefault = default_sect\n[default_sect]\nactivate = 1\n");
        // What Get-Item/Get-ChildItem emit: objects with FullName (the hosted runspace has no Get-Item).
        var result = _ps.Run("[pscustomobject]@{ FullName = $args[0] } | Test-FipsNode", image);
        Assert.Empty(result.Errors);
        var report = result.SingleOf(Report);
        Assert.Equal("Root", report.Transport.ToString());
        Assert.Null((bool?)report.FipsModeEnabled);
        var checks = ((IEnumerable<dynamic>)report.Checks).ToDictionary(c => (string)c.CheckId, c => c.Status.ToString());
        Assert.Equal("NotApplicable", checks["LNX-FIPS-01"]);
        Assert.Equal("NotApplicable", checks["LNX-FIPS-02"]);
        Assert.Equal("Pass", checks["LNX-FIPS-04"]);
        Assert.Equal("Pass", checks["LNX-FIPS-08"]);
        Assert.Equal("Pass", checks["LNX-SSL-01"]);

        // Remove fips=1 from the boot entry: the image is no longer compliant, and the finding says which entry.
        Write(image, "boot/loader/entries/abc-5.14.0-427.el9.x86_64.conf", "title RHEL\noptions root=/dev/mapper/rhel-root ro\n");
        var broken = _ps.Run("Test-FipsNode -Root $args[0]", image).SingleOf(Report);
        Assert.False((bool)broken.Compliant);
        var boot = ((IEnumerable<dynamic>)broken.Checks).Single(c => (string)c.CheckId == "LNX-FIPS-04");
        Assert.Equal("Fail", boot.Status.ToString());
        Assert.Contains("abc-5.14.0-427.el9.x86_64.conf", (string)boot.Actual);
        Assert.False(string.IsNullOrEmpty((string)boot.Remediation));
    }

    [Fact]
    public void A_missing_root_is_a_per_node_error_and_the_other_roots_are_still_judged()
    {
        var good = Path.Combine(_temp, "debian");
        Write(good, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
        var result = _ps.Run("Test-FipsNode -Root $args[0], $args[1]", Path.Combine(_temp, "nope"), good);
        Assert.Equal("InvalidRootPath,FipsCluster.Commands.TestFipsNodeCommand", Assert.Single(result.ErrorIds));
        var reports = result.Of(Report);
        Assert.Equal(2, reports.Count);
        Assert.Contains(reports, r => r.Status.ToString() == "Error" && (string)r.ErrorId == "InvalidRootPath");
        var debian = reports.Single(r => r.Status.ToString() != "Error");
        Assert.Equal("Fail", ((IEnumerable<dynamic>)debian.Checks).Single(c => (string)c.CheckId == "OS-PROV-01").Status.ToString());
    }

    [Fact]
    public void Profiles_come_by_name_with_wildcards_from_YAML_and_select_what_Test_FipsNode_runs()
    {
        var all = _ps.Run("Get-FipsComplianceProfile").Of("FipsCluster.ComplianceProfile");
        Assert.Equal(new[] { "FIPS-140-3", "FIPS-140-2" }, all.Select(p => (string)p.Name));
        Assert.Single(_ps.Run("Get-FipsComplianceProfile FIPS-140-2*").Of("FipsCluster.ComplianceProfile"));
        var missing = _ps.Run("Get-FipsComplianceProfile FIPS-999");
        Assert.Equal("ComplianceProfileNotFound,FipsCluster.Commands.GetFipsComplianceProfileCommand", Assert.Single(missing.ErrorIds));

        var yaml = Path.Combine(_temp, "site.yaml");
        File.WriteAllText(yaml, "name: Site\nstandard: FIPS 140-3\nchecks:\n  - { id: LNX-FIPS-01, severity: Critical }\n  - { id: OS-PROV-01, required: false, severity: Low }\n");
        var result = _ps.Run("Test-FipsNode -ComplianceProfile (Get-FipsComplianceProfile -Path $args[0])", yaml);
        var report = result.SingleOf(Report);
        Assert.Equal("Site", (string)report.Profile);
        var checks = ((IEnumerable<dynamic>)report.Checks).ToList();
        Assert.Equal(new[] { "LNX-FIPS-01", "OS-PROV-01" }, checks.Select(c => (string)c.CheckId));
        Assert.Equal("Critical", checks[0].Severity.ToString());
        Assert.False((bool)checks[1].Required);

        File.WriteAllText(yaml, "name: Broken\nchecks:\n  - { id: LNX-NOPE-99 }\n");
        var broken = _ps.Run("Get-FipsComplianceProfile -Path $args[0]", yaml);
        Assert.Equal("InvalidComplianceProfile,FipsCluster.Commands.GetFipsComplianceProfileCommand", Assert.Single(broken.ErrorIds));
        Assert.Contains("LNX-NOPE-99", broken.Errors[0].ToString());

        // A profile name binds through the transformation; a wrong one is a binding error that lists the built-ins.
        Assert.Equal("FIPS-140-2", (string)_ps.Run("Test-FipsNode -ComplianceProfile FIPS-140-2").SingleOf(Report).Profile);
        var wrong = _ps.Run("Test-FipsNode -ComplianceProfile NoSuch");
        Assert.StartsWith("ParameterArgumentTransformationError", Assert.Single(wrong.ErrorIds));
        Assert.Contains("FIPS-140-3", wrong.AllText);
    }

    [Fact]
    public void The_FIPS_140_2_profile_says_the_CMVP_sunset_as_information_that_never_decides()
    {
        var report = _ps.Run("Test-FipsNode -ComplianceProfile FIPS-140-2").SingleOf(Report);
        var sunset = ((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == "PROFILE-140-2-SUNSET");
        Assert.Equal("Informational", sunset.Status.ToString());
        Assert.False((bool)sunset.Required);
        Assert.Contains("2026-09-21", (string)sunset.Actual);
        Assert.DoesNotContain(((IEnumerable<dynamic>)_ps.Run("Test-FipsNode").SingleOf(Report).Checks), c => (string)c.CheckId == "PROFILE-140-2-SUNSET");
    }

    [Fact]
    public void Default_views_show_the_verdict_at_a_glance_and_the_checks_with_their_severity()
    {
        var table = _ps.Run("Test-FipsNode | Out-Default").HostText;
        Assert.Contains("ComputerName", table);
        Assert.Contains("Compliant", table);
        Assert.Contains("FipsMode", table);
        Assert.Contains("Findings", table);
        // The list view (Format-List) is exercised by the Pester suite on real pwsh: this runspace has no Format-List.
        var checks = _ps.Run("(Test-FipsNode).Checks | Out-Default").HostText;
        Assert.Contains("Severity", checks);
        Assert.Contains("LNX-SSL-01", checks);
    }

    [Fact]
    public void Quiet_returns_one_bool_that_matches_the_reports()
    {
        var compliant = (bool)_ps.Run("Test-FipsNode").SingleOf(Report).Compliant;
        Assert.Equal(compliant, _ps.Run("Test-FipsNode -Quiet").Single<bool>());
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
