using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using static FipsCluster.Core.Compliance.Artifacts.ArtifactResults;
using static FipsCluster.Core.Compliance.CheckResults;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>How certificates are judged.</summary>
public sealed record CertificateCheckOptions
{
    /// <summary>"FIPS 140-3" (default) or "FIPS 140-2"; ignored when <see cref="Profile"/> is set.</summary>
    public string? Standard { get; init; }

    /// <summary>Supplies the standard and, for check ids it lists, Required and Severity.</summary>
    public ComplianceProfile? Profile { get; init; }

    /// <summary>
    /// For swarm node certificates: true requires the FIPS. cluster marker (SWM-FIPS-01 fails without it);
    /// false or null only reports whether it is there.
    /// </summary>
    public bool? ExpectFips { get; init; }

    /// <summary>The instant validity is judged at; now when null.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>A certificate expiring within this window is a warning (CRT-03). 30 days by default.</summary>
    public TimeSpan ExpiryWarning { get; init; } = TimeSpan.FromDays(30);

    internal string EffectiveStandard => NormalizeStandard(Profile?.Standard ?? Standard);
}

/// <summary>
/// FIPS verdicts on X.509 certificates (SP 800-131A Rev.2, FIPS 186-5): CRT-01 key algorithm and size, CRT-02 signature
/// hash, CRT-03 validity and, for swarm node certificates, SWM-FIPS-01 (the FIPS. cluster marker in the Subject O).
/// </summary>
public static class CertificateAnalyzer
{
    /// <summary>The OU values swarmkit puts in node certificates (ca/config.go ManagerRole, WorkerRole, CARole).</summary>
    public static readonly IReadOnlyList<string> SwarmRoles = new[] { "swarm-manager", "swarm-worker", "swarm-ca" };

    private const long MaxFileSize = 16 * 1024 * 1024;

    /// <summary>Every certificate in a PEM bundle or a DER file; bundle entries are named "path#n" (from 1).</summary>
    public static IReadOnlyList<CertificateReport> AnalyzeFile(string path, CertificateCheckOptions? options = null) =>
        AnalyzeContent(path, ReadFile(path), options);

    /// <summary>Every certificate in content read elsewhere (e.g. a remote node's PKI file), named after <paramref name="path"/>.</summary>
    public static IReadOnlyList<CertificateReport> AnalyzeContent(string path, byte[] data, CertificateCheckOptions? options = null)
    {
        options ??= new CertificateCheckOptions();
        var certificates = ParseCertificates(data, path);
        try
        {
            var reports = new List<CertificateReport>(certificates.Count);
            for (var i = 0; i < certificates.Count; i++)
            {
                var name = certificates.Count == 1 ? path : $"{path}#{i + 1}";
                reports.Add(Analyze(certificates[i], options, name));
            }
            return reports;
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Every certificate in a file, judged against a standard ("FIPS 140-3" when null).</summary>
    public static IReadOnlyList<CertificateReport> AnalyzeFile(string path, string? standard, bool? expectFips = null) =>
        AnalyzeFile(path, new CertificateCheckOptions { Standard = standard, ExpectFips = expectFips });

    /// <summary>Every certificate in a file, judged against a profile's standard and check settings.</summary>
    public static IReadOnlyList<CertificateReport> AnalyzeFile(string path, ComplianceProfile profile, bool? expectFips = null) =>
        AnalyzeFile(path, new CertificateCheckOptions { Profile = profile, ExpectFips = expectFips });

    /// <summary>One certificate, judged against a standard ("FIPS 140-3" when null).</summary>
    public static CertificateReport Analyze(X509Certificate2 certificate, string? standard, bool? expectFips = null) =>
        Analyze(certificate, new CertificateCheckOptions { Standard = standard, ExpectFips = expectFips });

    /// <summary>One certificate, judged against a profile.</summary>
    public static CertificateReport Analyze(X509Certificate2 certificate, ComplianceProfile profile, bool? expectFips = null) =>
        Analyze(certificate, new CertificateCheckOptions { Profile = profile, ExpectFips = expectFips });

    /// <summary>One certificate; <paramref name="path"/> is what the report names as its source (empty for a pipeline object).</summary>
    public static CertificateReport Analyze(X509Certificate2 certificate, CertificateCheckOptions? options = null, string path = "")
    {
        ArgumentNullException.ThrowIfNull(certificate);
        options ??= new CertificateCheckOptions();
        var standard = options.EffectiveStandard;
        var profile = options.Profile;
        var target = path.Length > 0 ? path : certificate.Subject;
        var evidenceSource = path.Length > 0 ? path : "certificate " + certificate.Subject;

        var key = KeyAlgorithms.DescribePublicKey(
            certificate.PublicKey.Oid.Value ?? "",
            certificate.PublicKey.EncodedParameters?.RawData ?? Array.Empty<byte>(),
            certificate.PublicKey.EncodedKeyValue.RawData);
        var signature = ReadSignatureAlgorithm(certificate.RawData);
        var basicConstraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var isCa = basicConstraints?.CertificateAuthority ?? false;
        var selfSigned = IsSelfSigned(certificate);
        // A trust anchor: self-issued and a CA (or a v1 root without basicConstraints). SP 800-131A lets its own
        // self-signature be ignored: nobody relies on it, the anchor is trusted by configuration.
        var trustAnchor = selfSigned && (isCa || basicConstraints is null);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var swarm = SwarmIdentity(certificate.SubjectName);

        var subject = new CheckSubject(target, standard, profile);
        var checks = new List<CheckResult>
        {
            Create(ArtifactCheckCatalog.CertificateKey, KeyCheck(key, standard, evidenceSource), subject),
            Create(ArtifactCheckCatalog.CertificateSignature, SignatureCheck(signature, standard, trustAnchor, evidenceSource), subject),
            Create(ArtifactCheckCatalog.CertificateValidity,
                ValidityCheck(notBefore, notAfter, options.Now ?? DateTimeOffset.UtcNow, options.ExpiryWarning, evidenceSource), subject),
        };
        if (swarm is not null)
        {
            checks.Add(Create(Providers.Swarm.SwarmClusterChecks.FipsMarker, SwarmCheck(swarm.Value, options.ExpectFips, evidenceSource), subject with { RequiredByDefault = options.ExpectFips == true }));
        }

        return new CertificateReport
        {
            Path = path,
            Subject = certificate.Subject,
            Issuer = certificate.Issuer,
            Thumbprint = Convert.ToHexString(SHA256.HashData(certificate.RawData)),
            NotBefore = notBefore,
            NotAfter = notAfter,
            KeyAlgorithm = key.Algorithm,
            KeySize = key.Size,
            Curve = key.Curve,
            SignatureAlgorithm = signature.Name,
            IsSelfSigned = selfSigned,
            IsCertificateAuthority = isCa,
            SwarmClusterId = swarm?.ClusterId,
            SwarmRole = swarm?.Role,
            SwarmFips = swarm is null ? null : swarm.Value.ClusterId?.StartsWith("FIPS.", StringComparison.Ordinal) ?? false,
            Checks = checks,
            Status = Worst(checks),
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FipsClusterException(ErrorIds.CertificateFileNotFound, FipsErrorCategory.ObjectNotFound,
                    $"The certificate file '{path}' does not exist.", path);
            }
            if (info.Length > MaxFileSize)
            {
                throw new FipsClusterException(ErrorIds.CertificateFileInvalid, FipsErrorCategory.InvalidData,
                    $"'{path}' is {info.Length} bytes: too large for a certificate file.", path);
            }
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new FipsClusterException(ErrorIds.CertificateFileUnreadable, e is UnauthorizedAccessException ? FipsErrorCategory.PermissionDenied : FipsErrorCategory.ReadError,
                $"The certificate file '{path}' could not be read: {e.Message}", path, e);
        }
    }

    private static List<X509Certificate2> ParseCertificates(byte[] data, string path)
    {
        var certificates = new List<X509Certificate2>();
        try
        {
            if (PemBlocks.LooksLikePem(data))
            {
                foreach (var block in PemBlocks.ReadAll(Encoding.UTF8.GetString(data)))
                {
                    if (block.Label is "CERTIFICATE" or "X509 CERTIFICATE" or "TRUSTED CERTIFICATE")
                    {
                        // OpenSSL's TRUSTED CERTIFICATE appends trust settings after the certificate: keep the first element.
                        AsnDecoder.ReadEncodedValue(block.Data, AsnEncodingRules.BER, out _, out _, out var length);
                        certificates.Add(new X509Certificate2(block.Data.AsSpan(0, length).ToArray()));
                    }
                }
            }
            else
            {
                certificates.Add(new X509Certificate2(data));
            }
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or ArgumentException)
        {
            foreach (var c in certificates)
            {
                c.Dispose();
            }
            throw new FipsClusterException(ErrorIds.CertificateFileInvalid, FipsErrorCategory.InvalidData,
                $"'{path}' holds a certificate that could not be parsed: {e.Message}", path, e);
        }
        if (certificates.Count == 0)
        {
            throw new FipsClusterException(ErrorIds.CertificateFileInvalid, FipsErrorCategory.InvalidData,
                $"'{path}' holds no X.509 certificate (expected PEM 'BEGIN CERTIFICATE' blocks or one DER certificate).", path);
        }
        return certificates;
    }

    private static bool IsSelfSigned(X509Certificate2 certificate)
    {
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return false;
        }
        var ski = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        return ski?.SubjectKeyIdentifierBytes is not { } s || aki?.KeyIdentifier is not { } a || s.Span.SequenceEqual(a.Span);
    }

    internal readonly record struct SignatureInfo(string Oid, string Name, string Family, string? Hash, string? Detail);

    /// <summary>Reads Certificate.signatureAlgorithm, including RSASSA-PSS parameters (X509Certificate2 does not expose them).</summary>
    internal static SignatureInfo ReadSignatureAlgorithm(byte[] certificate)
    {
        var outer = new AsnReader(certificate, AsnEncodingRules.BER).ReadSequence();
        outer.ReadEncodedValue();
        var algorithm = outer.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (oid == KeyAlgorithms.RsaPssOid)
        {
            var (hash, mgfHash) = ReadPssHashes(algorithm);
            var worse = HashRank(mgfHash) < HashRank(hash) ? mgfHash : hash;
            return new SignatureInfo(oid, "RSASSA-PSS", "RSA-PSS", worse, $"RSASSA-PSS with {hash}, MGF1-{mgfHash}");
        }
        if (KeyAlgorithms.Signatures.TryGetValue(oid, out var known))
        {
            return new SignatureInfo(oid, known.Name, known.Family, known.Hash, null);
        }
        return new SignatureInfo(oid, oid, "unknown", null, null);
    }

    private static (string Hash, string MgfHash) ReadPssHashes(AsnReader algorithm)
    {
        // RSASSA-PSS-params: hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT mgf1SHA1, saltLength [2], trailerField [3].
        string hash = "SHA-1", mgf = "SHA-1";
        if (!algorithm.HasData || algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.Null))
        {
            return (hash, mgf);
        }
        var parameters = algorithm.ReadSequence();
        while (parameters.HasData)
        {
            var tag = parameters.PeekTag();
            var field = parameters.ReadSequence(tag);
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                continue;
            }
            if (tag.TagValue == 0)
            {
                hash = HashName(field.ReadSequence().ReadObjectIdentifier());
            }
            else if (tag.TagValue == 1)
            {
                var mgfAlgorithm = field.ReadSequence();
                mgfAlgorithm.ReadObjectIdentifier();
                if (mgfAlgorithm.HasData)
                {
                    mgf = HashName(mgfAlgorithm.ReadSequence().ReadObjectIdentifier());
                }
            }
        }
        return (hash, mgf);
    }

    private static string HashName(string oid) => KeyAlgorithms.Hashes.TryGetValue(oid, out var name) ? name : oid;

    /// <summary>0 unacceptable, 1 SHA-224 class (112-bit), 2 SHA-256 and stronger, -1 unknown.</summary>
    private static int HashRank(string? hash) => hash switch
    {
        "MD2" or "MD5" or "SHA-1" => 0,
        "SHA-224" or "SHA-512/224" or "SHA3-224" => 1,
        "SHA-256" or "SHA-384" or "SHA-512" or "SHA-512/256" or "SHA3-256" or "SHA3-384" or "SHA3-512" or "SHAKE256" => 2,
        _ => -1,
    };

    private static CheckOutcome KeyCheck(KeyDescription key, string standard, string source)
    {
        var (status, expected, actual, remediation) = KeyAlgorithms.Judge(key, standard);
        return Outcome(status, expected, actual, remediation, new CheckEvidence(source, $"Subject Public Key: {key}{(key.Size > 0 && key.Curve is not null ? $" ({key.Size} bit)" : "")}"));
    }

    private static CheckOutcome SignatureCheck(SignatureInfo signature, string standard, bool trustAnchor, string source)
    {
        const string expected = "SHA-256/384/512 (ECDSA, RSA PKCS#1 v1.5 or RSA-PSS); SHA-224 tolerated; no MD5/SHA-1 (except a trust anchor's self-signature)";
        var evidence = new CheckEvidence(source, $"Signature Algorithm: {signature.Detail ?? signature.Name} ({signature.Oid})");
        const string reissue = "Reissue the certificate signed with SHA-256 or stronger (e.g. openssl x509 -req -sha256 / ECDSA with SHA-384).";
        var described = signature.Detail ?? signature.Name;
        var (status, actual, remediation) = signature switch
        {
            { Family: "unknown" } => (CheckStatus.Unknown, $"unrecognised signature algorithm {signature.Oid}", ""),
            { Family: "EdDSA" } when ArtifactResults.Is1402(standard) =>
                (CheckStatus.Fail, $"{described}: EdDSA is not approved by FIPS 186-4 (FIPS 140-2)", reissue),
            { Family: "EdDSA" } => (CheckStatus.Pass, $"{described}: approved by FIPS 186-5 (FIPS 140-3)", ""),
            { Family: "DSA" } when HashRank(signature.Hash) >= 1 => ArtifactResults.Is1402(standard)
                ? (CheckStatus.Warning, $"{described}: DSA, approved by FIPS 186-4 but withdrawn for signature generation in FIPS 186-5", reissue)
                : (CheckStatus.Fail, $"{described}: FIPS 186-5 no longer approves DSA signature generation", reissue),
            _ => HashRank(signature.Hash) switch
            {
                2 => (CheckStatus.Pass, described, ""),
                1 => (CheckStatus.Warning, $"{described}: SHA-224 (112-bit) is allowed by SP 800-131A but excluded by Go/BoringSSL FIPS TLS and the FIPS crypto policy", reissue),
                0 => (CheckStatus.Fail, $"{described}: {signature.Hash} signatures are disallowed by SP 800-131A Rev.2", reissue),
                _ => (CheckStatus.Unknown, $"{described}: unrecognised hash {signature.Hash}", ""),
            },
        };
        if (trustAnchor && status is CheckStatus.Fail or CheckStatus.Warning)
        {
            return Outcome(CheckStatus.Informational, expected,
                $"{actual} — but this is a self-signed trust anchor's own signature, which is not relied on (SP 800-131A)", "", evidence);
        }
        return Outcome(status, expected, actual, remediation, evidence);
    }

    private static CheckOutcome ValidityCheck(DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset now, TimeSpan warning, string source)
    {
        var evidence = new CheckEvidence(source, $"Not Before: {notBefore:u}, Not After: {notAfter:u}");
        var expected = $"valid now and for more than {warning.TotalDays:0} days";
        const string renew = "Renew the certificate.";
        if (now < notBefore)
        {
            return Outcome(CheckStatus.Fail, expected, $"not yet valid: valid from {notBefore:u}", "Check the issuing CA's and this host's clocks, or reissue the certificate.", evidence);
        }
        if (now > notAfter)
        {
            return Outcome(CheckStatus.Fail, expected, $"expired on {notAfter:u} ({(now - notAfter).TotalDays:0} days ago)", renew, evidence);
        }
        var left = notAfter - now;
        return left < warning
            ? Outcome(CheckStatus.Warning, expected, $"expires on {notAfter:u}, in {left.TotalDays:0.#} days", renew, evidence)
            : Outcome(CheckStatus.Pass, expected, $"valid until {notAfter:u} ({left.TotalDays:0} days left)", "", evidence);
    }

    internal readonly record struct SwarmSubject(string Role, string? ClusterId, string? NodeId);

    /// <summary>swarmkit node certificates: CN = node ID, OU = swarm-manager|swarm-worker, O = cluster ID (ca/certificates.go).</summary>
    internal static SwarmSubject? SwarmIdentity(X500DistinguishedName subject)
    {
        string? role = null, organization = null, commonName = null;
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }
            var value = rdn.GetSingleElementValue();
            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.11" when value is not null && SwarmRoles.Contains(value, StringComparer.Ordinal):
                    role = value;
                    break;
                case "2.5.4.10":
                    organization = value;
                    break;
                case "2.5.4.3":
                    commonName = value;
                    break;
            }
        }
        return role is null ? null : new SwarmSubject(role, organization, commonName);
    }

    private static CheckOutcome SwarmCheck(SwarmSubject swarm, bool? expectFips, string source)
    {
        var evidence = new CheckEvidence(source, $"Subject O = {swarm.ClusterId ?? "(absent)"}, OU = {swarm.Role}");
        var fips = swarm.ClusterId?.StartsWith("FIPS.", StringComparison.Ordinal) ?? false;
        const string expected = "O = FIPS.<cluster id> (a FIPS-mandatory swarm)";
        if (expectFips == true)
        {
            return fips
                ? Outcome(CheckStatus.Pass, expected, $"O = {swarm.ClusterId}: the cluster requires FIPS", "", evidence)
                : Outcome(CheckStatus.Fail, expected,
                    swarm.ClusterId is null ? "the certificate has no Subject O (cluster ID)" : $"O = {swarm.ClusterId}: no FIPS. prefix, the swarm does not require FIPS",
                    "A swarm's FIPS mode is fixed when it is created: create a new swarm with swarmkit FIPS=true (Mirantis/Docker EE 'docker swarm init' on a FIPS host) and rejoin the nodes; upstream Docker never sets it.",
                    evidence);
        }
        return Outcome(CheckStatus.Informational, expected,
            fips ? $"O = {swarm.ClusterId}: the FIPS. marker is present (FIPS-mandatory swarm)"
                 : $"O = {swarm.ClusterId ?? "(absent)"}: no FIPS. marker (the swarm does not require FIPS)",
            "", evidence);
    }
}
