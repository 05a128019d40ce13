using Amazon.EC2;
using Amazon.Runtime;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Providers;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 7: plaintext was accepted without a word — a Docker engine on tcp:// without TLS (join tokens in
/// the bodies), a kubeconfig server on http:// or with insecure-skip-tls-verify, an http:// EC2 endpoint whose console
/// output vouches for new instances' host keys. Each is now refused with InsecureTransportRefused unless the user asks
/// (OperationContext.AllowInsecureTransport, the cmdlets' -AllowInsecureTransport), and then a warning says what is exposed.
/// </summary>
public sealed class PlaintextTransportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-plain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (OperationContext Context, List<string> Warnings) Allowed()
    {
        var warnings = new List<string>();
        return (new OperationContext { AllowInsecureTransport = true, Warning = m => { lock (warnings) { warnings.Add(m); } } }, warnings);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:1")]
    [InlineData("tcp://[::1]:1")] // loopback is no exception
    [InlineData("http://10.0.0.5:2375")]
    public async Task A_Docker_engine_without_TLS_is_refused_unless_allowed_and_then_warned_about_once(string host)
    {
        var endpoint = DockerEndpoint.Resolve(host);
        var refused = Assert.Throws<FipsClusterException>(() => new DockerEngineClient(endpoint, OperationContext.None));
        Assert.Equal(ErrorIds.InsecureTransportRefused, refused.ErrorId);
        Assert.Equal(FipsErrorCategory.SecurityError, refused.Category);
        Assert.Contains("join tokens", refused.Message);
        Assert.Contains("-AllowInsecureTransport", refused.Message);

        var (context, warnings) = Allowed();
        using (var client = new DockerEngineClient(endpoint, context))
        {
            if (host.StartsWith("tcp://127.0.0.1:1", StringComparison.Ordinal))
            {
                // Allowed, it really connects (and finds nothing there).
                Assert.Equal(ErrorIds.DockerEngineUnreachable, (await Assert.ThrowsAsync<FipsClusterException>(client.InspectSwarmAsync)).ErrorId);
            }
        }
        using (new DockerEngineClient(endpoint, context))
        {
        }
        var warning = Assert.Single(warnings); // one per endpoint and operation
        Assert.StartsWith("-AllowInsecureTransport: " + host, warning);
        Assert.Contains("join tokens", warning);
    }

    [Fact]
    public void A_unix_socket_needs_no_permission()
    {
        using var client = new DockerEngineClient(DockerEndpoint.Resolve("unix:///nonexistent/docker.sock"), OperationContext.None);
    }

    private string Kubeconfig(string server, bool skipVerify = false)
    {
        var path = Path.Combine(_dir, "kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {server}
            {(skipVerify ? "    insecure-skip-tls-verify: true" : "")}
            contexts:
            - name: c
              context: {"{"} cluster: c, user: u {"}"}
            current-context: c
            users:
            - name: u
              user: {"{"} token: not-a-real-token {"}"}
            """);
        return path;
    }

    [Theory]
    [InlineData("http://127.0.0.1:6443", false, "http://")]
    [InlineData("https://10.0.0.1:6443", true, "insecure-skip-tls-verify")]
    public void A_kubeconfig_server_without_verified_TLS_is_refused_unless_allowed(string server, bool skipVerify, string named)
    {
        var path = Kubeconfig(server, skipVerify);
        var refused = Assert.Throws<FipsClusterException>(() => KubeconfigClient.Load(path, null, OperationContext.None));
        Assert.Equal(ErrorIds.InsecureTransportRefused, refused.ErrorId);
        Assert.Contains(named, refused.Message);
        Assert.Contains("credentials", refused.Message);
        Assert.DoesNotContain("not-a-real-token", refused.Message);

        var (context, warnings) = Allowed();
        Assert.Equal(server, KubeconfigClient.Load(path, null, context).Host);
        Assert.Contains(named, Assert.Single(warnings));
    }

    [Fact]
    public void A_kubeconfig_server_on_verified_https_loads_without_a_word()
    {
        var (context, warnings) = Allowed();
        Assert.Equal("https://10.0.0.1:6443", KubeconfigClient.Load(Kubeconfig("https://10.0.0.1:6443"), null, context).Host);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task The_Kubernetes_check_refuses_an_http_API_before_any_request_is_sent()
    {
        using var api = new KubernetesApiStub();
        var plain = Kubeconfig(api.Url.Replace("https://", "http://", StringComparison.Ordinal));
        var refused = await Assert.ThrowsAsync<FipsClusterException>(() => KubernetesClusterCompliance.TestAsync(plain, null, new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None));
        Assert.Equal(ErrorIds.InsecureTransportRefused, refused.ErrorId);
        Assert.Empty(api.Requests);
    }

    private static AmazonEC2Client Ec2(Ec2QueryStub stub) => new(new BasicAWSCredentials("AKIAFIPSCLUSTERTEST", "not-a-real-secret"),
        new AmazonEC2Config { ServiceURL = stub.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    [Fact]
    public async Task Console_output_from_an_http_EC2_endpoint_vouches_for_no_host_key_unless_allowed()
    {
        using var stub = new Ec2QueryStub();
        using var ec2 = Ec2(stub);
        var knownHosts = Path.Combine(_dir, "known_hosts");
        var refused = await Assert.ThrowsAsync<FipsClusterException>(() =>
            new ConsoleHostKeyTrust(ec2, OperationContext.None).RecordAsync(new Dictionary<string, string> { ["i-0123456789abcdef0"] = "10.0.1.10" }, 22, knownHosts, TimeSpan.FromSeconds(1)));
        Assert.Equal(ErrorIds.InsecureTransportRefused, refused.ErrorId);
        Assert.Contains("host keys", refused.Message);
        Assert.Empty(stub.Requests); // no console was read
        Assert.False(File.Exists(knownHosts));
    }

    [Fact]
    public async Task A_cluster_whose_host_keys_would_come_from_an_http_console_is_refused_before_anything_is_created()
    {
        using var stub = new Ec2QueryStub();
        stub.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-x86_64-FIPS", "Red Hat Enterprise Linux");
        using var ec2 = Ec2(stub);
        var store = new FileClusterStore(Path.Combine(_dir, "store"));
        var spec = new AwsClusterSpec
        {
            Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", KubernetesImageRepository = "docker.io/mesosphere",
            EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", ControlPlaneCount = 1, WorkerCount = 0, SshKeyName = "ops",
        };
        var strict = new SshOptions { Login = new SshLogin { UserName = "ec2-user" }, HostKeyPolicy = HostKeyPolicy.Strict, KnownHostsPath = Path.Combine(_dir, "known_hosts") };
        var refused = await Assert.ThrowsAsync<FipsClusterException>(() =>
            new AwsProvisioner(ec2, store) { Verify = strict }.CreateAsync(spec, ComplianceProfiles.Default, false, OperationContext.None));
        Assert.Equal(ErrorIds.InsecureTransportRefused, refused.ErrorId);
        Assert.Empty(stub.Requests); // not even the AMI was read over it
        Assert.Empty(store.Names());

        // Trust on first use (AcceptNew) reads no console: the endpoint's transport vouches for nothing, so nothing to refuse.
        var acceptNew = new SshOptions { Login = strict.Login, HostKeyPolicy = HostKeyPolicy.AcceptNew, KnownHostsPath = strict.KnownHostsPath };
        var declined = await new AwsProvisioner(ec2, store) { Verify = acceptNew }
            .CreateAsync(spec, ComplianceProfiles.Default, false, new OperationContext { ShouldProcess = (_, _) => false });
        Assert.Null(declined);
    }
}
