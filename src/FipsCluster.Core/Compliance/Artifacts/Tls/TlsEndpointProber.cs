using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FipsCluster.Core.Compliance.Artifacts.Tls;

/// <summary>What one handshake showed.</summary>
internal sealed record TlsProbe(SslProtocols Protocol, TlsCipherSuite? Offered, bool Accepted, TlsCipherSuite? Negotiated, X509Certificate2[] Chain, string? Failure);

/// <summary>
/// Asks a TLS server, one handshake per protocol version and per offered cipher suite, what it accepts
/// (the way sslscan or `openssl s_client -cipher` probing works, with .NET's CipherSuitesPolicy on Linux/macOS).
/// A suite this machine's TLS library cannot offer at all is reported as not probed rather than refused.
/// </summary>
internal static class TlsEndpointProber
{
    public static async Task<TlsProbe> HandshakeAsync(string host, int port, SslProtocols protocol, TlsCipherSuite? suite, TimeSpan timeout, CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        X509Certificate2[] chain = Array.Empty<X509Certificate2>();
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new FipsClusterException(ErrorIds.TlsEndpointUnreachable, FipsErrorCategory.ConnectionError, $"{host}:{port}: {ex.SocketErrorCode} ({ex.Message}).", $"{host}:{port}", ex);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new FipsClusterException(ErrorIds.TlsEndpointUnreachable, FipsErrorCategory.OperationTimeout, $"{host}:{port}: no TCP connection within {timeout.TotalSeconds:0.#} s.", $"{host}:{port}");
        }
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = protocol,
            // A probe judges the certificate itself (Test-FipsCertificate); it must see it even when untrusted.
            RemoteCertificateValidationCallback = (_, certificate, x509Chain, _) =>
            {
                var elements = x509Chain?.ChainElements.Select(e => new X509Certificate2(e.Certificate)).ToArray() ?? Array.Empty<X509Certificate2>();
                chain = elements.Length > 0 ? elements : certificate is null ? Array.Empty<X509Certificate2>() : new[] { new X509Certificate2(certificate) };
                return true;
            },
        };
        if (suite is { } only && !OperatingSystem.IsWindows())
        {
            options.CipherSuitesPolicy = new CipherSuitesPolicy(new[] { only });
        }
        try
        {
            await ssl.AuthenticateAsClientAsync(options, limit.Token).ConfigureAwait(false);
            return new TlsProbe(protocol, suite, true, ssl.NegotiatedCipherSuite, chain, null);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new TlsProbe(protocol, suite, false, null, chain, "no answer to the handshake");
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or PlatformNotSupportedException or System.ComponentModel.Win32Exception)
        {
            return new TlsProbe(protocol, suite, false, null, chain, ex.InnerException?.Message ?? ex.Message);
        }
    }
}
