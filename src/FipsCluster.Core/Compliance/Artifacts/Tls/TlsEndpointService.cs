using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FipsCluster.Core.Operations;
using static FipsCluster.Core.Compliance.CheckResults;

namespace FipsCluster.Core.Compliance.Artifacts.Tls;

/// <summary>Probes one endpoint and judges it: protocol versions, cipher suites, and the certificate chain.</summary>
internal static class TlsEndpointService
{
    /// <summary>Judges a certificate the server presented; supplied by the caller so certificate rules live in one place.</summary>
    public delegate CertificateReport CertificateJudge(X509Certificate2 certificate, string source);

    public static async Task<TlsEndpointReport> TestAsync(string host, int port, ComplianceProfile profile, TimeSpan timeout, CertificateJudge judge, OperationContext context)
    {
        var cancellation = context.Cancellation;
        var target = $"{host}:{port}";
        var protocols = new List<string>();
        var probes = new List<TlsProbe>();
        var notProbed = new List<string>();
#pragma warning disable SYSLIB0039 // TLS 1.0/1.1 are offered only to see whether the server still accepts them.
        var versions = new[] { (SslProtocols.Tls, "Tls10"), (SslProtocols.Tls11, "Tls11"), (SslProtocols.Tls12, "Tls12"), (SslProtocols.Tls13, "Tls13") };
#pragma warning restore SYSLIB0039
        X509Certificate2[] chain = Array.Empty<X509Certificate2>();
        foreach (var (protocol, name) in versions)
        {
            context.Progress(new OperationProgress($"Probing {target}", $"protocol {name}"));
            var probe = await TlsEndpointProber.HandshakeAsync(host, port, protocol, null, timeout, cancellation).ConfigureAwait(false);
            if (probe.Accepted)
            {
                protocols.Add(name);
                if (chain.Length == 0)
                {
                    chain = probe.Chain;
                }
            }
            else if (ClientCannotOffer(probe.Failure))
            {
                notProbed.Add($"{name} ({probe.Failure})");
            }
            context.Verbose($"{target} {name}: {(probe.Accepted ? "accepted" : "refused: " + probe.Failure)}");
        }
        var suites = new List<TlsSuiteResult>();
        foreach (var (protocol, name, candidates) in new[] { (SslProtocols.Tls12, "Tls12", FipsTlsPolicy.ProbedTls12), (SslProtocols.Tls13, "Tls13", FipsTlsPolicy.ProbedTls13) })
        {
            if (!protocols.Contains(name))
            {
                continue;
            }
            foreach (var suite in candidates)
            {
                context.Progress(new OperationProgress($"Probing {target}", $"{name} {suite}"));
                var probe = await TlsEndpointProber.HandshakeAsync(host, port, protocol, suite, timeout, cancellation).ConfigureAwait(false);
                if (!probe.Accepted && ClientCannotOffer(probe.Failure))
                {
                    notProbed.Add($"{name} {suite}");
                    continue;
                }
                var accepted = probe.Accepted && probe.Negotiated == suite;
                suites.Add(new TlsSuiteResult { Protocol = name, CipherSuite = FipsTlsPolicy.Name(suite), Accepted = accepted, Approved = FipsTlsPolicy.IsStrict(suite) });
                if (accepted && chain.Length == 0)
                {
                    chain = probe.Chain;
                }
            }
        }
        var certificates = chain.Select((c, i) => judge(c, $"{target}#{i}")).ToList();
        var checks = Judge(target, profile, protocols, suites, notProbed, certificates);
        return new TlsEndpointReport
        {
            ComputerName = host,
            Port = port,
            Protocols = protocols,
            CipherSuites = suites,
            UnapprovedAccepted = suites.Where(s => s.Accepted && !s.Approved).Select(s => $"{s.Protocol} {s.CipherSuite}").ToList(),
            Certificates = certificates,
            Checks = checks,
            Status = ArtifactResults.Worst(checks),
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    /// <summary>Failures that come from this machine's TLS library refusing to offer the suite or version, not from the server.</summary>
    private static bool ClientCannotOffer(string? failure) =>
        failure is not null && (failure.Contains("no cipher match", StringComparison.OrdinalIgnoreCase)
                                || failure.Contains("no protocols available", StringComparison.OrdinalIgnoreCase)
                                || failure.Contains("not supported", StringComparison.OrdinalIgnoreCase)
                                || failure.Contains("unsupported protocol", StringComparison.OrdinalIgnoreCase) && failure.Contains("client", StringComparison.OrdinalIgnoreCase));

    private static List<CheckResult> Judge(string target, ComplianceProfile profile, List<string> protocols, List<TlsSuiteResult> suites, List<string> notProbed, List<CertificateReport> certificates)
    {
        var subject = new CheckSubject(target, profile.Standard, profile);
        var checks = new List<CheckResult>();
        var old = protocols.Where(p => p is "Tls10" or "Tls11").ToList();
        var modern = protocols.Where(p => p is "Tls12" or "Tls13").ToList();
        var protocolEvidence = protocols.Select(p => new CheckEvidence("handshake " + p, "accepted")).Concat(notProbed.Select(n => new CheckEvidence("not probed", n))).ToArray();
        checks.Add(Create(ArtifactCheckCatalog.TlsProtocols, Outcome(
            old.Count > 0 ? CheckStatus.Fail : modern.Count > 0 ? CheckStatus.Pass : CheckStatus.Error,
            "TLS 1.2 and/or TLS 1.3; no TLS 1.0/1.1",
            old.Count > 0 ? "accepts " + string.Join(", ", protocols) : modern.Count > 0 ? "accepts " + string.Join(", ", protocols) : "no protocol version was accepted",
            old.Count > 0 ? "Set the minimum TLS version to 1.2 (--tls-min-version=VersionTLS12; etcd --tls-min-version=TLS1.2)." : "",
            protocolEvidence), subject));

        var acceptedSuites = suites.Where(s => s.Accepted).ToList();
        var unapproved = acceptedSuites.Where(s => !s.Approved && !FipsTlsPolicy.IsAcceptable(Enum.Parse<TlsCipherSuite>(s.CipherSuite))).ToList();
        var acceptableOnly = acceptedSuites.Where(s => FipsTlsPolicy.IsAcceptable(Enum.Parse<TlsCipherSuite>(s.CipherSuite))).ToList();
        var chacha13 = unapproved.Any(s => s.Protocol == "Tls13" && s.CipherSuite.Contains("CHACHA20", StringComparison.Ordinal));
        var suiteStatus = acceptedSuites.Count == 0 ? CheckStatus.Error : unapproved.Count > 0 ? CheckStatus.Fail : acceptableOnly.Count > 0 ? CheckStatus.Warning : CheckStatus.Pass;
        checks.Add(Create(ArtifactCheckCatalog.TlsCipherSuites, Outcome(suiteStatus,
            "ECDHE with AES-GCM (TLS 1.2); AES-GCM (TLS 1.3)",
            acceptedSuites.Count == 0 ? "no offered suite was accepted" :
            unapproved.Count > 0 ? "accepts " + string.Join(", ", unapproved.Select(s => $"{s.Protocol} {s.CipherSuite}")) + (chacha13 ? " (TLS 1.3 ChaCha20: only a FIPS-mode binary refuses it; --tls-cipher-suites cannot)" : "")
            : acceptableOnly.Count > 0 ? "accepts the CBC-SHA256 suites of Go's FIPS 140-3 mode: " + string.Join(", ", acceptableOnly.Select(s => s.CipherSuite))
            : $"accepts only approved suites ({acceptedSuites.Count})",
            unapproved.Count > 0 ? "Restrict the server to the approved suites (--tls-cipher-suites / etcd --cipher-suites) and run a FIPS-mode build, which also refuses TLS 1.3 ChaCha20." : "",
            acceptedSuites.Select(s => new CheckEvidence($"handshake {s.Protocol} {s.CipherSuite}", "accepted")).ToArray()), subject));

        if (certificates.Count > 0)
        {
            var worst = ArtifactResults.Worst(certificates.SelectMany(c => c.Checks));
            checks.Add(Create(ArtifactCheckCatalog.TlsCertificateChain, Outcome(worst,
                "every certificate passes CRT-01/CRT-02/CRT-03",
                string.Join("; ", certificates.Select(c => $"{c.Subject}: {c.KeyAlgorithm} {c.KeySize}, {c.SignatureAlgorithm} ({c.Status})")),
                worst is CheckStatus.Pass ? "" : "Reissue the certificates with RSA ≥ 2048 or ECDSA P-256/P-384 keys and SHA-256+ signatures.",
                certificates.Select(c => new CheckEvidence(c.Path, $"{c.Subject} {c.Status}")).ToArray()), subject));
        }
        return checks;
    }
}
