using System.Diagnostics;
using System.Text.Json;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;

namespace FipsCluster.Core.Remediation;

/// <summary>Enable-FipsMode -Restart: rebooting a running node and waiting for it to come back in FIPS mode.</summary>
public sealed partial class FipsModeService
{
    /// <summary>
    /// Reboots a running node (one ShouldProcess question). An SSH node is then awaited until it answers with a new boot id
    /// (NodeRestartTimedOut after <paramref name="timeout"/>) and judged again; this machine simply goes down.
    /// Returns <paramref name="change"/> updated, or unchanged when declined.
    /// </summary>
    public async Task<FipsModeChange> RestartAsync(FipsModeTarget target, FipsModeChange change, TimeSpan timeout, OperationContext context)
    {
        if (!context.ShouldProcess(target.Name, "Restart to run in FIPS mode"))
        {
            return change;
        }
        switch (target)
        {
            case SshFipsModeTarget ssh:
            {
                var before = NodeProbe.Parse((await ssh.RunAsync(NodeProbe.Script, CommandTimeout, "probe", context.Cancellation).ConfigureAwait(false)).Output);
                try
                {
                    var reboot = await ssh.RunAsync(before.Privileged("systemctl reboot"), TimeSpan.FromSeconds(30), "reboot", context.Cancellation).ConfigureAwait(false);
                    if (reboot.ExitStatus is not (0 or null))
                    {
                        throw CommandFailed(ssh.Name, before.Privileged("systemctl reboot"), reboot);
                    }
                }
                catch (FipsClusterException lost) when (lost.ErrorId is ErrorIds.SshConnectionFailed or ErrorIds.NodeUnreachable or ErrorIds.NodeTimedOut)
                {
                    // The node went down under the command: that is the reboot.
                }
                await WaitForNewBootAsync(ssh, before.BootId, timeout, context).ConfigureAwait(false);
                var (verdict, _) = await JudgeAsync(target, context.Cancellation).ConfigureAwait(false);
                return Copy(change, verdict, restarted: true, rebootRequired: verdict.FipsModeEnabled != true, change.Message + " The node restarted.");
            }
            case LocalFipsModeTarget local:
            {
                var probe = NodeProbe.Parse((await local.RunAsync(NodeProbe.Script, CommandTimeout, "probe", context.Cancellation).ConfigureAwait(false)).Output);
                var reboot = await local.RunAsync(probe.Privileged("systemctl reboot"), TimeSpan.FromSeconds(30), "reboot", context.Cancellation).ConfigureAwait(false);
                if (reboot.ExitStatus is not 0)
                {
                    throw CommandFailed(local.Name, probe.Privileged("systemctl reboot"), reboot);
                }
                return Copy(change, change.Verdict, restarted: true, rebootRequired: change.RebootRequired, change.Message + " This machine is restarting.");
            }
            case WindowsFipsModeTarget when OperatingSystem.IsWindows():
                Process.Start(new ProcessStartInfo("shutdown.exe", "/r /t 5") { UseShellExecute = false })?.Dispose();
                return Copy(change, change.Verdict, restarted: true, rebootRequired: change.RebootRequired, change.Message + " This machine is restarting.");
            default:
                throw new FipsClusterException(ErrorIds.FipsModeUnsupported, FipsErrorCategory.InvalidOperation, $"{target.Name}: an offline image cannot be restarted.", target.Name);
        }
    }

    private async Task WaitForNewBootAsync(SshFipsModeTarget ssh, string bootId, TimeSpan timeout, OperationContext context)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            try
            {
                var answer = await ssh.RunAsync("cat /proc/sys/kernel/random/boot_id", TimeSpan.FromSeconds(15), "wait for the restart", context.Cancellation).ConfigureAwait(false);
                var now = answer.Output.Trim();
                if (answer.ExitStatus == 0 && now.Length > 0 && now != bootId)
                {
                    context.Verbose($"{ssh.Name}: back after {clock.Elapsed.TotalSeconds:0} s (new boot {now}).");
                    return;
                }
            }
            catch (FipsClusterException down) when (down.ErrorId is ErrorIds.SshConnectionFailed or ErrorIds.NodeUnreachable or ErrorIds.NodeTimedOut)
            {
                context.Verbose($"{ssh.Name}: not back yet ({down.ErrorId}).");
            }
            await Task.Delay(TimeSpan.FromSeconds(2), context.Cancellation).ConfigureAwait(false);
        }
        throw new FipsClusterException(ErrorIds.NodeRestartTimedOut, FipsErrorCategory.OperationTimeout,
            $"{ssh.Name}: did not come back with a new boot within {timeout.TotalSeconds:0} s of the restart.", ssh.Name);
    }
}
