using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Compliance.Reports;
using FipsCluster.Core.Providers.Kubernetes;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>
/// <see cref="CheckResults.Create"/> is the one place a CheckResult is made: one rule for Severity, Required and
/// Remediation, whichever family of checks (node, artifact, TLS, Swarm, Kubernetes) the result belongs to.
/// </summary>
public sealed class CheckResultsTests
{
    private static readonly ComplianceProfile Profile = ComplianceProfiles.Get("FIPS-140-3");

    public static TheoryData<string> ClusterAndArtifactChecks()
    {
        var data = new TheoryData<string>();
        foreach (var check in ArtifactCheckCatalog.All.Concat(SwarmClusterChecks.All).Concat(KubernetesClusterChecks.All))
        {
            data.Add(check.Id);
        }
        return data;
    }

    private static CheckInfo Catalogued(string id) => CheckCatalog.All.Single(c => c.Id == id);

    [Theory]
    [MemberData(nameof(ClusterAndArtifactChecks))]
    public void A_failing_check_no_profile_selects_is_required_with_the_catalogue_severity_and_its_remediation(string id)
    {
        var check = Catalogued(id);
        Assert.NotNull(check.Severity); // the rule's fallback never decides for these checks

        var result = CheckResults.Create(check, new CheckOutcome(CheckStatus.Fail, "expected", "actual", Array.Empty<CheckEvidence>(), "fix it"), new CheckSubject("target", "FIPS 140-3", Profile));

        Assert.Equal((check.Id, check.Title, check.Scope, check.Reference), (result.CheckId, result.Title, result.Scope, result.Reference));
        Assert.Equal(check.Severity, result.Severity);
        Assert.True(result.Required);
        Assert.Equal("fix it", result.Remediation);
        Assert.Equal(("target", "FIPS 140-3"), (result.Target, result.Standard));
    }

    [Theory]
    [InlineData(CheckStatus.Pass, false)]
    [InlineData(CheckStatus.NotApplicable, false)]
    [InlineData(CheckStatus.Informational, false)]
    [InlineData(CheckStatus.Warning, true)]
    [InlineData(CheckStatus.Fail, true)]
    [InlineData(CheckStatus.Error, true)]
    [InlineData(CheckStatus.Unknown, true)]
    public void Remediation_is_kept_only_where_something_is_to_be_done(CheckStatus status, bool kept)
    {
        var result = CheckResults.Create(ArtifactCheckCatalog.TlsProtocols, CheckResults.Outcome(status, "e", "a", "do this"), new CheckSubject("t", "FIPS 140-3"));

        Assert.Equal(kept ? "do this" : "", result.Remediation);
    }

    [Fact]
    public void An_informational_result_is_never_required()
    {
        var result = CheckResults.Create(KubernetesClusterChecks.ApiServerBuild, CheckResults.Outcome(CheckStatus.Informational, "e", "a", "r"), new CheckSubject("t", "FIPS 140-3"));

        Assert.False(result.Required);
        Assert.True(result.IsSatisfied);
    }

    [Fact]
    public void A_node_check_takes_severity_and_requirement_from_the_profile_selection()
    {
        var optional = new ProfileCheck { CheckId = LinuxNodeChecks.All[0].Id, Required = false, Severity = CheckSeverity.Low };
        var profile = new ComplianceProfile { Name = "custom", Standard = "FIPS 140-3", Checks = new[] { optional } };

        var looked = CheckResults.Create(LinuxNodeChecks.All[0], CheckResults.Outcome(CheckStatus.Fail, "e", "a", "r"), new CheckSubject("n1", profile.Standard, profile));
        var given = CheckResults.Create(LinuxNodeChecks.All[0], CheckResults.Outcome(CheckStatus.Fail, "e", "a", "r"), new CheckSubject("n1", profile.Standard), optional);

        foreach (var result in new[] { looked, given })
        {
            Assert.False(result.Required); // not required: reported, never deciding
            Assert.Equal(CheckSeverity.Low, result.Severity);
            Assert.Equal("r", result.Remediation);
        }
    }

    [Fact]
    public void A_check_the_subject_does_not_require_by_default_is_optional_unless_a_profile_requires_it()
    {
        var subject = new CheckSubject("cert.pem", "FIPS 140-3") { RequiredByDefault = false };

        Assert.False(CheckResults.Create(SwarmClusterChecks.FipsMarker, CheckResults.Outcome(CheckStatus.Fail, "e", "a", "r"), subject).Required);

        var requiring = new ComplianceProfile { Name = "p", Standard = "FIPS 140-3", Checks = new[] { new ProfileCheck { CheckId = SwarmClusterChecks.FipsMarker.Id, Required = true, Severity = CheckSeverity.Critical } } };
        var required = CheckResults.Create(SwarmClusterChecks.FipsMarker, CheckResults.Outcome(CheckStatus.Fail, "e", "a", "r"), subject with { Profile = requiring });
        Assert.True(required.Required);
        Assert.Equal(CheckSeverity.Critical, required.Severity);
    }

    [Fact]
    public void The_families_follow_the_same_rule_end_to_end()
    {
        // A certificate report (artifact analyzer) and binaries' BIN-01 (report set): every
        // passing or informational result has no remediation, and no informational result is required.
        using var weakKey = RSA.Create(1024);
        using var certificate = new CertificateRequest("CN=weak", weakKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var results = CertificateAnalyzer.Analyze(certificate, Profile).Checks
            .Concat(ComplianceReportSet.From(new object[]
            {
                new GoBinaryReport { Path = "/usr/bin/good", Status = CheckStatus.Pass, CryptoModule = GoCryptoModule.BoringCrypto },
                new GoBinaryReport { Path = "/usr/bin/bad", Status = CheckStatus.Fail, CryptoModule = GoCryptoModule.Standard },
            }).Targets.SelectMany(t => t.Checks))
            .ToList();

        Assert.Contains(results, r => r.CheckId == ArtifactCheckCatalog.CertificateKey.Id && r.Status == CheckStatus.Fail && r.Remediation.Length > 0);
        Assert.Contains(results, r => r.CheckId == ArtifactCheckCatalog.GoCryptoModule.Id && r.Status == CheckStatus.Fail && r.Remediation.Length > 0);
        Assert.Contains(results, r => r.CheckId == ArtifactCheckCatalog.GoCryptoModule.Id && r.Status == CheckStatus.Pass);
        Assert.All(results.Where(r => !CheckResults.NeedsRemediation(r.Status)), r => Assert.Equal("", r.Remediation));
        Assert.All(results.Where(r => r.Status == CheckStatus.Informational), r => Assert.False(r.Required));
        Assert.All(results, r => Assert.Equal(Catalogued(r.CheckId).Severity, r.Severity));
    }
}
