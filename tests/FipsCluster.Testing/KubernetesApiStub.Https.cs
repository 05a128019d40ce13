using System.Collections.Specialized;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FipsCluster.Testing;

/// <summary>
/// A certificate authority made for this test process (never written to disk, never trusted by the machine): the stubs'
/// server certificates are signed by it, and clients trust it only where they are told to — a kubeconfig's
/// certificate-authority-data, as a real cluster's kubeconfig carries its CA. So the module is tested over verified TLS,
/// the way users run it, and a plaintext server is what the module refuses.
/// </summary>
public static class TestCertificateAuthority
{
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Server)> Certificates = new(Create);

    /// <summary>The CA certificate (public part) in PEM.</summary>
    public static string CaPem => Certificates.Value.Ca.ExportCertificatePem();

    public static X509Certificate2 Ca => Certificates.Value.Ca;

    /// <summary>A server certificate for 127.0.0.1, ::1 and localhost, with its private key.</summary>
    public static X509Certificate2 ServerCertificate => Certificates.Value.Server;

    /// <summary>An HttpClient handler that trusts this CA (and nothing else) for the stubs' certificates.</summary>
    public static HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        },
    };

    private static (X509Certificate2, X509Certificate2) Create()
    {
        var now = DateTimeOffset.UtcNow; // a year: a certificate close to its expiry is a Warning in the module's own TLS checks
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=FipsCluster test CA (in-process)", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        using var issued = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(365), serial);
        // Through PKCS#12 so the key is usable by the TLS stack on every platform.
        var server = X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);
        return (X509CertificateLoader.LoadCertificate(ca.RawData), server);
    }
}

/// <summary>A request as the stubs' routes read it (method, query, body), whatever server received it.</summary>
public sealed record StubRequest(string HttpMethod, NameValueCollection QueryString, Stream InputStream);

/// <summary>
/// Kestrel on a loopback port with HTTPS only (a certificate from <see cref="TestCertificateAuthority"/>), configured as a
/// FIPS cluster's API server is — TLS 1.2 and 1.3 with ECDHE AES-GCM suites only, so the module's own probe of the
/// endpoint (K8S-TLS-06) finds it compliant — answering every request with <paramref name="respond"/>. Disposing it ends
/// open streams (watches, followed logs) at once.
/// </summary>
public sealed class LoopbackHttpsServer : IDisposable
{
    private readonly IHost _host;
    private readonly CancellationTokenSource _stopping = new();

    public LoopbackHttpsServer(Func<HttpContext, CancellationToken, Task> respond)
    {
        // The routes read request bodies synchronously and the stub's kubelets start processes: each holds a pool thread.
        // On two cores the pool would add threads one at a time, stalling every client of the stub for seconds (a real
        // API server is not in the client's process): start with enough.
        ThreadPool.GetMinThreads(out var workers, out var ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(ports, 64));
        _host = new HostBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureWebHost(web => web
                .UseKestrel(kestrel =>
                {
                    kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = TestCertificateAuthority.ServerCertificate,
                        SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                        OnAuthenticate = (_, ssl) =>
                        {
                            if (!OperatingSystem.IsWindows()) // Windows takes its suites from the system
                            {
                                ssl.CipherSuitesPolicy = new System.Net.Security.CipherSuitesPolicy(new[]
                                {
                                    System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256, System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384,
                                    System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                });
                            }
                        },
                    }));
                    kestrel.AllowSynchronousIO = true; // the routes read request bodies synchronously
                    kestrel.Limits.MaxRequestBodySize = null;
                    kestrel.Limits.MaxConcurrentConnections = null;
                    // A test process on a busy machine can be slow to read a request body or to be read from: Kestrel
                    // would then reset the whole HTTP/2 connection (every request on it fails), which no API server does.
                    kestrel.Limits.MinRequestBodyDataRate = null;
                    kestrel.Limits.MinResponseDataRate = null;
                })
                .Configure(app => app.Run(context => respond(context, _stopping.Token))))
            .Build();
        _host.Start();
        var address = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Url = $"https://127.0.0.1:{new Uri(address).Port}/";
    }

    /// <summary>https://127.0.0.1:port/</summary>
    public string Url { get; }

    /// <summary>The query of a request as a collection (what HttpListener gave the routes).</summary>
    public static NameValueCollection Query(HttpRequest request)
    {
        var query = new NameValueCollection();
        foreach (var (key, values) in request.Query)
        {
            foreach (var value in values)
            {
                query.Add(key, value);
            }
        }
        return query;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _host.StopAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        _host.Dispose();
        _stopping.Dispose();
    }
}
