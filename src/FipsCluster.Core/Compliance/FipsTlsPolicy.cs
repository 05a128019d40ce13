using System.Net.Security;

namespace FipsCluster.Core.Compliance;

/// <summary>
/// The FIPS-approved TLS cipher suites, in one place (every check that needs them reads them here).
/// Strict = Go+BoringCrypto fipsonly / BoringSSL's FIPS policy / the DISA Kubernetes STIG list: TLS 1.2 ECDHE with
/// AES-GCM, TLS 1.3 AES-GCM. Go's native FIPS 140-3 mode also allows two ECDHE AES-CBC-SHA256 suites; those are
/// "acceptable" here and flagged as Warning. Everything else (RSA key transport, CBC-SHA1, 3DES, ChaCha20 —
/// including TLS 1.3 ChaCha20, which Go's --tls-cipher-suites cannot switch off) is a finding.
/// Sources: golang/go crypto/tls defaults_boring.go, defaults_fips140.go; STIG CNTR-K8-001400.
/// </summary>
public static class FipsTlsPolicy
{
    public static readonly TlsCipherSuite[] StrictTls12 =
    {
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    };

    public static readonly TlsCipherSuite[] StrictTls13 =
    {
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
    };

    /// <summary>Allowed by Go's native FIPS 140-3 mode but not by the strict list.</summary>
    public static readonly TlsCipherSuite[] AcceptableTls12 =
    {
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    };

    /// <summary>What a probe offers, one at a time: the approved suites and the non-approved ones servers commonly accept.</summary>
    public static readonly TlsCipherSuite[] ProbedTls12 = StrictTls12.Concat(AcceptableTls12).Concat(new[]
    {
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    }).ToArray();

    public static readonly TlsCipherSuite[] ProbedTls13 = StrictTls13.Concat(new[] { TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_CCM_SHA256 }).ToArray();

    public static bool IsStrict(TlsCipherSuite suite) => StrictTls12.Contains(suite) || StrictTls13.Contains(suite);

    /// <summary>Whether a suite named as Go and OpenSSL configuration name it (IANA names) is strictly approved; an unknown name is not.</summary>
    public static bool IsStrict(string suiteName) => Enum.TryParse<TlsCipherSuite>(suiteName, out var suite) && IsStrict(suite);

    public static bool IsAcceptable(TlsCipherSuite suite) => AcceptableTls12.Contains(suite);

    /// <summary>Go/Kubernetes/etcd flag names are the IANA names, which .NET's enum uses too.</summary>
    public static string Name(TlsCipherSuite suite) => suite.ToString();
}
