using FipsCluster.Core.Compliance.Artifacts;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>Node checks over the artifact reports: component binaries, PKI certificates and private keys.</summary>
public static class NodeArtifactChecks
{
    private static readonly string Pki = string.Join(", ", LinuxFactCatalog.PkiDirectories);

    public static IReadOnlyList<CheckDefinition<NodeCheckInput>> All { get; } = new CheckDefinition<NodeCheckInput>[]
    {
        new("NODE-GO-01", "Cluster component binaries use a FIPS crypto module", CheckScope.Provenance, "rsc/goversion version/read.go; golang/go debug/buildinfo; go.dev/doc/security/fips140", Binaries)
        {
            Judges = "Every Go component binary found is a BoringCrypto, Go FIPS 140-3 (validated module) or OpenSSL-backed build, judged as Test-FipsBinary judges a file; "
                + "the worst binary decides. Not applicable when none is found.",
            Reads = $"{string.Join(", ", LinuxFactCatalog.ComponentBinaryNames)} in {string.Join(", ", LinuxFactCatalog.ComponentBinaryDirectories)}: "
                + $"their Go build info and crypto markers (over SSH or from a node-check pod only the build-info blob (its header and the version and module strings, by their own bounds), or just its SHA-256 when another node of the scan sent that blob, and the marker offsets leave the node)",
        },
        new("NODE-CRT-01", "Cluster certificates use FIPS algorithms", CheckScope.Algorithm, "SP 800-131A r2; FIPS 186-5 (CRT-01..03)", Certificates)
        {
            Judges = "Every certificate in the cluster PKI directories passes CRT-01, CRT-02 and CRT-03 (the Test-FipsCertificate rules); the worst decides. Not applicable when there is none.",
            Reads = $"the certificates in {Pki}",
        },
        new("NODE-KEY-01", "Cluster private keys are stored in FIPS-acceptable form", CheckScope.Algorithm, "SP 800-132; RFC 8018; swarmkit keyutils (KEY-01..05)", Keys)
        {
            Judges = "Every private key in the cluster PKI directories passes KEY-01 to KEY-05 (the Test-FipsPrivateKey rules): PKCS#8, PBES2 with PBKDF2-HMAC-SHA-2 and AES when encrypted, "
                + "mode 0600. The worst decides. Not applicable when there is none.",
            Reads = $"the private keys in {Pki} (over SSH: PEM labels and headers; key bodies only when encrypted)",
        },
        new("NODE-KENC-01", "Kubernetes secrets are encrypted at rest with an approved provider", CheckScope.Algorithm, "K8S-ENC-01; CaC api_server_encryption_provider_cipher", input => KubeEncryptionAtRest.Judge(input.Facts.KubeEncryption))
        {
            Judges = "On a kubeadm control plane, kube-apiserver's --encryption-provider-config puts aescbc, aesgcm or kms first for secrets; identity or secretbox first, no such flag, "
                + "or no resources entry for secrets fails; an unreadable file is Error. Not applicable when the node is not a kubeadm control plane.",
            Reads = $"{KubeEncryptionAtRest.ApiServerManifest} and the file its --encryption-provider-config names (only its structural lines: resources, providers, provider kinds; never a key)",
        },
    };

    private static CheckOutcome Binaries(NodeCheckInput input)
    {
        var go = input.Facts.BinaryReports.Where(b => b.IsGo).ToList();
        if (go.Count == 0)
        {
            return CheckOutcome.NotApplicable("no cluster component binaries (kubelet, etcd, containerd, runc, dockerd…) found");
        }
        var evidence = go.Select(b => new CheckEvidence(b.Path, $"{b.CryptoModule} ({b.GoVersion}): {b.Reason}")).ToArray();
        var status = Worst(go.Select(b => b.Status));
        var bad = go.Where(b => b.Status is not (CheckStatus.Pass or CheckStatus.NotApplicable)).ToList();
        return new CheckOutcome(status, "BoringCrypto, Go FIPS 140-3 (validated module) or OpenSSL-backed builds",
            bad.Count == 0 ? $"{go.Count} binaries: " + string.Join(", ", go.Select(b => $"{Path.GetFileName(b.Path)} {b.CryptoModule}"))
                : string.Join(", ", bad.Select(b => $"{Path.GetFileName(b.Path)}: {b.CryptoModule}")),
            evidence,
            status is CheckStatus.Pass ? "" : "Install FIPS builds of the components (e.g. DKP's +fips.N packages, RKE2, or builds with GOEXPERIMENT=boringcrypto / GOFIPS140=v1.0.0).");
    }

    private static CheckOutcome Certificates(NodeCheckInput input)
    {
        var certificates = input.Facts.CertificateReports;
        if (certificates.Count == 0)
        {
            return CheckOutcome.NotApplicable("no certificates in the cluster PKI directories");
        }
        var status = Worst(certificates.Select(c => c.Status));
        var bad = certificates.Where(c => c.Status is not (CheckStatus.Pass or CheckStatus.NotApplicable)).ToList();
        return new CheckOutcome(status, "every certificate passes CRT-01..03",
            bad.Count == 0 ? $"{certificates.Count} certificates pass" : string.Join("; ", bad.Select(c => $"{c.Path}: {string.Join(", ", c.Checks.Where(x => x.Required && !x.IsSatisfied || x.Status is CheckStatus.Warning).Select(x => $"{x.CheckId} {x.Actual}"))}")),
            certificates.Select(c => new CheckEvidence(c.Path, $"{c.KeyAlgorithm} {c.KeySize} {c.Curve} {c.SignatureAlgorithm}: {c.Status}")).ToArray(),
            status is CheckStatus.Pass ? "" : "Reissue these certificates with RSA ≥ 2048 or ECDSA P-256/P-384 keys and SHA-256+ signatures.");
    }

    private static CheckOutcome Keys(NodeCheckInput input)
    {
        var keys = input.Facts.KeyReports;
        if (keys.Count == 0)
        {
            return CheckOutcome.NotApplicable("no private keys in the cluster PKI directories");
        }
        var status = Worst(keys.Select(k => k.Status));
        var bad = keys.Where(k => k.Status is not (CheckStatus.Pass or CheckStatus.NotApplicable)).ToList();
        return new CheckOutcome(status, "PKCS#8 (PBES2/PBKDF2-HMAC-SHA-2/AES when encrypted), mode 0600",
            bad.Count == 0 ? $"{keys.Count} keys pass" : string.Join("; ", bad.Select(k => $"{k.Path}: {k.Format} {string.Join(", ", k.Checks.Where(x => x.Status is not (CheckStatus.Pass or CheckStatus.NotApplicable or CheckStatus.Informational)).Select(x => $"{x.CheckId} {x.Actual}"))}")),
            keys.Select(k => new CheckEvidence(k.Path, $"{k.Format} {k.FileMode}: {k.Status}")).ToArray(),
            status is CheckStatus.Pass ? "" : "Convert the keys with ConvertTo-FipsPrivateKey and restrict them to mode 0600.");
    }

    private static CheckStatus Worst(IEnumerable<CheckStatus> statuses) => ArtifactResults.Worst(statuses);
}
