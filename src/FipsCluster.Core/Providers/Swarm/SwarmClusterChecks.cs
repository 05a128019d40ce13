using FipsCluster.Core.Compliance;

namespace FipsCluster.Core.Providers.Swarm;

/// <summary>The checks Test-FipsCluster runs on a Swarm cluster, described once; SwarmClusterCompliance reports them from here.</summary>
public static class SwarmClusterChecks
{
    private const string NotFips = " Informational for a cluster recorded as non-FIPS.";

    public static readonly CheckInfo Members = new("SWM-NODE-01", "Every member was admitted on evidence and is compliant", CheckScope.Mode, "CaC fips_mode_enabled_on_all_nodes")
    {
        Severity = CheckSeverity.High,
        Judges = "Every member the engine lists was admitted by FipsCluster (is in the cluster record), and every recorded member's host is compliant now with the "
            + "cluster's own profile (Test-FipsNode again, locally or over SSH)." + NotFips,
        Reads = "GET /nodes on the manager, the cluster record, and each member host's Test-FipsNode report",
    };

    /// <summary>Also judged by Test-FipsCertificate on a swarm node certificate (required there only with -ExpectFips).</summary>
    public static readonly CheckInfo FipsMarker = new("SWM-FIPS-01", "Swarm node certificates carry the cluster's FIPS mode", CheckScope.Mode, "swarmkit node/node.go isMandatoryFIPSClusterID, generateFIPSClusterID")
    {
        Severity = CheckSeverity.High,
        Judges = "swarmkit's marker: the cluster ID, which is every node certificate's Subject O, starts with FIPS. exactly when the swarm requires FIPS. Test-FipsCluster: "
            + "a FIPS cluster without it fails (upstream Docker never turns swarmkit's FIPS mode on; FIPS is then enforced by FipsCluster's admission only), "
            + "a non-FIPS cluster with it is a Warning. Test-FipsCertificate: a swarm node certificate must carry it with -ExpectFips; otherwise its presence is reported.",
        Reads = "Test-FipsCluster: GET /swarm .ID; Test-FipsCertificate: the certificate's Subject O and OU",
    };

    public static readonly CheckInfo RootCa = new("SWM-CA-01", "Root CA key and signature are FIPS algorithms", CheckScope.Algorithm, "swarmkit ca/certificates.go; SP 800-131A")
    {
        Severity = CheckSeverity.High,
        Judges = "The swarm's root CA certificate passes the certificate rules CRT-01 to CRT-03 (ECDSA P-256 or stronger, or RSA of at least 2048 bits; SHA-256 or stronger).",
        Reads = "GET /swarm .TLSInfo.TrustRoot",
    };

    public static readonly CheckInfo EngineCrypto = new("SWM-ENG-01", "Manager engine uses a FIPS crypto module", CheckScope.Provenance, "golang/go misc/boring README; go.dev/doc/security/fips140; Docker GET /version GoVersion")
    {
        Severity = CheckSeverity.High,
        Judges = "The manager engine's Go runtime is a BoringCrypto, Go FIPS 140-3 or OpenSSL-backed build, judged from the version it reports." + NotFips,
        Reads = "GET /version .GoVersion",
    };

    public static readonly CheckInfo RaftEncryption = new("SWM-RAFT-01", "Raft data at rest uses approved encryption", CheckScope.Algorithm, "swarmkit manager/encryption/encryption.go")
    {
        Severity = CheckSeverity.High,
        Judges = "Autolock is on and swarmkit runs in FIPS mode, so the raft log is encrypted with Fernet (AES-128-CBC and HMAC-SHA256). Upstream engines encrypt it with "
            + "NaCl secretbox (XSalsa20-Poly1305), which is not FIPS-approved: a FIPS cluster on them fails, by design and said so." + NotFips,
        Reads = "GET /swarm .Spec.EncryptionConfig.AutoLockManagers and .ID",
    };

    public static readonly CheckInfo TokenForm = new("SWM-TOKEN-01", "Join tokens carry the cluster's FIPS mode", CheckScope.Mode, "swarmkit ca/config.go GenerateJoinToken")
    {
        Severity = CheckSeverity.High,
        Judges = "The engine's worker token is SWMTKN-2-1 exactly when the cluster is FIPS. A FIPS cluster whose engine issues another form is a Warning "
            + "(Get-SwarmJoinToken -Cluster hands out SWMTKN-2-1 for it); a non-FIPS cluster issuing SWMTKN-2-1 fails.",
        Reads = "GET /swarm .JoinTokens.Worker (its form only; the secret is never shown)",
    };

    public static IReadOnlyList<CheckInfo> All { get; } = new[] { Members, FipsMarker, RootCa, EngineCrypto, RaftEncryption, TokenForm };
}
