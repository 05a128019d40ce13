using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FipsCluster.Core.Tests.Tokens;

internal static class TestCertificates
{
    /// <summary>A self-signed ECDSA P-256 CA, like a swarm root CA.</summary>
    public static X509Certificate2 NewRootCa(string name = "swarm-ca")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>PEM exactly as Go's pem.Encode (and so the engine's TrustRoot) writes it.</summary>
    public static string GoPem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";
}
