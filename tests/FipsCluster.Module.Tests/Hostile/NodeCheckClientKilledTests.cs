using System.Diagnostics;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Hostile;

/// <summary>
/// Issue 13, finding 6: on main a killed client left `sleep 86400` DaemonSet pods restarting forever. Here
/// Test-FipsCluster -NodeCheck DaemonSet runs in a child process that is killed (SIGKILL: no finally, no namespace
/// deletion) while every node's pod hangs; the pods still end on their own, within activeDeadlineSeconds, and are not
/// started again.
/// </summary>
public sealed class NodeCheckClientKilledTests : IDisposable
{
    private readonly KubernetesApiStub _api = new();
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "fc-kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);

    public NodeCheckClientKilledTests() => File.WriteAllText(_kubeconfig, _api.Kubeconfig());

    public void Dispose()
    {
        _api.Dispose();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task Pods_end_by_themselves_within_their_deadline_after_the_client_is_killed()
    {
        _api.NodeRunner = static (_, _) => new[] { "sleep", "600" }; // every node hangs
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(TestPaths.TestHost);
        start.ArgumentList.Add("run");
        start.ArgumentList.Add($"Import-Module '{TestPaths.ModuleManifest.Replace("'", "''")}' -ErrorAction Stop; "
            + $"Test-FipsCluster -Kubeconfig '{_kubeconfig.Replace("'", "''")}' -NodeCheck DaemonSet -NodeCheckTimeoutSeconds 8");
        using var client = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        try
        {
            // Killed once every node's pod is running (hung).
            bool AllRunning() => _api.LiveNamespaces.SingleOrDefault() is { } live && _api.PodsIn(live) is { Count: 3 } pods && pods.All(p => p.ProcessRunning);
            while (!AllRunning() && !client.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }
            if (client.HasExited)
            {
                Assert.Fail("the client ended before it could be killed: " + await client.StandardError.ReadToEndAsync());
            }
            Assert.Equal(3, _api.CreatedPods.Count);
        }
        finally
        {
            client.Kill(entireProcessTree: true); // SIGKILL
        }
        await client.WaitForExitAsync();
        var killedAt = clock.Elapsed;
        var ns = Assert.Single(_api.LiveNamespaces); // the client never cleaned up
        Assert.All(_api.PodsIn(ns), p => Assert.True(p.ProcessRunning, $"{p.Name} was not running when the client died"));

        while (_api.PodsIn(ns).Any(p => p.Phase is "Pending" or "Running" || p.ProcessRunning) && clock.Elapsed - killedAt < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }
        var pods = _api.PodsIn(ns);
        Assert.Equal(new[] { "node-0", "node-1", "node-2" }, pods.Select(p => p.Node).Order());
        Assert.All(pods, p =>
        {
            Assert.Equal(("Failed", "DeadlineExceeded"), (p.Phase, p.Reason));
            Assert.False(p.ProcessRunning);
        });
        Assert.True(clock.Elapsed - killedAt < TimeSpan.FromSeconds(8 + 5), $"the pods ended {clock.Elapsed - killedAt} after the kill (deadline 8 s)");
        // Nothing restarts them: still ended a moment later, and no pod was added.
        await Task.Delay(1000);
        Assert.All(_api.PodsIn(ns), p => Assert.Equal("Failed", p.Phase));
        Assert.Equal(3, _api.CreatedPods.Count);
    }
}
