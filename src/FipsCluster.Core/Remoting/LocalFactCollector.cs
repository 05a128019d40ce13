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
        using var kill = cancellation.Register(() => Kill(process));
        var output = NodeOutput.ReadAsync(process.StandardOutput.BaseStream, NodeReadLimits.FactsBytes, Environment.MachineName, "the fact script's output", cancellation);
        var errors = process.StandardError.BaseStream.CopyToAsync(Stream.Null, cancellation);
        try
        {
            await process.StandardInput.WriteAsync(ShellFactScript.ScriptFor(scope).AsMemory(), cancellation).ConfigureAwait(false);
            process.StandardInput.Close();
            var bytes = await output.ConfigureAwait(false);
            await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
            await errors.ConfigureAwait(false);
            return ShellFactScript.Parse(System.Text.Encoding.UTF8.GetString(bytes), NodeTransport.Local, Environment.MachineName, cancellation);
        }
        catch (FipsClusterException)
        {
            Kill(process);
            throw;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
