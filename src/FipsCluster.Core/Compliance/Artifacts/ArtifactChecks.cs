using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Core.Compliance.Artifacts.Tls;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Compliance.Artifacts;

/// <summary>The artifact services the cmdlets call, wired together (a TLS endpoint's chain is judged by the certificate rules).</summary>
public static class ArtifactChecks
{
    public static Task<TlsEndpointReport> TestTlsEndpointAsync(string host, int port, ComplianceProfile profile, TimeSpan timeout, OperationContext context) =>
        TlsEndpointService.TestAsync(host, port, profile, timeout,
            (certificate, source) => CertificateAnalyzer.Analyze(certificate, new CertificateCheckOptions { Profile = profile }, source), context);
}
