using System.Text;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

public sealed class ComplianceProfileTests
{
    [Fact]
    public void Both_built_in_profiles_load()
    {
        Assert.Equal(new[] { "FIPS-140-3", "FIPS-140-2" }, ComplianceProfiles.BuiltIn.Select(p => p.Name).ToArray());
        var p3 = ComplianceProfiles.Get("fips-140-3");
        var p2 = ComplianceProfiles.Get("FIPS-140-2");
        Assert.Same(p3, ComplianceProfiles.Default);
        Assert.Equal(("FIPS 140-3", "BuiltIn"), (p3.Standard, p3.Source));
        Assert.Equal("FIPS 140-2", p2.Standard);
        Assert.All(p3.Checks.Concat(p2.Checks), c => Assert.Contains(c.CheckId, ComplianceProfiles.KnownCheckIds));
        Assert.Equal(p3.Checks.Select(c => c.CheckId).Append("PROFILE-140-2-SUNSET"), p2.Checks.Select(c => c.CheckId));
        Assert.Contains(p3.Checks, c => c.CheckId == "LNX-FIPS-01" && c.Required && c.Severity == CheckSeverity.High);
        Assert.Contains(p3.Checks, c => c.CheckId == "LNX-FIPS-10" && !c.Required && c.Severity == CheckSeverity.Low);
        Assert.Contains(p3.Checks, c => c.CheckId == "NODE-CTR-01" && !c.Required && c.Severity == CheckSeverity.None);
        // Every check the engine knows is selected by the 140-2 profile.
        Assert.Equal(ComplianceProfiles.KnownCheckIds.Order(), p2.Checks.Select(c => c.CheckId).Order());
    }

    [Fact]
    public void Unknown_built_in_name_is_profile_not_found()
    {
        var ex = Assert.Throws<FipsClusterException>(() => ComplianceProfiles.Get("FIPS-140-1"));
        Assert.Equal(ErrorIds.ComplianceProfileNotFound, ex.ErrorId);
        Assert.Contains("FIPS-140-1", ex.Message);
    }

    [Fact]
    public void A_user_profile_loads_from_a_file_with_defaults_and_settings()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fc-profile-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, """
            # Mode only: for a lab cluster.
            name: lab-mode
            standard: FIPS 140-3
            checks:
              - id: LNX-FIPS-01
                severity: critical
              - id: LNX-FIPS-08
                settings:
                  accept: FIPS:OSPP
              - { id: LNX-FIPS-10, required: false }
            """);
        try
        {
            var profile = ComplianceProfiles.Load(path);
            Assert.Equal(("lab-mode", path), (profile.Name, profile.Source));
            Assert.Equal(CheckSeverity.Critical, profile.Checks[0].Severity);
            Assert.Equal((true, CheckSeverity.Medium), (profile.Checks[1].Required, profile.Checks[1].Severity));
            Assert.Equal("FIPS:OSPP", profile.Checks[1].Settings["accept"]);
            Assert.False(profile.Checks[2].Required);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("name: x\nchecks:\n  - { id: LNX-FIPS-99 }\n", "LNX-FIPS-99")] // unknown check id
    [InlineData("name: x\nchecks:\n  - { id: LNX-FIPS-01, severity: Severe }\n", "Severe")] // bad severity
    [InlineData("name: x\nchecks:\n  - { id: LNX-FIPS-01 }\n  - { id: LNX-FIPS-01, severity: Low }\n", "LNX-FIPS-01")] // duplicate id
    [InlineData("standard: FIPS 140-3\nchecks:\n  - { id: LNX-FIPS-01 }\n", "name")] // missing name
    [InlineData("name: \"  \"\nchecks:\n  - { id: LNX-FIPS-01 }\n", "name")] // blank name
    [InlineData("name: x\nchecks: []\n", "checks")] // selects nothing
    [InlineData("name: x\nchecks:\n  - { severity: High }\n", "check id")] // no id
    [InlineData("name: x\nchecks:\n  - { id: LNX-FIPS-01\n", "line")] // YAML syntax error
    [InlineData("name: x\nchecks:\n  - { id: LNX-FIPS-01, severity: High, weight: 3 }\n", "weight")] // unknown key
    public void Invalid_profiles_are_rejected_with_the_problem_named(string yaml, string named)
    {
        var ex = Assert.Throws<FipsClusterException>(() => ComplianceProfiles.Parse(yaml, "my-profile.yaml"));
        Assert.Equal(ErrorIds.InvalidComplianceProfile, ex.ErrorId);
        Assert.Contains("my-profile.yaml", ex.Message);
        Assert.Contains(named, ex.Message);
    }

    [Theory]
    [InlineData("Low, Medium")]
    [InlineData("Low,High")]
    [InlineData("4")]
    public void Severity_must_be_one_named_level(string severity)
    {
        var ex = Assert.Throws<FipsClusterException>(() => ComplianceProfiles.Parse($"name: x\nchecks:\n  - {{ id: LNX-FIPS-01, severity: \"{severity}\" }}\n", "p.yaml"));
        Assert.Equal(ErrorIds.InvalidComplianceProfile, ex.ErrorId);
        Assert.Contains(severity, ex.Message);
    }

    [Fact]
    public void Check_ids_are_case_sensitive()
    {
        var ex = Assert.Throws<FipsClusterException>(() => ComplianceProfiles.Parse("name: x\nchecks:\n  - { id: lnx-fips-01 }\n", "p"));
        Assert.Equal(ErrorIds.InvalidComplianceProfile, ex.ErrorId);
    }
}

/// <summary>The evaluator's decision rule: Error/Unknown on a required check is never compliant; NotApplicable is.</summary>
public sealed class NodeComplianceEvaluatorTests
{
    private static NodeFacts Rhel9(string? fipsEnabled, FileFactState state = FileFactState.Present)
    {
        var facts = new NodeFacts(NodeTransport.Ssh, offline: false);
        facts.AddFile(new FileFact(LinuxFactCatalog.OsRelease, FileFactState.Present, Encoding.UTF8.GetBytes("NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n")));
        facts.AddFile(new FileFact(LinuxFactCatalog.FipsEnabled, fipsEnabled is null && state == FileFactState.Present ? FileFactState.Absent : state, Encoding.UTF8.GetBytes(fipsEnabled ?? "")));
        return facts;
    }

    private static ComplianceProfile Profile(string checks) => ComplianceProfiles.Parse("name: t\nchecks:\n" + checks, "test");

    private static NodeComplianceReport Judge(NodeFacts facts, ComplianceProfile profile) => NodeComplianceEvaluator.Evaluate(facts, profile, "n", TimeSpan.FromSeconds(2));

    [Fact]
    public void Error_on_a_required_check_is_not_compliant()
    {
        var report = Judge(Rhel9(null, FileFactState.Unreadable), Profile("  - { id: LNX-FIPS-01 }\n  - { id: LNX-FIPS-07 }\n"));
        Assert.Equal(CheckStatus.Error, report.StatusOf("LNX-FIPS-01"));
        Assert.Equal(CheckStatus.NotApplicable, report.StatusOf("LNX-FIPS-07"));
        Assert.False(report.Compliant);
        Assert.Equal(ComplianceStatus.NonCompliant, report.Status);
        Assert.Equal(1, report.ErrorCount);
        Assert.Equal(new[] { "LNX-FIPS-01" }, report.Findings.Select(f => f.CheckId));
    }

    [Theory]
    [InlineData("2\n")]
    [InlineData("")]
    [InlineData("yes")]
    public void Unknown_on_a_required_check_is_not_compliant(string content)
    {
        var report = Judge(Rhel9(content), Profile("  - { id: LNX-FIPS-01 }\n"));
        Assert.Equal(CheckStatus.Unknown, report.StatusOf("LNX-FIPS-01"));
        Assert.False(report.Compliant);
        Assert.Null(report.FipsModeEnabled);
    }

    [Fact]
    public void Not_applicable_on_a_required_check_is_compliant()
    {
        var report = Judge(Rhel9("1\n"), Profile("  - { id: LNX-FIPS-07 }\n  - { id: UBU-FIPS-01 }\n  - { id: LNX-FIPS-01 }\n"));
        Assert.Equal(CheckStatus.NotApplicable, report.StatusOf("LNX-FIPS-07")); // RHEL 9
        Assert.Equal(CheckStatus.NotApplicable, report.StatusOf("UBU-FIPS-01"));
        Assert.All(report.Checks, c => Assert.True(c.Required));
        Assert.True(report.Compliant, report.Describe());
        Assert.True(report.FipsModeEnabled);
        Assert.Equal(TimeSpan.FromSeconds(2), report.Duration);
    }

    [Fact]
    public void Error_on_an_optional_check_does_not_decide()
    {
        var report = Judge(Rhel9(null, FileFactState.Unreadable), Profile("  - { id: LNX-FIPS-01, required: false }\n  - { id: LNX-FIPS-07 }\n"));
        Assert.Equal(CheckStatus.Error, report.StatusOf("LNX-FIPS-01"));
        Assert.True(report.Compliant);
    }

    [Fact]
    public void Fail_on_a_required_check_is_not_compliant_but_on_an_optional_one_it_is()
    {
        Assert.False(Judge(Rhel9("0\n"), Profile("  - { id: LNX-FIPS-01 }\n")).Compliant);
        Assert.True(Judge(Rhel9("0\n"), Profile("  - { id: LNX-FIPS-01, required: false }\n")).Compliant);
    }

    [Fact]
    public void Informational_results_are_never_required()
    {
        var report = Judge(Rhel9("1\n"), Profile("  - { id: NODE-CTR-01, required: true }\n  - { id: LNX-FIPS-01 }\n"));
        Assert.Equal(CheckStatus.Informational, report.StatusOf("NODE-CTR-01"));
        Assert.False(report.Check("NODE-CTR-01").Required);
        Assert.True(report.Compliant);
    }

    [Fact]
    public void A_profile_with_no_check_for_the_platform_proves_nothing()
    {
        var report = Judge(Rhel9("1\n"), Profile("  - { id: WIN-FIPS-01 }\n"));
        Assert.Empty(report.Checks);
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Severity_and_standard_come_from_the_profile()
    {
        var profile = ComplianceProfiles.Parse("name: t\nstandard: FIPS 140-2\nchecks:\n  - { id: LNX-FIPS-01, severity: Critical }\n", "test");
        var check = Judge(Rhel9("1\n"), profile).Check("LNX-FIPS-01");
        Assert.Equal((CheckSeverity.Critical, "FIPS 140-2", "n"), (check.Severity, check.Standard, check.Target));
        Assert.NotEmpty(check.Evidence);
        Assert.Equal("1", check.Evidence[0].Excerpt);
    }
}
