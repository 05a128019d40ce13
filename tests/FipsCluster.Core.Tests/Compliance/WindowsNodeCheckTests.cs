using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>WIN-FIPS-01 and WIN-NET-01 (the FIPS algorithm policy and .NET Framework opt-outs) through WindowsFactReader with an in-memory registry.</summary>
public sealed class WindowsNodeCheckTests : IDisposable
{
    private const string MachineConfigHead = """
        <?xml version="1.0" encoding="UTF-8" ?>
        <!--
            Please refer to machine.config.comments for a description and
            the default values of each configuration section.

            For a full documentation of the schema please refer to
            http://go.microsoft.com/fwlink/?LinkId=42127

            To improve performance, machine.config should contain only those
            settings that differ from their defaults.
        -->
        <configuration>
            <configSections>
                <section name="appSettings" type="System.Configuration.AppSettingsSection, System.Configuration, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a" restartOnExternalChanges="false" requirePermission="false"/>
                <section name="connectionStrings" type="System.Configuration.ConnectionStringsSection, System.Configuration, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a" requirePermission="false"/>
                <section name="runtime" type="System.Configuration.IgnoreSection, System.Configuration, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a" allowLocation="false"/>
            </configSections>
            <configProtectedData defaultProvider="RsaProtectedConfigurationProvider"/>
        """;

    private const string MachineConfigTail = """
            <system.data>
                <DbProviderFactories/>
            </system.data>
        </configuration>
        """;

    private readonly string _windir = Directory.CreateTempSubdirectory("fc-windir-").FullName;

    private sealed class FakeRegistry : IWindowsRegistry
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase)
        {
            [WindowsFactCatalog.ProductName] = "Windows Server 2022 Datacenter",
            [WindowsFactCatalog.CurrentBuild] = "20348",
        };

        public FakeRegistry(string? enabled, string? legacy = null)
        {
            _values[WindowsFactCatalog.FipsPolicyEnabled] = enabled;
            _values[WindowsFactCatalog.LegacyFipsPolicy] = legacy;
        }

        public bool Deny { get; init; }

        public string? ReadValue(string path) =>
            Deny && path.Contains(@"\Lsa\", StringComparison.OrdinalIgnoreCase)
                ? throw new UnauthorizedAccessException("Requested registry access is not allowed.")
                : _values.GetValueOrDefault(path);
    }

    private void MachineConfig(string runtime, string framework = "Framework64")
    {
        var dir = Path.Combine(_windir, "Microsoft.NET", framework, "v4.0.30319", "Config");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "machine.config"), MachineConfigHead + "\n    " + runtime + "\n" + MachineConfigTail);
    }

    private NodeComplianceReport Judge(IWindowsRegistry registry, IEnumerable<string>? extra = null, string profile = "FIPS-140-3") =>
        NodeComplianceEvaluator.Evaluate(WindowsFactReader.Read(registry, _windir, NodeTransport.Local, extra), ComplianceProfiles.Get(profile), "win1", TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_windir, recursive: true);

    [Theory]
    [InlineData("1", null, CheckStatus.Pass, true)]
    [InlineData("0", null, CheckStatus.Fail, false)]
    [InlineData(null, null, CheckStatus.Fail, false)] // policy never set
    [InlineData(null, "1", CheckStatus.Warning, false)] // only the XP/2003 value: .NET Framework honours it, the current key is missing
    [InlineData(null, "01000000", CheckStatus.Warning, false)] // legacy value that is not a DWORD counts as enabled (Utils.ReadLegacyFipsPolicy)
    [InlineData(null, "0", CheckStatus.Fail, false)]
    [InlineData("0", "1", CheckStatus.Fail, false)] // the current value wins on Vista+
    public void Fips_algorithm_policy(string? enabled, string? legacy, CheckStatus expected, bool flag)
    {
        MachineConfig("<runtime/>");
        var report = Judge(new FakeRegistry(enabled, legacy));
        Assert.Equal(expected, report.StatusOf("WIN-FIPS-01"));
        Assert.Equal(flag, report.FipsModeEnabled);
        Assert.Equal(expected is CheckStatus.Pass or CheckStatus.Warning, report.Compliant);
    }

    [Fact]
    public void Windows_report_holds_only_the_windows_checks_and_the_os_from_the_registry()
    {
        MachineConfig("<runtime/>");
        var report = Judge(new FakeRegistry("1"));
        Assert.Equal(new[] { "WIN-FIPS-01", "WIN-NET-01" }, report.Checks.Select(c => c.CheckId).ToArray());
        Assert.Equal(("windows", "Windows", "Windows Server 2022 Datacenter", "20348"), (report.Os!.Id, report.Os.Family, report.Os.PrettyName, report.Os.VersionId));
        Assert.True(report.Compliant, report.Describe());
    }

    [Fact]
    public void Machine_config_opting_out_of_fips_fails_WIN_NET_01()
    {
        MachineConfig("<runtime>\n        <enforceFIPSPolicy enabled=\"false\"/>\n    </runtime>");
        var report = Judge(new FakeRegistry("1"));
        var check = report.Check("WIN-NET-01");
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("machine.config", check.Actual);
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Enforce_fips_policy_true_is_not_an_opt_out()
    {
        MachineConfig("<runtime>\n        <enforceFIPSPolicy enabled=\"true\"/>\n    </runtime>");
        Assert.Equal(CheckStatus.Pass, Judge(new FakeRegistry("1")).StatusOf("WIN-NET-01"));
    }

    [Fact]
    public void Commented_out_opt_out_is_not_an_opt_out()
    {
        MachineConfig("<runtime>\n        <!-- <enforceFIPSPolicy enabled=\"false\"/> -->\n    </runtime>");
        Assert.Equal(CheckStatus.Pass, Judge(new FakeRegistry("1")).StatusOf("WIN-NET-01"));
    }

    [Fact]
    public void App_config_opting_out_fails_WIN_NET_01()
    {
        MachineConfig("<runtime/>", "Framework");
        var app = Path.Combine(_windir, "LegacyService.exe.config");
        File.WriteAllText(app, "<?xml version=\"1.0\"?>\n<configuration>\n  <runtime>\n    <enforceFIPSPolicy enabled='false' />\n  </runtime>\n</configuration>\n");
        var check = Judge(new FakeRegistry("1"), new[] { app }).Check("WIN-NET-01");
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("LegacyService.exe.config", check.Actual);
        Assert.DoesNotContain("machine.config", check.Actual);
    }

    [Fact]
    public void No_dotnet_framework_configuration_is_not_applicable()
    {
        var report = Judge(new FakeRegistry("1"));
        Assert.Equal(CheckStatus.NotApplicable, report.StatusOf("WIN-NET-01"));
        Assert.True(report.Compliant);
    }

    [Fact]
    public void Unreadable_policy_is_an_error_not_a_fail()
    {
        MachineConfig("<runtime/>");
        var report = Judge(new FakeRegistry("1") { Deny = true });
        Assert.NotEmpty(report.Errors);
        Assert.Equal(CheckStatus.Error, report.StatusOf("WIN-FIPS-01"));
        Assert.Null(report.FipsModeEnabled);
    }

    [Fact]
    public void Unreadable_policy_is_never_compliant_and_is_recorded()
    {
        MachineConfig("<runtime/>");
        var report = Judge(new FakeRegistry("1") { Deny = true });
        Assert.Contains(report.Errors, e => e.Contains("FipsAlgorithmPolicy", StringComparison.Ordinal));
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Sunset_check_is_common_to_windows_under_the_140_2_profile()
    {
        MachineConfig("<runtime/>");
        var ids = Judge(new FakeRegistry("1"), profile: "FIPS-140-2").Checks.Select(c => c.CheckId).ToArray();
        Assert.Equal(new[] { "WIN-FIPS-01", "WIN-NET-01", "PROFILE-140-2-SUNSET" }, ids);
    }
}
