using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Tests.Artifacts.GoBinaries;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// The FIPS parts of a node's bootstrap — the early "not in FIPS mode" check and the kubelet gate — are in the renderings
/// of a FIPS spec and only there; and the early check really stops the bootstrap: the generated user data is turned
/// into the runcmd script by real cloud-init's own code (Debian's cloud-init: templater.render_string for CABPK's
/// "## template: jinja" user data, util.load_yaml, util.shellify — what cc_runcmd writes and scripts_user runs), and
/// that script runs with fips_enabled 0, 1 or missing (a private mount namespace) beside stand-ins for systemctl,
/// kubeadm and the init script that record being called.
/// </summary>
public sealed class BootstrapFipsCheckTests : IDisposable
{
    private const string Python = "/usr/bin/python3";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fc-bootcheck-" + Guid.NewGuid().ToString("N")[..8]);

    public BootstrapFipsCheckTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static AwsClusterSpec Spec(bool fips) => new()
    {
        Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0",
        KubernetesVersion = fips ? "v1.29.6+fips.0" : "v1.29.6", KubernetesImageRepository = fips ? "docker.io/mesosphere" : null,
        EtcdVersion = fips ? "3.5.10+fips.0" : null, EtcdImageRepository = fips ? "docker.io/mesosphere" : null,
        Fips = fips, ControlPlaneCount = 3, WorkerCount = 3,
    };

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IReadOnlyList<YamlMappingNode> CapiObjects(bool fips)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ClusterApiRenderer.Render(Spec(fips))));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    /// <summary>The kubeadmConfigSpec of the control planes and the workers' KubeadmConfigTemplate spec.</summary>
    private static (YamlMappingNode ControlPlane, YamlMappingNode Workers) Bootstraps(bool fips)
    {
        var objects = CapiObjects(fips);
        var controlPlane = (YamlMappingNode)((YamlMappingNode)objects.Single(o => o["kind"].ToString() == "KubeadmControlPlane")["spec"])["kubeadmConfigSpec"];
        var template = (YamlMappingNode)((YamlMappingNode)objects.Single(o => o["kind"].ToString() == "KubeadmConfigTemplate")["spec"])["template"];
        return (controlPlane, (YamlMappingNode)template["spec"]);
    }

    private static List<YamlMappingNode> Files(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var files) ? ((YamlSequenceNode)files).Cast<YamlMappingNode>().ToList() : new List<YamlMappingNode>();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_gate_and_the_early_check_are_there_exactly_when_the_spec_is_FIPS(bool fips)
    {
        foreach (var role in new[] { "ControlPlane", "Worker" })
        {
            var text = CloudInitRenderer.Render(Spec(fips), role);
            var cloudInit = Parse(text);
            var files = Files(cloudInit, "write_files");
            var gate = files.SingleOrDefault(f => f["path"].ToString() == FipsKubeletGuard.ScriptPath);
            var dropIn = files.SingleOrDefault(f => f["path"].ToString() == FipsKubeletGuard.DropInPath);
            var first = ((YamlSequenceNode)cloudInit["runcmd"])[0];
            if (fips)
            {
                Assert.Equal(FipsKubeletGuard.Script, gate?["content"].ToString());
                Assert.Equal("0755", gate?["permissions"].ToString());
                Assert.Equal(FipsKubeletGuard.DropIn, dropIn?["content"].ToString());
                // A plain string: cloud-init inserts it verbatim (a list would be quoted into one command).
                Assert.Equal(FipsKubeletGuard.EarlyCheck, Assert.IsType<YamlScalarNode>(first).Value);
            }
            else
            {
                Assert.Null(gate);
                Assert.Null(dropIn);
                Assert.DoesNotContain("fips_enabled", text);
                Assert.DoesNotContain("fips-kubelet-check", text);
                Assert.DoesNotContain("10-fips.conf", text);
            }
            Assert.Contains(files, f => f["path"].ToString() == "/etc/kubernetes/kubeadm-config.yaml");
        }

        var (controlPlane, workers) = Bootstraps(fips);
        foreach (var bootstrap in new[] { controlPlane, workers })
        {
            var files = Files(bootstrap, "files");
            var commands = ((YamlSequenceNode)bootstrap["preKubeadmCommands"]).Cast<YamlScalarNode>().Select(c => c.Value ?? "").ToList();
            if (fips)
            {
                var gate = files.Single(f => f["path"].ToString() == FipsKubeletGuard.ScriptPath);
                Assert.Equal("gzip+base64", gate["encoding"].ToString()); // the CRDs cap a file's content at 10,240 characters
                using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(Convert.FromBase64String(gate["content"].ToString())), System.IO.Compression.CompressionMode.Decompress))
                using (var reader = new StreamReader(gzip))
                {
                    Assert.Equal(FipsKubeletGuard.Script, reader.ReadToEnd());
                }
                Assert.Equal(FipsKubeletGuard.DropIn, files.Single(f => f["path"].ToString() == FipsKubeletGuard.DropInPath)["content"].ToString());
                Assert.Equal(FipsKubeletGuard.EarlyCheck, commands[0]);
            }
            else
            {
                Assert.Empty(files);
                Assert.DoesNotContain(commands, c => c.Contains("fips", StringComparison.OrdinalIgnoreCase));
            }
        }
        if (!fips)
        {
            var manifest = ClusterApiRenderer.Render(Spec(false));
            Assert.DoesNotContain("fips_enabled", manifest);
            Assert.DoesNotContain(FipsKubeletGuard.ScriptPath, manifest);
        }
    }

    // ------------------------------------------------------------------ running the generated bootstrap

    private static string? _cloudInitProblem;

    private static void RequireCloudInit()
    {
        _cloudInitProblem ??= !File.Exists(Python) ? Python + " is missing"
            : RunProcess(Python, null, "-c", "from cloudinit import util, templater; util.shellify; util.load_yaml; templater.render_string").Exit != 0
                ? "real cloud-init's Python code is not importable (apt-get install cloud-init)" : "";
        if (_cloudInitProblem.Length == 0)
        {
            return;
        }
        if (GoToolchainFixture.InCi)
        {
            Assert.Fail("CI=true and " + _cloudInitProblem);
        }
        Skip.If(true, _cloudInitProblem);
    }

    /// <summary>
    /// What cloud-init does with user data before runcmd runs: a "## template: jinja" part is rendered first
    /// (templater.render_string, as the jinja handler does), the cloud-config is loaded (util.load_yaml), and runcmd
    /// becomes the script cc_runcmd writes (util.shellify). Returns that script and the rendered write_files contents.
    /// </summary>
    private (string Script, Dictionary<string, string> Files) CloudInitScript(string userData)
    {
        var input = Path.Combine(_dir, "user-data-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(input, userData);
        const string Code = """
            import json, sys
            from cloudinit import templater, util
            text = open(sys.argv[1]).read()
            if text.startswith("## template: jinja"):
                text = templater.render_string(text, {})
            cfg = util.load_yaml(text)
            from cloudinit.config.cc_write_files import canonicalize_extraction, extract_contents
            def content(f):
                data = extract_contents(f.get("content", ""), canonicalize_extraction(f.get("encoding")))
                return data.decode() if isinstance(data, bytes) else data
            files = {f["path"]: content(f) for f in cfg.get("write_files") or []}
            json.dump({"script": util.shellify(cfg["runcmd"]), "files": files}, sys.stdout)
            """;
        var run = RunProcess(Python, null, "-c", Code, input);
        Assert.True(run.Exit == 0, "cloud-init's code failed on the user data: " + run.Error);
        using var json = JsonDocument.Parse(run.Output);
        return (json.RootElement.GetProperty("script").GetString()!,
            json.RootElement.GetProperty("files").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
    }

    /// <summary>
    /// Runs a runcmd script as cloud-init would (/bin/sh, the script's own interpreter), with fips_enabled as given,
    /// systemctl/kubeadm on PATH and the control-plane init script in /usr/local/sbin as stand-ins that record their
    /// calls, and /run/cluster-api as CABPK's sentinel directory. Returns the exit, stderr, the calls in order and the
    /// files CABPK's sentinel directory holds afterwards.
    /// </summary>
    private (int Exit, string Error, List<string> Calls, string Sentinels) RunBootstrap(string script, string? fipsEnabled)
    {
        var work = Path.Combine(_dir, "run-" + Guid.NewGuid().ToString("N")[..6]);
        var bin = Path.Combine(work, "bin");
        Directory.CreateDirectory(bin);
        var calls = Path.Combine(work, "calls.log");
        var sentinels = Path.Combine(work, "sentinels");
        File.WriteAllText(calls, "");
        foreach (var name in new[] { "systemctl", "kubeadm", Path.GetFileName(ControlPlaneInit.ScriptPath) })
        {
            File.WriteAllText(Path.Combine(bin, name), $"#!/bin/sh\necho \"{name} $*\" >> '{calls}'\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, name), (UnixFileMode)0x1ED);
        }
        var runcmd = Path.Combine(work, "runcmd");
        File.WriteAllText(runcmd, script);
        // /usr/local/sbin and /run are covered by tmpfs in the namespace only; the host's stay untouched.
        var setup = $"mount -t tmpfs fcsbin {Path.GetDirectoryName(ControlPlaneInit.ScriptPath)}\n"
            + $"cp '{Path.Combine(bin, Path.GetFileName(ControlPlaneInit.ScriptPath))}' {ControlPlaneInit.ScriptPath}\n"
            + "mount -t tmpfs fcrun /run\nmkdir /run/cluster-api /run/kubeadm\n";
        var run = FipsFlagNamespace.Run(fipsEnabled, setup,
            new[] { "/bin/sh", "-c", "/bin/sh \"$1\"; rc=$?; ls /run/cluster-api > \"$2\"; exit $rc", "sh", runcmd, sentinels },
            new Dictionary<string, string> { ["PATH"] = bin + ":/usr/bin:/bin" });
        return (run.Exit, run.Error, File.ReadAllLines(calls).ToList(), File.Exists(sentinels) ? File.ReadAllText(sentinels).Trim() : "");
    }

    [SkippableTheory]
    [InlineData("ControlPlane")]
    [InlineData("Worker")]
    public void A_host_outside_FIPS_mode_stops_its_cloud_init_at_the_first_command(string role)
    {
        RequireCloudInit();
        FipsFlagNamespace.Require();
        var (script, files) = CloudInitScript(CloudInitRenderer.Render(Spec(true), role));
        Assert.Equal(FipsKubeletGuard.Script, files[FipsKubeletGuard.ScriptPath]); // as cloud-init will write it
        Assert.StartsWith("#!/bin/sh\n" + FipsKubeletGuard.EarlyCheck + "\n", script);

        foreach (var flag in new[] { "0", null })
        {
            var refused = RunBootstrap(script, flag);
            Assert.NotEqual(0, refused.Exit); // scripts_user fails, so `cloud-init status` ends in error
            Assert.Contains("FipsCluster: this host is not in FIPS mode", refused.Error);
            Assert.Empty(refused.Calls); // not even systemctl daemon-reload, let alone kubeadm init
        }

        var fips = RunBootstrap(script, "1");
        Assert.True(fips.Exit == 0, fips.Error);
        var expected = new List<string> { "systemctl daemon-reload" };
        if (role == "ControlPlane")
        {
            expected.Add(Path.GetFileName(ControlPlaneInit.ScriptPath) + " ");
        }
        Assert.Equal(expected, fips.Calls);

        // The harness tells the two apart: the old list-form check printed its message and the bootstrap went on.
        var (old, _) = CloudInitScript("#cloud-config\nruncmd:\n  - [sh, -c, \"test \\\"$(cat /proc/sys/crypto/fips_enabled)\\\" = 1 || { echo 'FipsCluster: this host is not in FIPS mode' >&2; exit 1; }\"]\n  - [systemctl, daemon-reload]\n");
        var went = RunBootstrap(old, "0");
        Assert.Equal(0, went.Exit);
        Assert.Contains("not in FIPS mode", went.Error);
        Assert.Equal(new[] { "systemctl daemon-reload" }, went.Calls);
    }

    [SkippableTheory]
    [InlineData("ControlPlane")]
    [InlineData("Worker")]
    public void What_EC2_is_sent_fits_its_16_KB_and_cloud_init_unpacks_it_to_the_rendering(string role)
    {
        RequireCloudInit();
        var text = CloudInitRenderer.Render(Spec(true), role);
        var sent = CloudInitRenderer.Compress(text);
        Assert.True(Encoding.UTF8.GetByteCount(text) > Ec2QueryStub.MaxUserData, "the FIPS rendering no longer needs compressing"); // why it is compressed
        Assert.True(sent.Length <= 12 * 1024, $"{sent.Length} bytes: too close to EC2's {Ec2QueryStub.MaxUserData}");
        var file = Path.Combine(_dir, "user-data.gz");
        File.WriteAllBytes(file, sent);
        // cloud-init's own reading of raw user data (user_data.convert_string → util.decomp_gzip).
        var run = RunProcess(Python, null, "-c", "import sys; from cloudinit import util; sys.stdout.write(util.decomp_gzip(open(sys.argv[1], 'rb').read(), quiet=False, decode=True))", file);
        Assert.True(run.Exit == 0, run.Error);
        Assert.Equal(text, run.Output);
    }

    /// <summary>
    /// User data as CABPK generates it from a KubeadmConfig (cluster-api bootstrap/kubeadm/internal/cloudinit: the
    /// "## template: jinja" header, files as write_files with content indented 6, each preKubeadmCommand as a Go %q
    /// string item, then kubeadm init/join followed by the sentinel file command, then postKubeadmCommands).
    /// </summary>
    private static string CabpkUserData(YamlMappingNode bootstrap, string kubeadmCommand)
    {
        static string Quote(string s) => JsonSerializer.Serialize(s, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var text = new StringBuilder("## template: jinja\n#cloud-config\n\nwrite_files:\n");
        foreach (var file in Files(bootstrap, "files"))
        {
            text.Append($"-   path: {file["path"]}\n");
            if (file.Children.TryGetValue("encoding", out var encoding))
            {
                text.Append($"    encoding: \"{encoding}\"\n");
            }
            text.Append($"    owner: {file["owner"]}\n    permissions: '{file["permissions"]}'\n    content: |\n");
            foreach (var line in file["content"].ToString().TrimEnd('\n').Split('\n'))
            {
                text.Append(line.Length == 0 ? "\n" : "      " + line + "\n");
            }
        }
        text.Append("-   path: /run/cluster-api/placeholder\n    owner: root:root\n    permissions: '0640'\n    content: \"This placeholder file is used to create the /run/cluster-api sub directory\"\n");
        text.Append("runcmd:\n");
        foreach (var command in ((YamlSequenceNode)bootstrap["preKubeadmCommands"]).Select(c => c.ToString()))
        {
            text.Append("  - ").Append(Quote(command)).Append('\n');
        }
        text.Append("  - '").Append(kubeadmCommand).Append(" && echo success > /run/cluster-api/bootstrap-success.complete'\n");
        foreach (var command in bootstrap.Children.TryGetValue("postKubeadmCommands", out var post) ? ((YamlSequenceNode)post).Select(c => c.ToString()) : Enumerable.Empty<string>())
        {
            text.Append("  - ").Append(Quote(command)).Append('\n');
        }
        return text.ToString();
    }

    [SkippableFact]
    public void Cluster_API_nodes_outside_FIPS_mode_stop_before_kubeadm_and_write_no_bootstrap_sentinel()
    {
        RequireCloudInit();
        FipsFlagNamespace.Require();
        var (controlPlane, workers) = Bootstraps(true);
        foreach (var (bootstrap, kubeadm) in new[]
        {
            (controlPlane, "kubeadm init --config /run/kubeadm/kubeadm.yaml"),
            (workers, "kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml"),
        })
        {
            var (script, files) = CloudInitScript(CabpkUserData(bootstrap, kubeadm));
            // Jinja rendering leaves the gate byte for byte (it has no {{, {% or {#).
            Assert.Equal(FipsKubeletGuard.Script, files[FipsKubeletGuard.ScriptPath]);
            Assert.Equal(FipsKubeletGuard.DropIn, files[FipsKubeletGuard.DropInPath]);

            var refused = RunBootstrap(script, "0");
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains("FipsCluster: this host is not in FIPS mode", refused.Error);
            Assert.Empty(refused.Calls);
            Assert.Equal("", refused.Sentinels); // Cluster API sees no bootstrap success

            var fips = RunBootstrap(script, "1");
            Assert.True(fips.Exit == 0, fips.Error);
            Assert.Equal(new[] { "systemctl daemon-reload", kubeadm }, fips.Calls);
            Assert.Equal("bootstrap-success.complete", fips.Sentinels);
        }
    }

    private static (int Exit, string Output, string Error) RunProcess(string program, IDictionary<string, string>? env, params string[] args)
    {
        var (code, output, error) = ProcessRunner.Run(program, args, environment: env?.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)), timeout: TimeSpan.FromMinutes(2));
        return (code, output, error);
    }
}
