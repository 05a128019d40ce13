using System.Diagnostics;
using System.Text;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Providers;
using k8s;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 3, through the Kubernetes API (the stub runs each node's pod command on this host): a node whose
/// pod log is malformed or huge, or whose kubelet answers a huge configz, is that node's error; every other node is
/// still judged. In the proof one malformed `links` line stopped one of the 16 log readers for good.
/// </summary>
public sealed class HostileKubernetesNodeTests : IDisposable
{
    private readonly KubernetesApiStub _api = new();
    private readonly Kubernetes _client;
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-hostile-pods-").FullName;

    public HostileKubernetesNodeTests() => _client = KubernetesStubClient.Create(_api);

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<ClusterComplianceReport> Test(TimeSpan timeout) =>
        KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default) { DaemonSet = new DaemonSetNodeCheck(DaemonSetNodeProbe.DefaultImage, timeout) }, OperationContext.None);

    /// <summary>One real run of the facts script on this host, and the same with a `links` line the script never writes.</summary>
    private (string Good, string Malformed) Logs()
    {
        string output;
        using (var sh = Process.Start(new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true })!)
        {
            sh.StandardInput.Write(ShellFactScript.ScriptFor(FactScope.All));
            sh.StandardInput.Close();
            output = sh.StandardOutput.ReadToEnd();
            sh.WaitForExit();
        }
        var good = Path.Combine(_dir, "good.log");
        var malformed = Path.Combine(_dir, "malformed.log");
        File.WriteAllText(good, output);
        var grep = output.IndexOf("@@FC grep\n", StringComparison.Ordinal);
        Assert.True(grep > 0);
        File.WriteAllText(malformed, output[..grep] + "@@FC links\nnoslash\t../x\n" + output[grep..]);
        return (good, malformed);
    }

    /// <summary>The pod prints the file, then idles as the real container does.</summary>
    private static IReadOnlyList<string> Prints(string file) => new[] { "/bin/sh", "-c", "cat \"$1\"; exec sleep 300", "fc", file };

    [SkippableFact]
    public async Task Twenty_malformed_logs_among_forty_nodes_are_their_nodes_errors_and_the_sixteen_readers_judge_every_other_node()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the stub runs the pods' commands with /bin/sh");
        var (good, malformed) = Logs();
        _api.NodeCount = 40;
        _api.NodeRunner = (index, _) => Prints(index % 2 == 0 ? malformed : good);

        var clock = Stopwatch.StartNew();
        var report = await Test(TimeSpan.FromSeconds(90));
        clock.Stop();

        // More malformed nodes than readers: had one killed its reader, the last nodes would wait for the timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.Equal(40, report.Nodes.Count);
        foreach (var node in report.Nodes)
        {
            var index = int.Parse(node.ComputerName["node-".Length..]);
            if (index % 2 == 0)
            {
                Assert.Equal(ComplianceStatus.Error, node.Status);
                Assert.Equal(ErrorIds.NodeFactsMalformed, node.ErrorId);
                Assert.Contains("section links", Assert.Single(node.Errors));
            }
            else
            {
                Assert.NotEqual(ComplianceStatus.Error, node.Status);
                Assert.Null(node.ErrorId);
                Assert.NotEmpty(node.Checks);
            }
        }
        Assert.Empty(_api.LiveNamespaces);
    }

    [SkippableFact]
    public async Task A_pod_log_larger_than_one_nodes_facts_is_NodeOutputTooLarge_and_the_other_nodes_are_judged()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the stub runs the pods' commands with /bin/sh");
        var (good, _) = Logs();
        _api.NodeRunner = (index, _) => index == 1
            ? new[] { "/bin/sh", "-c", $"head -c {NodeReadLimits.FactsBytes + (8 << 20)} /dev/zero; exec sleep 300" }
            : Prints(good);

        var report = await Test(TimeSpan.FromSeconds(60));

        var huge = report.Nodes.Single(n => n.ComputerName == "node-1");
        Assert.Equal(ComplianceStatus.Error, huge.Status);
        Assert.Equal(ErrorIds.NodeOutputTooLarge, huge.ErrorId);
        Assert.Equal("node-1: its pod log exceeded 16 MiB, the most the module reads from one node; it was not judged and the read was stopped.", Assert.Single(huge.Errors));
        Assert.All(report.Nodes.Where(n => n.ComputerName != "node-1"), n => Assert.NotEqual(ComplianceStatus.Error, n.Status));
        Assert.Empty(_api.LiveNamespaces);
    }

    [Fact]
    public async Task A_kubelet_answering_a_huge_configz_is_an_error_of_the_kubelet_check_naming_the_node()
    {
        var padding = new string(' ', NodeReadLimits.ConfigzBytes);
        _api.ConfigzBody = index => index == 2
            ? Encoding.UTF8.GetBytes("{\"kubeletconfig\":{\"tlsMinVersion\":\"VersionTLS12\"," + padding + "\"tlsCipherSuites\":[\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]}}")
            : null;

        var report = await KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None);

        var kubelets = report.Checks.Single(c => c.CheckId == "K8S-TLS-03");
        Assert.Equal(CheckStatus.Error, kubelets.Status);
        Assert.Equal("configz could not be read on 1 of 3 nodes: node-2: its configz exceeded 1 MiB, the most the module reads from one node; it was not judged and the read was stopped.", kubelets.Actual);
    }
}
