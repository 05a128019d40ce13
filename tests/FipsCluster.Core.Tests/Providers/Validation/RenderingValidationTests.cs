using System.Text.Json;
using FipsCluster.Core.Providers.Aws;
using Xunit;

namespace FipsCluster.Core.Tests.Providers.Validation;

/// <summary>
/// Every rendering of the spec matrix (<see cref="RenderingMatrix"/>) checked as a new user's tools check it, with 0
/// findings: `cloud-init schema` on every cloud-config, `shellcheck -S warning` on every embedded script,
/// `systemd-analyze verify` on the kubelet drop-in in a tree laid out as cloud-init writes it, and every Cluster API
/// object decoded by kubectl and validated against its CRD's openAPIV3Schema by JsonSchema.Net. Each validator is
/// also shown to fail on what the issue found, so a pass means something.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RenderingValidationTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "fc-validate-" + Guid.NewGuid().ToString("N")[..8]);

    public RenderingValidationTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> Cases() => RenderingMatrix.Cases();

    private static IEnumerable<(string Rendering, string Text)> CloudConfigs(string name) =>
        RenderingMatrix.Render(RenderingMatrix.Specs[name]).Where(r => r.Rendering.StartsWith("CloudInit", StringComparison.Ordinal));

    // ---- cloud-init -------------------------------------------------------------------------------------------------

    private RealTools.Result CloudInitSchema(string text)
    {
        var cloudInit = RealTools.Require("cloud-init", "cloud-init");
        var file = Path.Combine(_work, $"user-data-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, text);
        return RealTools.Run(cloudInit, new[] { "schema", "--config-file", file });
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Every_cloud_config_passes_cloud_init_schema(string name)
    {
        foreach (var (rendering, text) in CloudConfigs(name))
        {
            var result = CloudInitSchema(text);
            Assert.True(result.ExitCode == 0, $"{name} {rendering}: {result.Output}");
            Assert.Contains("Valid cloud-config", result.Stdout);
            Assert.DoesNotContain("deprecat", result.Output, StringComparison.OrdinalIgnoreCase);
        }
    }

    [SkippableFact]
    public void Cloud_init_schema_refuses_the_unquoted_file_mode_a_hand_written_cloud_config_would_have()
    {
        var text = CloudInitRenderer.Render(RenderingMatrix.Specs.First().Value, "ControlPlane");
        Assert.Contains("permissions: '0755'", text);
        var result = CloudInitSchema(text.Replace("permissions: '0755'", "permissions: 0755", StringComparison.Ordinal));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is not of type 'string'", result.Output);
    }

    // ---- shell scripts ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Every script a rendering carries, as the node gets it (the YAML read by PyYAML, cloud-init's reader): files
    /// with a #! line, runcmd entries run by a shell (`sh -c …` or a plain string), and Cluster API's pre/post kubeadm
    /// commands (cloud-init runcmd strings, so sh).
    /// </summary>
    private static IEnumerable<(string Where, string Shell, string Script)> Scripts(string rendering, string text)
    {
        foreach (var document in RealTools.LoadWithPyYaml(text))
        {
            foreach (var (where, bootstrap) in BootstrapSections(rendering, document))
            {
                foreach (var file in Array(bootstrap, "write_files").Concat(Array(bootstrap, "files")))
                {
                    var content = file.GetProperty("content").GetString()!;
                    if (content.StartsWith("#!", StringComparison.Ordinal))
                    {
                        var interpreter = content[2..content.IndexOf('\n')].Trim();
                        yield return ($"{where} {file.GetProperty("path").GetString()}", Path.GetFileName(interpreter.Split(' ')[0]), content);
                    }
                }
                foreach (var command in Array(bootstrap, "runcmd"))
                {
                    if (command.ValueKind == JsonValueKind.String)
                    {
                        yield return ($"{where} runcmd", "sh", command.GetString()! + "\n");
                    }
                    else if (command.GetArrayLength() >= 3 && Path.GetFileName(command[0].GetString()!) is "sh" or "bash" && command[1].GetString() == "-c")
                    {
                        yield return ($"{where} runcmd {command[0]} -c", Path.GetFileName(command[0].GetString()!), command[2].GetString()! + "\n");
                    }
                }
                foreach (var key in new[] { "preKubeadmCommands", "postKubeadmCommands" })
                {
                    var commands = Array(bootstrap, key).Select(c => c.GetString()!).ToList();
                    if (commands.Count > 0)
                    {
                        yield return ($"{where} {key}", "sh", string.Join('\n', commands) + "\n");
                    }
                }
            }
        }
    }

    /// <summary>The cloud-config itself, or the kubeadm bootstrap spec of a KubeadmControlPlane / KubeadmConfigTemplate.</summary>
    private static IEnumerable<(string Where, JsonElement Bootstrap)> BootstrapSections(string rendering, JsonElement document)
    {
        if (rendering.StartsWith("CloudInit", StringComparison.Ordinal))
        {
            yield return (rendering, document);
            yield break;
        }
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("kind", out var kind))
        {
            yield break;
        }
        switch (kind.GetString())
        {
            case "KubeadmControlPlane":
                yield return ($"{rendering} KubeadmControlPlane", document.GetProperty("spec").GetProperty("kubeadmConfigSpec"));
                break;
            case "KubeadmConfigTemplate":
                yield return ($"{rendering} KubeadmConfigTemplate", document.GetProperty("spec").GetProperty("template").GetProperty("spec"));
                break;
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement parent, string key) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().ToList()
            : Enumerable.Empty<JsonElement>();

    private RealTools.Result ShellCheck(string shell, string script)
    {
        var shellcheck = RealTools.Require("shellcheck", "shellcheck");
        return RealTools.Run(shellcheck, new[] { "-S", "warning", "-s", shell, "-f", "gcc", "-" }, script);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Every_embedded_script_passes_shellcheck(string name)
    {
        var findings = new List<string>();
        var checkedScripts = 0;
        foreach (var (rendering, text) in RenderingMatrix.Render(RenderingMatrix.Specs[name]).Where(r => r.Rendering != "Kubeadm"))
        {
            foreach (var (where, shell, script) in Scripts(rendering, text))
            {
                checkedScripts++;
                var result = ShellCheck(shell, script);
                if (result.ExitCode != 0)
                {
                    findings.Add($"{where} ({shell}):\n{result.Output}");
                }
            }
        }
        Assert.True(findings.Count == 0, string.Join("\n\n", findings));
        // The control plane's init script is in every cloud-init of a control plane: there is always something to check.
        Assert.True(checkedScripts >= 1);
    }

    [SkippableTheory]
    [InlineData("kubeadm.k8s.io/v1beta3")]
    [InlineData("kubeadm.k8s.io/v1beta4")]
    public void The_join_script_sent_over_SSH_passes_shellcheck(string apiVersion)
    {
        var secret = new KubeadmBootstrapper.JoinSecret("kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:" + new string('a', 64),
            "10.0.0.10:6443", "abcdef", "0123456789abcdef", "sha256:" + new string('a', 64)) { CertificateKey = new string('b', 64) };
        foreach (var controlPlane in new[] { true, false })
        {
            var result = ShellCheck("sh", secret.Script(controlPlane, apiVersion));
            Assert.True(result.ExitCode == 0, result.Output);
        }
    }

    [SkippableFact]
    public void Shellcheck_reports_a_warning_level_problem()
    {
        var result = ShellCheck("sh", "#!/bin/sh\ncd /var/lib/kubelet\nrm -f ./*.tmp\n");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SC2164", result.Output);
    }

    // ---- systemd ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// The kubelet.service the Kubernetes packages install (/usr/lib/systemd/system, as in the kubernetes/release RPM
    /// and deb packaging): the unit the drop-in extends. kubeadm's own 10-kubeadm.conf is left out: it changes nothing
    /// the drop-in relies on.
    /// </summary>
    private const string KubeletUnit = """
        [Unit]
        Description=kubelet: The Kubernetes Node Agent
        Documentation=https://kubernetes.io/docs/
        Wants=network-online.target
        After=network-online.target

        [Service]
        ExecStart=/usr/bin/kubelet
        Restart=always
        StartLimitInterval=0
        RestartSec=10

        [Install]
        WantedBy=multi-user.target

        """;

    /// <summary>
    /// A node's root as cloud-init leaves it: every file of the rendering at its path with its mode, the kubelet unit
    /// and a kubelet binary. Returns the root, or null when the rendering has no kubelet drop-in.
    /// </summary>
    private string? NodeRoot(IEnumerable<JsonElement> files)
    {
        var list = files.ToList();
        if (!list.Any(f => f.GetProperty("path").GetString()!.StartsWith("/etc/systemd/system/kubelet.service.d/", StringComparison.Ordinal)))
        {
            return null;
        }
        var root = Path.Combine(_work, "root-" + Guid.NewGuid().ToString("N")[..8]);
        void Write(string path, string content, UnixFileMode mode)
        {
            var target = root + path;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
            File.SetUnixFileMode(target, mode);
        }
        const UnixFileMode Executable = (UnixFileMode)0b111_101_101;
        Write("/usr/lib/systemd/system/kubelet.service", KubeletUnit, (UnixFileMode)0b110_100_100);
        Write("/usr/bin/kubelet", "#!/bin/sh\n", Executable);
        foreach (var file in list)
        {
            Write(file.GetProperty("path").GetString()!, file.GetProperty("content").GetString()!, (UnixFileMode)Convert.ToInt32(file.GetProperty("permissions").GetString(), 8));
        }
        return root;
    }

    private static RealTools.Result Verify(string root)
    {
        var analyze = RealTools.Require("systemd-analyze", "systemd");
        return RealTools.Run(analyze, new[] { "verify", "--root=" + root, "--man=no", "--recursive-errors=no", "kubelet.service" });
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void The_kubelet_drop_in_passes_systemd_analyze_verify(string name)
    {
        var spec = RenderingMatrix.Specs[name];
        var verified = 0;
        foreach (var (rendering, text) in RenderingMatrix.Render(spec).Where(r => r.Rendering != "Kubeadm"))
        {
            foreach (var document in RealTools.LoadWithPyYaml(text))
            {
                foreach (var (where, bootstrap) in BootstrapSections(rendering, document))
                {
                    if (NodeRoot(Array(bootstrap, "write_files").Concat(Array(bootstrap, "files"))) is not { } root)
                    {
                        continue;
                    }
                    var result = Verify(root);
                    Assert.True(result.ExitCode == 0 && result.Output.Length == 0, $"{name} {where}: {result.Output}");
                    verified++;
                }
            }
        }
        if (spec.Fips)
        {
            Assert.Equal(6, verified); // two cloud-configs, and a control plane and a worker template in each Cluster API version
        }
    }

    [SkippableFact]
    public void Systemd_analyze_verify_reads_the_drop_in_and_the_gate_script_from_the_node_root()
    {
        var files = RealTools.LoadWithPyYaml(CloudInitRenderer.Render(RenderingMatrix.Specs.First().Value, "Worker")).Single().GetProperty("write_files").EnumerateArray().ToList();
        var root = NodeRoot(files)!;
        Assert.Equal(0, Verify(root).ExitCode);
        var dropIn = root + FipsKubeletGuard.DropInPath;
        var original = File.ReadAllText(dropIn);

        // A misspelt key in the drop-in is seen: the drop-in is read from that path.
        File.WriteAllText(dropIn, original.Replace("ExecStartPre=", "ExecStartPer=", StringComparison.Ordinal));
        var misspelt = Verify(root);
        Assert.Contains("Unknown key 'ExecStartPer'", misspelt.Output);
        Assert.NotEqual(0, misspelt.ExitCode);

        // A gate script that is not executable is seen: the command it names is looked up in the node root.
        File.WriteAllText(dropIn, original);
        File.SetUnixFileMode(root + FipsKubeletGuard.ScriptPath, (UnixFileMode)0b110_100_100);
        var notExecutable = Verify(root);
        Assert.Contains("is not executable", notExecutable.Output);
        Assert.NotEqual(0, notExecutable.ExitCode);
    }

    // ---- Cluster API objects against their CRDs ---------------------------------------------------------------------

    public static TheoryData<string, string> CasesByCapiVersion()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in RenderingMatrix.Specs.Keys)
        {
            foreach (var version in RenderingMatrix.CapiVersions)
            {
                data.Add(name, version);
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(CasesByCapiVersion))]
    public void Every_Cluster_API_object_decodes_in_kubectl_and_passes_its_CRD_schema(string name, string apiVersion)
    {
        RealTools.Require("kubectl", "kubernetes-client");
        var schemas = CrdSchemas.Load(_work);
        var objects = RealTools.DecodeWithKubectl(ClusterApiRenderer.Render(RenderingMatrix.Specs[name], apiVersion), _work);
        Assert.Equal(new[] { "Cluster", "AWSCluster", "KubeadmControlPlane", "AWSMachineTemplate", "MachineDeployment", "AWSMachineTemplate", "KubeadmConfigTemplate" },
            objects.Select(o => o.GetProperty("kind").GetString()));
        var findings = objects.SelectMany(schemas.Findings).ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }

    [SkippableFact]
    public void The_CRD_validation_refuses_what_the_issue_found()
    {
        RealTools.Require("kubectl", "kubernetes-client");
        var schemas = CrdSchemas.Load(_work);
        var text = ClusterApiRenderer.Render(RenderingMatrix.Specs["fips-3+3-k8s1.31-dkp-defaults"]);

        // An unquoted boolean label stops kubectl before anything is sent (the issue's first finding).
        Assert.Contains("fipscluster.io/fips: \"true\"", text);
        var boolLabel = Path.Combine(_work, "bool-label.yaml");
        File.WriteAllText(boolLabel, text.Replace("fipscluster.io/fips: \"true\"", "fipscluster.io/fips: true", StringComparison.Ordinal));
        var kubectl = RealTools.Run(RealTools.Find("kubectl")!, new[] { "label", "--local", "-f", boolLabel, "-o", "json", "fipscluster.io/validation-none-" },
            environment: new Dictionary<string, string> { ["KUBECONFIG"] = "/dev/null", ["HOME"] = _work });
        Assert.NotEqual(0, kubectl.ExitCode);

        // An unquoted file mode is an integer for the CRD; an unknown field, a name and a label value of the wrong shape are refused too.
        var objects = RealTools.DecodeWithKubectl(text.Replace("permissions: \"0755\"", "permissions: 0755", StringComparison.Ordinal)
            .Replace("  replicas: 3\n  version:", "  replicas: 3\n  versoin: v1.31.2\n  version:", StringComparison.Ordinal)
            .Replace("name: on-md-0\n  labels:", "name: On_md_0\n  labels:", StringComparison.Ordinal)
            .Replace("cluster.x-k8s.io/cluster-name: \"on\"\n    fipscluster.io/fips: \"true\"\nspec:\n  region", "cluster.x-k8s.io/cluster-name: \"-on\"\n    fipscluster.io/fips: \"true\"\nspec:\n  region", StringComparison.Ordinal), _work);
        var findings = string.Join("\n", objects.SelectMany(schemas.Findings));
        Assert.Contains("/spec/kubeadmConfigSpec/files/0/permissions", findings);
        Assert.Contains("versoin", findings);
        Assert.Contains("metadata.name 'On_md_0'", findings);
        Assert.Contains("cluster.x-k8s.io/cluster-name=\"-on\"", findings);
    }

    /// <summary>JSON with every object's keys sorted (kubectl prints Go maps sorted; PyYAML keeps the document's order).</summary>
    private static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Name) + ":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Canonical)) + "]",
        _ => element.GetRawText(),
    };

    // ---- the kubeadm form against kubeadm's types, and equal to the Cluster API form --------------------------------

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void The_kubeadm_form_has_kubeadms_types_and_equals_the_Cluster_API_form(string name)
    {
        RealTools.Require("kubectl", "kubernetes-client");
        var schemas = CrdSchemas.Load(_work);
        var spec = RenderingMatrix.Specs[name];
        var kubeadm = RealTools.LoadWithPyYaml(KubeadmRenderer.Render(spec)).Single();
        var api = kubeadm.GetProperty("apiVersion").GetString();
        Assert.Equal(KubernetesVersions.KubeadmApiVersion(spec.KubernetesVersion), api);
        // Cluster API's kubeadm types copy kubeadm's: v1beta1 those of kubeadm v1beta3 (extraArgs a map), v1beta2 those
        // of kubeadm v1beta4 (extraArgs a list of name/value pairs). The kubeadm form has the shape of its API version.
        var capiVersion = api == KubernetesVersions.KubeadmV1Beta4 ? "v1beta2" : "v1beta1";
        var kcp = RealTools.DecodeWithKubectl(ClusterApiRenderer.Render(spec, capiVersion), _work).Single(o => o.GetProperty("kind").GetString() == "KubeadmControlPlane");
        var capiForm = kcp.GetProperty("spec").GetProperty("kubeadmConfigSpec").GetProperty("clusterConfiguration");
        var body = new Dictionary<string, JsonElement>();
        foreach (var property in kubeadm.EnumerateObject().Where(p => p.Name is not ("apiVersion" or "kind" or "clusterName" or "kubernetesVersion")))
        {
            body[property.Name] = property.Value;
        }
        Assert.Equal(Canonical(capiForm), Canonical(JsonSerializer.SerializeToElement(body)));
        Assert.Equal(spec.Name, kubeadm.GetProperty("clusterName").GetString());
        Assert.Equal("registry.k8s.io/coredns", capiForm.GetProperty("dns").GetProperty("imageRepository").GetString());

        // The whole kubeadm document against the matching ClusterConfiguration schema: the same objects in both forms.
        var wrapper = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["apiVersion"] = $"controlplane.cluster.x-k8s.io/{capiVersion}", ["kind"] = "KubeadmControlPlane",
            ["metadata"] = new { name = "kubeadm-form" },
            ["spec"] = new Dictionary<string, object>
            {
                ["version"] = "v1.31.2", ["machineTemplate"] = kcp.GetProperty("spec").GetProperty("machineTemplate"),
                ["kubeadmConfigSpec"] = new { clusterConfiguration = capiVersion == "v1beta1" ? (object)kubeadm : body },
            },
        });
        var findings = schemas.Findings(wrapper);
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }
}
