using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.Keys;

[Collection(OpenSslCollection.Name)]
public sealed class CertificateAnalyzerTests
{
    private readonly OpenSslFixture _ssl;

    public CertificateAnalyzerTests(OpenSslFixture ssl) => _ssl = ssl;

    private static CheckResult Check(CertificateReport report, string id) => Assert.Single(report.Checks, c => c.CheckId == id);

    private CertificateReport One(string file, string? standard = null)
    {
        _ssl.RequireOpenSsl();
        return Assert.Single(CertificateAnalyzer.AnalyzeFile(_ssl.P(file), standard));
    }

    [SkippableTheory]
    [InlineData("rsa1024.crt", "RSA", 1024, null, CheckStatus.Fail)]
    [InlineData("rsa2048.crt", "RSA", 2048, null, CheckStatus.Pass)]
    [InlineData("rsa4096.crt", "RSA", 4096, null, CheckStatus.Pass)]
    [InlineData("ec256.crt", "ECDSA", 256, "P-256", CheckStatus.Pass)]
    [InlineData("ec384.crt", "ECDSA", 384, "P-384", CheckStatus.Pass)]
    public void Key_algorithm_and_size_decide_CRT_01(string file, string algorithm, int size, string? curve, CheckStatus expected)
    {
        var report = One(file);
        Assert.Equal(algorithm, report.KeyAlgorithm);
        Assert.Equal(size, report.KeySize);
        Assert.Equal(curve, report.Curve);
        var crt01 = Check(report, "CRT-01");
        Assert.Equal(expected, crt01.Status);
        Assert.True(crt01.Required);
        Assert.Equal(CheckScope.Algorithm, crt01.Scope);
        Assert.Equal("FIPS 140-3", crt01.Standard);
        Assert.Equal(_ssl.P(file), crt01.Target);
        Assert.NotEmpty(crt01.Evidence);
        Assert.Equal(expected, report.Status);
        Assert.Equal(expected == CheckStatus.Pass ? "" : crt01.Remediation, crt01.Remediation);
        if (expected == CheckStatus.Fail)
        {
            Assert.Contains("1024", crt01.Actual);
            Assert.NotEmpty(crt01.Remediation);
        }
        Assert.Equal(CheckStatus.Pass, Check(report, "CRT-02").Status);
        Assert.Equal(CheckStatus.Pass, Check(report, "CRT-03").Status);
        Assert.DoesNotContain(report.Checks, c => c.CheckId == "SWM-FIPS-01");
    }

    [SkippableFact]
    public void P224_is_a_warning()
    {
        _ssl.RequireOpenSsl();
        Skip.IfNot(_ssl.P224, "this openssl cannot make P-224 keys");
        var report = One("ec224.crt");
        Assert.Equal("P-224", report.Curve);
        Assert.Equal(CheckStatus.Warning, Check(report, "CRT-01").Status);
        Assert.Equal(CheckStatus.Warning, report.Status);
    }

    [SkippableFact]
    public void Ed25519_passes_under_140_3_and_fails_under_140_2()
    {
        var fips1403 = One("ed25519.crt");
        Assert.Equal("Ed25519", fips1403.KeyAlgorithm);
        Assert.Equal("Ed25519", fips1403.SignatureAlgorithm);
        Assert.Equal(CheckStatus.Pass, Check(fips1403, "CRT-01").Status);
        Assert.Equal(CheckStatus.Pass, Check(fips1403, "CRT-02").Status);
        Assert.Equal(CheckStatus.Pass, fips1403.Status);

        var fips1402 = One("ed25519.crt", "FIPS 140-2");
        Assert.Equal(CheckStatus.Fail, Check(fips1402, "CRT-01").Status);
        Assert.Equal("FIPS 140-2", Check(fips1402, "CRT-01").Standard);
        Assert.Equal(CheckStatus.Fail, fips1402.Status);

        var profile = new ComplianceProfile { Name = "p", Standard = "FIPS 140-2", Checks = new[] { new ProfileCheck { CheckId = "CRT-01", Required = false, Severity = CheckSeverity.Low } } };
        var viaProfile = Assert.Single(CertificateAnalyzer.AnalyzeFile(_ssl.P("ed25519.crt"), profile));
        var crt01 = Check(viaProfile, "CRT-01");
        Assert.Equal(CheckStatus.Fail, crt01.Status);
        Assert.False(crt01.Required);
        Assert.Equal(CheckSeverity.Low, crt01.Severity);
        // CRT-02 (EdDSA signature, 140-2) is on a self-signed trust anchor: informational, so the optional CRT-01 does not decide.
        Assert.Equal(CheckStatus.Informational, Check(viaProfile, "CRT-02").Status);
        Assert.Equal(CheckStatus.Pass, viaProfile.Status);
    }

    [SkippableFact]
    public void Dsa_fails()
    {
        _ssl.RequireOpenSsl();
        Skip.IfNot(_ssl.Dsa, "this openssl cannot make DSA certificates");
        var report = One("dsa.crt");
        Assert.Equal("DSA", report.KeyAlgorithm);
        Assert.Equal(2048, report.KeySize);
        Assert.Equal(CheckStatus.Fail, Check(report, "CRT-01").Status);
        Assert.Equal(CheckStatus.Fail, report.Status);
    }

    [SkippableFact]
    public void Sha1_leaf_fails_but_the_sha1_trust_anchor_is_informational()
    {
        _ssl.RequireOpenSsl();
        var reports = CertificateAnalyzer.AnalyzeFile(_ssl.P("bundle-sha1.pem"));
        Assert.Equal(2, reports.Count);
        var (leaf, ca) = (reports[0], reports[1]);
        Assert.Equal(_ssl.P("bundle-sha1.pem") + "#1", leaf.Path);
        Assert.Equal(_ssl.P("bundle-sha1.pem") + "#2", ca.Path);

        Assert.Equal("sha1RSA", leaf.SignatureAlgorithm);
        Assert.False(leaf.IsSelfSigned);
        Assert.False(leaf.IsCertificateAuthority);
        Assert.Equal(CheckStatus.Fail, Check(leaf, "CRT-02").Status);
        Assert.Contains("SHA-1", Check(leaf, "CRT-02").Actual);
        Assert.Equal(CheckStatus.Fail, leaf.Status);

        Assert.Equal("sha1RSA", ca.SignatureAlgorithm);
        Assert.True(ca.IsSelfSigned);
        Assert.True(ca.IsCertificateAuthority);
        var anchor = Check(ca, "CRT-02");
        Assert.Equal(CheckStatus.Informational, anchor.Status);
        Assert.False(anchor.Required);
        Assert.Contains("trust anchor", anchor.Actual);
        Assert.Equal(CheckStatus.Pass, ca.Status);
    }

    [SkippableFact]
    public void Sha256_chain_passes()
    {
        _ssl.RequireOpenSsl();
        var reports = CertificateAnalyzer.AnalyzeFile(_ssl.P("bundle-sha256.pem"));
        Assert.Equal(2, reports.Count);
        Assert.Equal("sha256RSA", reports[0].SignatureAlgorithm);
        Assert.Equal("ECDSA", reports[0].KeyAlgorithm);
        Assert.All(reports, r => Assert.Equal(CheckStatus.Pass, r.Status));
        Assert.All(reports, r => Assert.Equal(CheckStatus.Pass, Check(r, "CRT-02").Status));
        Assert.Equal("CN=sha256 leaf", reports[0].Subject);
        Assert.Equal(reports[1].Subject, reports[0].Issuer);
        Assert.Equal(64, reports[0].Thumbprint.Length);
    }

    [SkippableFact]
    public void Sha224_is_a_warning_and_rsa_pss_with_sha256_passes()
    {
        var sha224 = One("sha224.crt");
        Assert.Equal("sha224RSA", sha224.SignatureAlgorithm);
        // The certificate is a self-signed CA: its own SHA-224 signature is informational...
        Assert.Equal(CheckStatus.Informational, Check(sha224, "CRT-02").Status);
        Assert.Contains("SHA-224", Check(sha224, "CRT-02").Actual);

        var pss = One("pss.crt");
        Assert.Equal("RSASSA-PSS", pss.SignatureAlgorithm);
        var crt02 = Check(pss, "CRT-02");
        Assert.Equal(CheckStatus.Pass, crt02.Status);
        Assert.Contains("SHA-256", crt02.Actual);
    }

    [SkippableFact]
    public void Sha224_and_md5_signed_leaves()
    {
        var sha224 = One("leaf-sha224.crt");
        Assert.Equal("sha224RSA", sha224.SignatureAlgorithm);
        Assert.Equal(CheckStatus.Warning, Check(sha224, "CRT-02").Status);
        Assert.Equal(CheckStatus.Warning, sha224.Status);

        Skip.IfNot(_ssl.Md5, "this openssl refuses MD5 signatures");
        var md5Leaf = One("leaf-md5.crt");
        Assert.Equal("md5RSA", md5Leaf.SignatureAlgorithm);
        Assert.Equal(CheckStatus.Fail, Check(md5Leaf, "CRT-02").Status);
        var md5Anchor = One("md5.crt");
        Assert.Equal(CheckStatus.Informational, Check(md5Anchor, "CRT-02").Status);
    }

    [SkippableFact]
    public void Der_file_yields_one_report_named_by_the_file()
    {
        var report = One("rsa2048.der");
        Assert.Equal(_ssl.P("rsa2048.der"), report.Path);
        Assert.Equal("CN=rsa2048", report.Subject);
        Assert.Equal(CheckStatus.Pass, report.Status);
    }

    [Theory]
    [InlineData(-400, -10, CheckStatus.Fail, "expired")]
    [InlineData(5, 400, CheckStatus.Fail, "not yet valid")]
    [InlineData(-300, 10, CheckStatus.Warning, "expires")]
    [InlineData(-1, 365, CheckStatus.Pass, "valid until")]
    public void Validity_decides_CRT_03(int fromDays, int toDays, CheckStatus expected, string phrase)
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=validity", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(now.AddDays(fromDays), now.AddDays(toDays));
        var report = CertificateAnalyzer.Analyze(cert, new CertificateCheckOptions { Now = now });
        var crt03 = Check(report, "CRT-03");
        Assert.Equal(expected, crt03.Status);
        Assert.Contains(phrase, crt03.Actual);
        Assert.Equal(expected, report.Status);
        Assert.Equal(now.AddDays(toDays).ToUnixTimeSeconds(), report.NotAfter.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("FIPS.4xhb1qhjvatlfw1dv5plblzvp", true, CheckStatus.Pass, true)]
    [InlineData("4xhb1qhjvatlfw1dv5plblzvp", true, CheckStatus.Fail, false)]
    [InlineData("FIPS.4xhb1qhjvatlfw1dv5plblzvp", null, CheckStatus.Informational, true)]
    [InlineData("4xhb1qhjvatlfw1dv5plblzvp", false, CheckStatus.Informational, false)]
    public void Swarm_node_certificates_carry_the_FIPS_marker(string organization, bool? expectFips, CheckStatus expected, bool fips)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest($"CN=nodeid123, OU=swarm-worker, O={organization}", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var report = CertificateAnalyzer.Analyze(cert, new CertificateCheckOptions { ExpectFips = expectFips });
        Assert.Equal(organization, report.SwarmClusterId);
        Assert.Equal("swarm-worker", report.SwarmRole);
        Assert.Equal(fips, report.SwarmFips);
        var swm = Check(report, "SWM-FIPS-01");
        Assert.Equal(expected, swm.Status);
        Assert.Equal(expectFips == true, swm.Required);
        Assert.Contains(fips ? "FIPS." : "no FIPS.", swm.Actual);
        Assert.Contains($"O = {organization}", swm.Evidence.Single().Excerpt);
        Assert.Equal(expected == CheckStatus.Fail ? CheckStatus.Fail : CheckStatus.Pass, report.Status);
    }

    [Fact]
    public void Non_swarm_certificates_have_no_swarm_fields()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var cert = new CertificateRequest("CN=kube-apiserver, O=system:masters", key, HashAlgorithmName.SHA384)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var report = CertificateAnalyzer.Analyze(cert, expectFips: true, standard: null);
        Assert.Null(report.SwarmClusterId);
        Assert.Null(report.SwarmRole);
        Assert.Null(report.SwarmFips);
        Assert.DoesNotContain(report.Checks, c => c.CheckId == "SWM-FIPS-01");
        Assert.Equal("sha384ECDSA", report.SignatureAlgorithm);
        Assert.Equal(CheckStatus.Pass, report.Status);
    }

    [Fact]
    public void Missing_and_invalid_files_are_errors_with_ids()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fips-cert-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var missing = Assert.Throws<FipsClusterException>(() => CertificateAnalyzer.AnalyzeFile(Path.Combine(dir, "none.crt")));
            Assert.Equal(ErrorIds.CertificateFileNotFound, missing.ErrorId);
            var junk = Path.Combine(dir, "junk.crt");
            File.WriteAllText(junk, "not a certificate");
            Assert.Equal(ErrorIds.CertificateFileInvalid, Assert.Throws<FipsClusterException>(() => CertificateAnalyzer.AnalyzeFile(junk)).ErrorId);
            var keyOnly = Path.Combine(dir, "key.pem");
            using var key = ECDsa.Create();
            File.WriteAllText(keyOnly, key.ExportPkcs8PrivateKeyPem());
            var e = Assert.Throws<FipsClusterException>(() => CertificateAnalyzer.AnalyzeFile(keyOnly));
            Assert.Equal(ErrorIds.CertificateFileInvalid, e.ErrorId);
            Assert.Equal(FipsErrorCategory.InvalidData, e.Category);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
