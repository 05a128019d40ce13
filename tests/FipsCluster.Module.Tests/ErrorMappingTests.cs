using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>
/// The one mapping from failures to ErrorRecords, through the engine's captured streams: ids and categories, secrets that
/// never reach an error even when a server quotes them back, and PowerShell's own control flow passing through untouched.
/// (tests/Pester/Faults.Tests.ps1 drives every cmdlet into its failure modes in real pwsh.)
/// </summary>
[Collection("FIPSCLUSTER_HOME")]
public sealed class ErrorMappingTests : IClassFixture<ModuleFixture>, IDisposable
{
    private const string AwsSecret = "Sk-2b7e-mapping-never-shown";
    private const string KubeToken = "Kt-90aa-mapping-never-shown";
    private const string Passphrase = "Kp-41c0-mapping-wrong";

    private readonly PsSession _ps;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fc-errors-" + Guid.NewGuid().ToString("N")[..8]);

    public ErrorMappingTests(ModuleFixture module)
    {
        _ps = module.Session;
        Directory.CreateDirectory(_dir);
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", Path.Combine(_dir, "store")); // never the user's store
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", null);
        Directory.Delete(_dir, recursive: true);
    }

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }
        secure.MakeReadOnly();
        return secure;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public void An_AWS_secret_a_server_quotes_back_is_masked_and_the_original_dropped()
    {
        // A (broken or hostile) EC2 endpoint that puts the caller's secret key into its error message.
        using var ec2 = new CannedHttpServer(401, "text/xml",
            $"<Response><Errors><Error><Code>AuthFailure</Code><Message>key {AwsSecret} was not accepted</Message></Error></Errors><RequestID>r1</RequestID></Response>");
        var result = _ps.Run("New-FipsCluster -Name masked1 -Provider AWS -Region us-east-1 -Ami ami-0123456789abcdef0 -KubernetesVersion v1.29.6+fips.0 " +
            "-KubernetesImageRepository docker.io/mesosphere -EtcdVersion 3.5.10+fips.0 -EtcdImageRepository docker.io/mesosphere " +
            "-EndpointUrl $args[0] -AwsCredential ([pscredential]::new('AKIAFIPSCLUSTERTEST', $args[1])) -WhatIf", ec2.Url, Secure(AwsSecret));
        // New-FipsCluster's failures end the command (statement-terminating: in a script it lands in the error stream).
        var record = Assert.Single(result.Errors.Concat(result.Terminating is null ? Array.Empty<System.Management.Automation.ErrorRecord>() : new[] { result.Terminating.ErrorRecord }));
        Assert.StartsWith("AwsAuthenticationFailed,", record.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
        Assert.Contains("***", record.Exception.Message);
        Assert.Null(record.Exception.InnerException);
        Assert.DoesNotContain(AwsSecret, result.AllText);
    }

    [Fact]
    public void A_kubeconfig_token_a_server_quotes_back_is_masked()
    {
        using var api = new CannedHttpServer(401, "application/json",
            $"{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"token {KubeToken} is not valid\",\"reason\":\"Unauthorized\",\"code\":401}}");
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        File.WriteAllText(kubeconfig, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["apiVersion"] = "v1", ["kind"] = "Config", ["current-context"] = "c",
            ["clusters"] = new[] { new { name = "c", cluster = new { server = api.Url } } },
            ["contexts"] = new[] { new { name = "c", context = new { cluster = "c", user = "u" } } },
            ["users"] = new[] { new { name = "u", user = new { token = KubeToken } } },
        }));
        // The canned server is plain HTTP (HttpListener): accepted explicitly, as a user would have to.
        var result = _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -AllowInsecureTransport; Test-FipsCluster -Kubeconfig $args[0] -Quiet -AllowInsecureTransport", kubeconfig);
        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.StartsWith("KubernetesAuthenticationFailed,", e.FullyQualifiedErrorId));
        Assert.False(result.Single<bool>());
        Assert.Contains("***", result.Errors[0].Exception.Message);
        Assert.DoesNotContain(KubeToken, result.AllText);
    }

    [Fact]
    public void A_wrong_key_passphrase_is_one_error_that_never_shows_it()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var keyFile = Path.Combine(_dir, "id_ecdsa");
        File.WriteAllText(keyFile, key.ExportEncryptedPkcs8PrivateKeyPem("Kp-41c0-mapping-right",
            new System.Security.Cryptography.PbeParameters(System.Security.Cryptography.PbeEncryptionAlgorithm.Aes256Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 100_000)));
        var result = _ps.Run("Test-FipsNode -ComputerName $args[0] -UserName fault -KeyFilePath $args[1] -KeyPassphrase $args[2] -KnownHostsPath $args[3] -Quiet",
            $"127.0.0.1:{ClosedPort()}", keyFile, Secure(Passphrase), Path.Combine(_dir, "known_hosts"));
        Assert.StartsWith("SshKeyFileInvalid,", Assert.Single(result.ErrorIds));
        Assert.False(result.Single<bool>());
        Assert.DoesNotContain(Passphrase, result.AllText);
    }

    [Fact]
    public void An_unreachable_target_is_a_classified_error_never_NotSpecified()
    {
        var kubeconfig = Path.Combine(_dir, "dead.kubeconfig");
        File.WriteAllText(kubeconfig, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["apiVersion"] = "v1", ["kind"] = "Config", ["current-context"] = "dead",
            ["clusters"] = new[] { new { name = "dead", cluster = new { server = $"https://127.0.0.1:{ClosedPort()}" } } },
            ["contexts"] = new[] { new { name = "dead", context = new { cluster = "dead", user = "u" } } },
            ["users"] = new[] { new { name = "u", user = new { token = KubeToken } } },
        }));
        var result = _ps.Run("Test-FipsCluster -Kubeconfig $args[0] -Quiet", kubeconfig);
        var error = Assert.Single(result.Errors);
        Assert.Equal("EndpointUnreachable,FipsCluster.Commands.TestFipsClusterCommand", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Contains("127.0.0.1", error.Exception.Message);
        Assert.IsType<HttpRequestException>(error.Exception.InnerException);
        Assert.False(result.Single<bool>());
    }

    [Fact]
    public void PowerShell_control_flow_passes_through_the_mapping()
    {
        // A downstream terminating error stays the script's own, not an UnexpectedError of the upstream cmdlet.
        var downstream = _ps.Run("Get-FipsComplianceProfile | ForEach-Object { throw 'downstream stops here' }");
        Assert.Equal("downstream stops here", Assert.Single(downstream.ErrorIds));

        // -ErrorAction Stop turns a Test-* cmdlet's non-terminating failure into the exception, with its id.
        var stop = _ps.Run("try { Test-FipsPrivateKey -Path $args[0] -ErrorAction Stop; 'not stopped' } catch { 'caught ' + $_.FullyQualifiedErrorId }", Path.Combine(_dir, "missing.pem"));
        Assert.Equal("caught PrivateKeyFileNotFound,FipsCluster.Commands.TestFipsPrivateKeyCommand", Assert.Single(stop.Output).ToString());
    }

    /// <summary>Answers every request with one canned response (loopback, a port of its own).</summary>
    private sealed class CannedHttpServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;

        public CannedHttpServer(int status, string contentType, string body)
        {
            var port = ClosedPort();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            var bytes = Encoding.UTF8.GetBytes(body);
            _serving = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception) when (!_listener.IsListening)
                    {
                        return;
                    }
                    catch (HttpListenerException)
                    {
                        return;
                    }
                    await context.Request.InputStream.CopyToAsync(Stream.Null);
                    context.Response.StatusCode = status;
                    context.Response.ContentType = contentType;
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}

/// <summary>Tests that set the process-wide FIPSCLUSTER_HOME without needing the dockerd fixture: run alone, after the parallel collections.</summary>
[CollectionDefinition("FIPSCLUSTER_HOME", DisableParallelization = true)]
public sealed class ClusterHomeCollection
{
}
