using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>
/// Real TLS servers on loopback: `openssl s_server` accepting a permissive list (GCM, ChaCha20, CBC-SHA1; TLS 1.3
/// AES-128-GCM and ChaCha20), `openssl s_server` with a strict list (ECDHE-ECDSA AES-GCM only; TLS 1.3 AES-GCM
/// only), and etcd with TLS and `--cipher-suites` limited to two ECDHE-RSA AES-GCM suites.
/// Without openssl or etcd the tests skip — except with CI=true, where that is a failure.
/// </summary>
public sealed class TlsServersFixture : IDisposable
{
    private readonly string _work = Path.Combine("/tmp", "fc-tls-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<Process> _servers = new();

    public TlsServersFixture()
    {
        Unavailable = !File.Exists("/usr/bin/openssl") ? "openssl is not installed" : !File.Exists("/usr/bin/etcd") ? "etcd is not installed (apt-get install etcd-server)" : null;
        if (Unavailable is not null)
        {
            return;
        }
        Directory.CreateDirectory(_work);
        try
        {
            Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", P("rsa.key"), "-out", P("rsa.crt"), "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");
            Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", P("ec.key"), "-out", P("ec.crt"), "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");

            PermissivePort = FreePort();
            Start("openssl", "s_server", "-accept", $"127.0.0.1:{PermissivePort}", "-cert", P("rsa.crt"), "-key", P("rsa.key"), "-quiet", "-naccept", "100000",
                "-cipher", PermissiveTls12OpenSsl, "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256");
            StrictPort = FreePort();
            Start("openssl", "s_server", "-accept", $"127.0.0.1:{StrictPort}", "-cert", P("ec.crt"), "-key", P("ec.key"), "-quiet", "-naccept", "100000",
                "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384");
            EtcdPort = FreePort();
            var peer = FreePort();
            Start("etcd", "--name", "fc", "--data-dir", P("etcd"), "--listen-client-urls", $"https://127.0.0.1:{EtcdPort}", "--advertise-client-urls", $"https://127.0.0.1:{EtcdPort}",
                "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}", "--initial-cluster", $"fc=http://127.0.0.1:{peer}",
                "--cert-file", P("rsa.crt"), "--key-file", P("rsa.key"), "--cipher-suites", string.Join(',', EtcdTls12));
            foreach (var port in new[] { PermissivePort, StrictPort, EtcdPort })
            {
                WaitForPort(port);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The permissive server's TLS 1.2 list, in OpenSSL names, and the same in IANA names.</summary>
    public const string PermissiveTls12OpenSsl = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA:AES128-SHA";

    public static readonly string[] PermissiveTls12 =
    {
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
    };

    public static readonly string[] EtcdTls12 = { "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" };

    public string? Unavailable { get; }
    public int PermissivePort { get; }
    public int StrictPort { get; }
    public int EtcdPort { get; }

    public void Require() => TestEnvironment.Require(Unavailable, "the TLS test servers cannot run");

    private string P(string name) => Path.Combine(_work, name);

    private void Start(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _servers.Add(p);
    }

    private static void Run(string file, params string[] args) => ProcessRunner.RunChecked(file, args);

    private static void WaitForPort(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        throw new TimeoutException($"nothing listens on 127.0.0.1:{port}");
    }

    private static int FreePort() => LoopbackPort.Free();

    public void Dispose()
    {
        foreach (var p in _servers)
        {
            try
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition("tls")]
public sealed class TlsCollection : ICollectionFixture<TlsServersFixture>
{
}
