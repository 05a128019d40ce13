using System.Diagnostics;
using System.Runtime.InteropServices;
using FipsCluster.Core.Compliance.Node;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// Reads the facts of the machine the module runs on. On Linux it runs the very script sent to SSH nodes
/// (so local and remote results are comparable line by line); on Windows it reads the registry and the
/// .NET Framework configuration files.
/// </summary>
public static class LocalFactCollector
{
    public static async Task<NodeFacts> CollectAsync(FactScope scope, CancellationToken cancellation)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return WindowsFactReader.Read(new WindowsRegistry(), Environment.GetFolderPath(Environment.SpecialFolder.Windows), NodeTransport.Local);
        }
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new FipsClusterException(ErrorIds.NodeFactsUnavailable, FipsErrorCategory.ResourceUnavailable, "/bin/sh could not be started.", "localhost");
        using var kill = cancellation.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        });
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var errors = process.StandardError.ReadToEndAsync(cancellation);
        await process.StandardInput.WriteAsync(ShellFactScript.ScriptFor(scope).AsMemory(), cancellation).ConfigureAwait(false);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        var text = await output.ConfigureAwait(false);
        await errors.ConfigureAwait(false);
        return ShellFactScript.Parse(text, NodeTransport.Local);
    }
}
