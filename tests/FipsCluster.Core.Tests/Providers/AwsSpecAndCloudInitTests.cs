using System.Diagnostics;
using System.Text;
using FipsCluster.Core.Providers.Aws;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Tests.Providers;

public sealed class AwsSpecAndCloudInitTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fc-guard-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static AwsClusterSpec Spec(bool fips = true, string version = "v1.29.6+fips.0", string? etcd = "3.5.10+fips.0", string? repository = "docker.io/mesosphere") => new()
    {
        Name = "prod",
        Region = "us-east-1",
        Ami = "ami-0123456789abcdef0",
        KubernetesVersion = version,
        KubernetesImageRepository = repository,
        EtcdVersion = etcd,
        EtcdImageRepository = repository,
        Fips = fips,
        ControlPlaneCount = 3,
        WorkerCount = 3,
    };

    [Theory]
    [InlineData("v1.22.8+fips.0", "v1.22.8_fips.0")]
    [InlineData("1.24.4+fips.0", "v1.24.4_fips.0")]
    [InlineData("v1.29.6", "v1.29.6")]
    public void Image_tags_follow_kubeadm(string version, string tag) => Assert.Equal(tag, KubernetesVersions.ImageTag(version));

    [Theory]
    [InlineData("3.4.13+fips.0", "v3.4.13_fips.0")]
    [InlineData("v3.5.5+fips.1", "v3.5.5_fips.1")]
    [InlineData("3.5.5-0", "3.5.5-0")]
    public void Etcd_tags_follow_DKP(string version, string tag) => Assert.Equal(tag, KubernetesVersions.EtcdImageTag(version));

    [Fact]
    public void A_FIPS_spec_needs_FIPS_builds_and_every_problem_is_named_at_once()
    {
        AwsClusterSpecValidator.Validate(Spec());
        AwsClusterSpecValidator.Validate(Spec(repository: null)); // DKP's repositories by default (AwsClusterSpecDefaults)
        AwsClusterSpecValidator.Validate(Spec(fips: false, version: "v1.29.6", etcd: "3.5.10-0", repository: null));
        var error = Assert.Throws<FipsClusterException>(() => AwsClusterSpecValidator.Validate(Spec(version: "v1.29.6", etcd: "3.5.10-0", repository: null)));
        Assert.Equal(ErrorIds.InvalidClusterSpec, error.ErrorId);
        foreach (var expected in new[] { "-KubernetesVersion X.Y.Z+fips.N", "-EtcdVersion X.Y.Z+fips.N" })
        {
            Assert.Contains(expected, error.Message);
        }
        Assert.DoesNotContain("Repository", error.Message);
        var shape = Assert.Throws<FipsClusterException>(() => AwsClusterSpecValidator.Validate(new AwsClusterSpec
        {
            Name = "x", Region = "mars-1", Ami = "ami-xyz", KubernetesVersion = "latest", Fips = false, ControlPlaneCount = 2, Architecture = "sparc",
        }));
        foreach (var expected in new[] { "-Ami 'ami-xyz'", "-Region 'mars-1'", "sparc", "2 control-plane nodes", "-KubernetesVersion 'latest'" })
        {
            Assert.Contains(expected, shape.Message);
        }
    }

    [Fact]
    public void A_trailing_newline_is_no_part_of_an_AMI_region_or_version()
    {
        // "$" matches before a final newline; the spec's values end where their text ends.
        var shape = Assert.Throws<FipsClusterException>(() => AwsClusterSpecValidator.Validate(new AwsClusterSpec
        {
            Name = "x", Region = "us-east-1\n", Ami = "ami-0123456789abcdef0\n", KubernetesVersion = "v1.29.6\n", Fips = false,
        }));
        foreach (var expected in new[] { "-Ami 'ami-0123456789abcdef0\n'", "-Region 'us-east-1\n'", "-KubernetesVersion 'v1.29.6\n'" })
        {
            Assert.Contains(expected, shape.Message);
        }
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string FileContent(YamlMappingNode cloudInit, string path) =>
        ((YamlSequenceNode)cloudInit["write_files"]).Cast<YamlMappingNode>()
            .Single(f => ((YamlScalarNode)f["path"]).Value == path)["content"].ToString();

    [Fact]
    public void Cloud_init_is_valid_YAML_with_the_guard_the_drop_in_and_the_pinned_kubeadm_configuration()
    {
        var text = CloudInitRenderer.Render(Spec(), "ControlPlane");
        Assert.StartsWith("#cloud-config\n", text);
        var cloudInit = Parse(text);
        Assert.Equal(FipsKubeletGuard.Script, FileContent(cloudInit, FipsKubeletGuard.ScriptPath));
        Assert.Contains("ExecStartPre=" + FipsKubeletGuard.ScriptPath, FileContent(cloudInit, FipsKubeletGuard.DropInPath));
        var kubeadm = Parse(FileContent(cloudInit, "/etc/kubernetes/kubeadm-config.yaml"));
        Assert.Equal("ClusterConfiguration", kubeadm["kind"].ToString());
        Assert.Equal("v1.29.6+fips.0", kubeadm["kubernetesVersion"].ToString());
        Assert.Equal("docker.io/mesosphere", kubeadm["imageRepository"].ToString());
        var etcd = (YamlMappingNode)((YamlMappingNode)kubeadm["etcd"])["local"];
        Assert.Equal("v3.5.10_fips.0", etcd["imageTag"].ToString());
        var commands = ((YamlSequenceNode)cloudInit["runcmd"]).Select(c => c is YamlSequenceNode list ? string.Join(' ', list.Select(x => x.ToString())) : c.ToString()).ToList();
        Assert.Equal(FipsKubeletGuard.EarlyCheck, commands[0]);
        Assert.Equal(ControlPlaneInit.ScriptPath, commands[^1]); // kubeadm init, on the control plane launched first only
        Assert.Contains("exec kubeadm init --config \"$config\"", FileContent(cloudInit, ControlPlaneInit.ScriptPath));
        // A non-FIPS cluster does not refuse non-FIPS hosts.
        Assert.DoesNotContain("fips_enabled", ((YamlSequenceNode)Parse(CloudInitRenderer.Render(Spec(fips: false, version: "v1.29.6"), "Worker"))["runcmd"])[0].ToString());
    }

    /// <summary>
    /// The control-plane init script exactly as cloud-init writes it, run by sh against an IMDSv2 server on loopback
    /// (token PUT, then ami-launch-index with the token) and a kubeadm on PATH that records how it was called.
    /// </summary>
    private (int ExitCode, string Output, string? Kubeadm, string Config) InitControlPlane(int? launchIndex)
    {
        Directory.CreateDirectory(_root);
        var config = Path.Combine(_root, "kubeadm-config.yaml");
        File.WriteAllText(config, FileContent(Parse(CloudInitRenderer.Render(Spec(), "ControlPlane")), "/etc/kubernetes/kubeadm-config.yaml"));
        var bin = Path.Combine(_root, "bin");
        Directory.CreateDirectory(bin);
        var record = Path.Combine(_root, "kubeadm-called");
        File.Delete(record);
        File.WriteAllText(Path.Combine(bin, "kubeadm"), $"#!/bin/sh\necho \"$*\" > '{record}'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, "kubeadm"), (UnixFileMode)0x1ED);
        var script = Path.Combine(_root, "init-control-plane");
        File.WriteAllText(script, FileContent(Parse(CloudInitRenderer.Render(Spec(), "ControlPlane")), ControlPlaneInit.ScriptPath));

        // A raw TCP server: HttpListener answers curl's body-less PUT with 411, which the real IMDS does not.
        var imds = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        imds.Start();
        var port = ((System.Net.IPEndPoint)imds.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await imds.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n"))
                {
                    var read = await stream.ReadAsync(buffer, stop.Token);
                    if (read == 0) break;
                    request.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
                }
                var text = request.ToString();
                var body = text.StartsWith("PUT /latest/api/token ", StringComparison.Ordinal) ? "imds-token-1"
                    : !text.Contains("X-aws-ec2-metadata-token: imds-token-1") ? null
                    : text.StartsWith("GET /latest/meta-data/ami-launch-index ", StringComparison.Ordinal) ? launchIndex.ToString()
                    : text.StartsWith("GET /latest/meta-data/local-ipv4 ", StringComparison.Ordinal) ? "10.0.1.5" : null;
                var response = $"HTTP/1.1 {(body is null ? "401 Unauthorized" : "200 OK")}\r\nContent-Length: {(body ?? "").Length}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response), stop.Token);
            }
        });
        var start = new ProcessStartInfo("/bin/sh", new[] { script }) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["KUBEADM_CONFIG"] = config;
        start.Environment["IMDS_URL"] = launchIndex is null ? "http://127.0.0.1:9" : $"http://127.0.0.1:{port}";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        stop.Cancel();
        imds.Stop();
        return (process.ExitCode, output, File.Exists(record) ? File.ReadAllText(record).Trim() : null, File.ReadAllText(config));
    }

    [Fact]
    public void Only_the_control_plane_launched_first_runs_kubeadm_init()
    {
        var first = InitControlPlane(0);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal("init --config " + Path.Combine(_root, "kubeadm-config.yaml"), first.Kubeadm);
        // Its own private address becomes the endpoint other control planes join (kubeadm requires one); still valid YAML.
        var stream = new YamlStream();
        stream.Load(new StringReader(first.Config));
        var configuration = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("10.0.1.5:6443", configuration["controlPlaneEndpoint"].ToString());
        Assert.Equal("ClusterConfiguration", configuration["kind"].ToString());

        var second = InitControlPlane(2);
        Assert.Equal(0, second.ExitCode);
        Assert.Null(second.Kubeadm);
        Assert.DoesNotContain("controlPlaneEndpoint", second.Config);
        Assert.Contains("joined over SSH", second.Output);

        // No metadata service: fail (cloud-init reports error) rather than guess and init a second cluster.
        var unknown = InitControlPlane(null);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Null(unknown.Kubeadm);
        Assert.Contains("ami-launch-index", unknown.Output);

        // Workers carry no init step at all.
        Assert.DoesNotContain(ControlPlaneInit.ScriptPath, CloudInitRenderer.Render(Spec(), "Worker"));
    }
}
