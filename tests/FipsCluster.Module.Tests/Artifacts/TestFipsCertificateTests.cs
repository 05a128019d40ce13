using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Artifacts;

/// <summary>Certificates reach Test-FipsCertificate from the pipeline as objects and as files.</summary>
public sealed class TestFipsCertificateTests : IClassFixture<ModuleFixture>
{
    private readonly PsSession _ps;

    public TestFipsCertificateTests(ModuleFixture module) => _ps = module.Session;

    private const string NewCertificate =
        "function New-Cert([int] $Bits, [string] $Subject) { $rsa = [System.Security.Cryptography.RSA]::Create($Bits); " +
        "[System.Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $rsa, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)" +
        ".CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(365)) }; ";

    [Fact]
    public void Certificate_objects_bind_by_value_and_files_by_property_name()
    {
        var result = _ps.Run(NewCertificate + "(New-Cert 2048 'CN=a'), (New-Cert 1024 'CN=b') | Test-FipsCertificate");
        Assert.Empty(result.Errors);
        var reports = result.Of("FipsCluster.CertificateReport");
        Assert.Equal(new[] { "Pass", "Fail" }, reports.Select(r => r.Status.ToString()));

        var file = Path.Combine(Path.GetTempPath(), "fc-cert-" + Guid.NewGuid().ToString("N")[..6] + ".pem");
        try
        {
            var pem = _ps.Run(NewCertificate + "(New-Cert 2048 'CN=c').ExportCertificatePem()").Output.Single().ToString();
            File.WriteAllText(file, pem);
            var byProperty = _ps.Run("[pscustomobject]@{ FullName = $args[0] } | Test-FipsCertificate", file);
            Assert.Equal(file, (string)byProperty.SingleOf("FipsCluster.CertificateReport").Path);
            Assert.Equal("Pass", _ps.Run("Test-FipsCertificate $args[0]", file).SingleOf("FipsCluster.CertificateReport").Status.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
