using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Artifacts;

/// <summary>Test-FipsTlsEndpoint against real servers whose accepted suites are known because the tests configured them.</summary>
[Collection("tls")]
public sealed class TestFipsTlsEndpointTests : IClassFixture<ModuleFixture>
{
    private const string Report = "FipsCluster.TlsEndpointReport";
    private readonly TlsServersFixture _servers;
    private readonly PsSession _ps;

    public TestFipsTlsEndpointTests(TlsServersFixture servers, ModuleFixture module)
    {
        _servers = servers;
        _ps = module.Session;
    }

    private static HashSet<string> Accepted(dynamic report, string protocol) =>
        ((IEnumerable<dynamic>)report.CipherSuites).Where(s => (bool)s.Accepted && (string)s.Protocol == protocol).Select(s => (string)s.CipherSuite).ToHashSet();

    private static string Status(dynamic report, string id) => ((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == id).Status.ToString();

    [SkippableFact]
    public void A_permissive_openssl_server_accepts_exactly_its_configured_suites_and_fails()
    {
        _servers.Require();
        var report = _ps.Run("Test-FipsTlsEndpoint 127.0.0.1 -Port $args[0]", _servers.PermissivePort).SingleOf(Report);
        // Every TLS 1.2 suite the probe can offer that the server was configured with, and nothing else.
        var offeredByProbe = ((IEnumerable<dynamic>)report.CipherSuites).Where(s => (string)s.Protocol == "Tls12").Select(s => (string)s.CipherSuite).ToHashSet();
        Assert.Equal(TlsServersFixture.PermissiveTls12.Where(offeredByProbe.Contains).ToHashSet(), Accepted(report, "Tls12"));
        Assert.Contains("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", offeredByProbe);
        Assert.Equal(new HashSet<string> { "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256" }, Accepted(report, "Tls13"));
        Assert.Equal("Fail", Status(report, "TLS-02"));
        var unapproved = ((IEnumerable<dynamic>)report.UnapprovedAccepted).Select(s => (string)s).ToList();
        Assert.Contains("Tls13 TLS_CHACHA20_POLY1305_SHA256", unapproved);
        Assert.Contains("Tls12 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", unapproved);
        Assert.DoesNotContain("Tls12 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", unapproved);
        Assert.Equal("Fail", report.Status.ToString());
    }

    [SkippableFact]
    public void A_strict_GCM_only_server_passes_the_suite_check()
    {
        _servers.Require();
        var report = _ps.Run("Test-FipsTlsEndpoint \"127.0.0.1:$($args[0])\"", _servers.StrictPort).SingleOf(Report);
        Assert.Equal(new HashSet<string> { "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" }, Accepted(report, "Tls12"));
        Assert.Equal(new HashSet<string> { "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384" }, Accepted(report, "Tls13"));
        Assert.Equal("Pass", Status(report, "TLS-01"));
        Assert.Equal("Pass", Status(report, "TLS-02"));
        Assert.Empty((IEnumerable<dynamic>)report.UnapprovedAccepted);
    }

    [SkippableFact]
    public void Etcd_with_cipher_suites_restricts_TLS_1_2_but_still_accepts_TLS_1_3_ChaCha20()
    {
        _servers.Require();
        var report = _ps.Run("Test-FipsTlsEndpoint 127.0.0.1 -Port $args[0]", _servers.EtcdPort).SingleOf(Report);
        Assert.Equal(TlsServersFixture.EtcdTls12.ToHashSet(), Accepted(report, "Tls12"));
        // Go's --cipher-suites cannot restrict TLS 1.3: a standard-crypto etcd accepts ChaCha20 there.
        Assert.Contains("TLS_CHACHA20_POLY1305_SHA256", Accepted(report, "Tls13"));
        Assert.Equal("Fail", Status(report, "TLS-02"));
        Assert.Contains("TLS 1.3 ChaCha20", (string)((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == "TLS-02").Actual);
    }

    [SkippableFact]
    public void A_closed_port_is_a_per_endpoint_error_and_Quiet_is_one_bool()
    {
        _servers.Require();
        var result = _ps.Run("Test-FipsTlsEndpoint 127.0.0.1:1, \"127.0.0.1:$($args[0])\" -TimeoutSeconds 2", _servers.StrictPort);
        Assert.StartsWith("TlsEndpointUnreachable,", Assert.Single(result.ErrorIds));
        Assert.Single(result.Of(Report));
        Assert.False(_ps.Run("Test-FipsTlsEndpoint 127.0.0.1 -Port $args[0] -Quiet", _servers.PermissivePort).Single<bool>());
    }
}
