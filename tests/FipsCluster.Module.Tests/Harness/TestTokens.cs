using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>Helpers the token tests share: a throwaway swarm-like root CA, and reading a SecureString back.</summary>
internal static class TestTokens
{
    /// <summary>A self-signed ECDSA P-256 CA, like a swarm root CA.</summary>
    public static X509Certificate2 NewCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=swarm-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>The plain text of a token the module returned as a SecureString.</summary>
    public static string Reveal(SecureString token)
    {
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(token);
        try { return Marshal.PtrToStringUni(ptr)!; }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(ptr); }
    }
}
