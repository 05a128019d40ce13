using System.Diagnostics;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>
/// NODE-KENC-01 (and through it K8S-ENC-01): which provider encrypts secrets first on a kubeadm control plane, read from
/// a root on disk and by the real facts script (run with a control-plane /etc bind-mounted over this host's, in a
/// private mount namespace) — and the keys in that file never leave the node.
/// </summary>
public sealed class KubeEncryptionAtRestTests : IDisposable
{
    internal const string KeySecret = "c2VjcmV0LWtleS1tYXRlcmlhbC1uZXZlci1zZW50LTEyMzQ1Ng==";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fc-kenc-" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A kubeadm control plane's /etc under the root: the apiserver manifest (with or without the flag) and the configuration.</summary>
    internal static void ControlPlane(string root, string? providers, bool flag = true, string resources = "secrets")
    {
        var manifests = Path.Combine(root, "etc", "kubernetes", "manifests");
        Directory.CreateDirectory(manifests);
        File.WriteAllText(Path.Combine(manifests, "kube-apiserver.yaml"), $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: kube-apiserver
              namespace: kube-system
            spec:
              containers:
              - command:
                - kube-apiserver
                - --advertise-address=10.0.1.5
            {(flag ? "    - --encryption-provider-config=/etc/kubernetes/enc/encryption.yaml\n" : "")}    - --tls-min-version=VersionTLS12
                image: registry.example.com/kube-apiserver:v1.29.6_fips.0
                name: kube-apiserver
            """);
        if (providers is not null)
        {
            Directory.CreateDirectory(Path.Combine(root, "etc", "kubernetes", "enc"));
            File.WriteAllText(Path.Combine(root, "etc", "kubernetes", "enc", "encryption.yaml"), $"""
                apiVersion: apiserver.config.k8s.io/v1
                kind: EncryptionConfiguration
                resources:
                  - resources:
                      - configmaps
                    providers:
                      - identity: {"{}"}
                  - resources:
                      - {resources}
                    providers:
                {providers}
                """);
        }
    }

    internal static string Provider(string kind) => kind switch
    {
        "identity" => "      - identity: {}\n",
        "kms" => "      - kms:\n          apiVersion: v2\n          name: vault\n          endpoint: unix:///var/run/kms.sock\n",
        _ => $"      - {kind}:\n          keys:\n            - name: key1\n              secret: {KeySecret}\n      - identity: {{}}\n",
    };

    [Theory]
    [InlineData("aescbc", "Pass")]
    [InlineData("aesgcm", "Pass")]
    [InlineData("kms", "Pass")]
    [InlineData("secretbox", "Fail")]
    [InlineData("identity", "Fail")]
    public void The_first_provider_for_secrets_decides_and_no_key_is_kept(string kind, string status)
    {
        ControlPlane(_root, Provider(kind));
        var fact = KubeEncryptionAtRest.Read(_root);
        var outcome = KubeEncryptionAtRest.Judge(fact);
        Assert.Equal(status, outcome.Status.ToString());
        Assert.StartsWith($"secrets: {kind} first", outcome.Actual);
        Assert.DoesNotContain(fact!.Lines, l => l.Contains(KeySecret, StringComparison.Ordinal) || l.Contains("key1", StringComparison.Ordinal));
    }

    [Fact]
    public void No_flag_no_entry_for_secrets_an_unreadable_file_and_a_worker_are_each_told_apart()
    {
        ControlPlane(_root, Provider("aescbc"), flag: false);
        Assert.Equal(CheckStatus.Fail, KubeEncryptionAtRest.Judge(KubeEncryptionAtRest.Read(_root)).Status);

        ControlPlane(_root, Provider("aescbc"), resources: "events");
        var uncovered = KubeEncryptionAtRest.Judge(KubeEncryptionAtRest.Read(_root));
        Assert.Equal(CheckStatus.Fail, uncovered.Status);
        Assert.Contains("no resources entry for secrets", uncovered.Actual);

        ControlPlane(_root, Provider("aescbc"), resources: "'*.*'".Trim('\''));
        Assert.Equal(CheckStatus.Pass, KubeEncryptionAtRest.Judge(KubeEncryptionAtRest.Read(_root)).Status);

        File.Delete(Path.Combine(_root, "etc", "kubernetes", "enc", "encryption.yaml"));
        Directory.CreateDirectory(Path.Combine(_root, "etc", "kubernetes", "enc", "encryption.yaml")); // unreadable as a file, even for root
        Assert.Equal(CheckStatus.Error, KubeEncryptionAtRest.Judge(KubeEncryptionAtRest.Read(_root)).Status);

        Assert.Equal(CheckStatus.NotApplicable, KubeEncryptionAtRest.Judge(KubeEncryptionAtRest.Read(Path.Combine(_root, "nothing"))).Status);
    }

    /// <summary>Runs the real facts script with the root's /etc over this host's (private mount namespace, as root).</summary>
    internal static string RunScriptWithEtcOf(string root)
    {
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-m", "--propagation", "private", "/bin/sh", "-c", "mount --bind \"$1/etc\" /etc && exec /bin/sh -c \"$2\"", "fc", root, ShellFactScript.ScriptFor(FactScope.All) })
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(ShellFactScript.IsComplete(output), "the script did not finish: " + error.Result);
        return output;
    }

    [Theory]
    [InlineData("aesgcm")]
    [InlineData("secretbox")]
    public void The_facts_script_reads_the_same_structure_over_the_wire_and_never_a_key(string kind)
    {
        ControlPlane(_root, Provider(kind));
        var output = RunScriptWithEtcOf(_root);
        Assert.DoesNotContain(KeySecret, output);
        Assert.DoesNotContain("key1", output);
        var remote = ShellFactScript.Parse(output, NodeTransport.Ssh).KubeEncryption;
        var local = KubeEncryptionAtRest.Read(_root);
        Assert.NotNull(remote);
        Assert.Equal("/etc/kubernetes/enc/encryption.yaml", remote!.ConfigPath);
        Assert.Equal(local!.Lines, remote.Lines);
        Assert.Equal(KubeEncryptionAtRest.Judge(local).Actual, KubeEncryptionAtRest.Judge(remote).Actual);
    }

    [Fact]
    public async Task Test_FipsNode_Root_judges_a_control_plane_image()
    {
        ControlPlane(_root, Provider("secretbox"));
        var scanner = new NodeScanner(ComplianceProfiles.Default, 1, TimeSpan.FromSeconds(30), OperationContext.None);
        scanner.AddRoot(_root);
        scanner.Complete();
        var report = (await scanner.Results.ReadAsync()).Report;
        var check = report.Checks.Single(c => c.CheckId == "NODE-KENC-01");
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("secretbox first (XSalsa20-Poly1305: not FIPS-approved)", check.Actual);
    }
}
