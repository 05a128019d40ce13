using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Remediation;

/// <summary>Where Enable-FipsMode works: this machine, an SSH node, an offline image root, or a Windows registry.</summary>
public abstract class FipsModeTarget
{
    private protected FipsModeTarget(string name, NodeTransport transport)
    {
        Name = name;
        Transport = transport;
    }

    /// <summary>The target as Test-FipsNode names it (host, host:port, the root as given, the machine name).</summary>
    public string Name { get; }

    public NodeTransport Transport { get; }

    /// <summary>This machine: its registry on Windows, its own tools (with sudo when not root) on Linux.</summary>
    public static FipsModeTarget Local() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? new WindowsFipsModeTarget(Environment.MachineName, new WindowsRegistry(), Environment.GetFolderPath(Environment.SpecialFolder.Windows))
            : new LocalFipsModeTarget();

    public override string ToString() => Name;
}

/// <summary>A running Linux node reached through a shell: this machine or an SSH node.</summary>
public abstract class ShellFipsModeTarget : FipsModeTarget
{
    private protected ShellFipsModeTarget(string name, NodeTransport transport) : base(name, transport)
    {
    }

    /// <summary>Runs a POSIX sh command on the node as the login user; returns its exit status and output.</summary>
    internal abstract Task<ShellResult> RunAsync(string command, TimeSpan timeout, string what, CancellationToken cancellation);

    /// <summary>The node's facts, as Test-FipsNode gathers them for <paramref name="profile"/>.</summary>
    internal abstract Task<NodeFacts> FactsAsync(ComplianceProfile profile, CancellationToken cancellation);
}

/// <summary>What a command left on a node.</summary>
internal sealed record ShellResult(int? ExitStatus, string Output, string Error);

/// <summary>This Linux machine.</summary>
public sealed class LocalFipsModeTarget : ShellFipsModeTarget
{
    public LocalFipsModeTarget() : base(Environment.MachineName, NodeTransport.Local)
    {
    }

    internal override async Task<ShellResult> RunAsync(string command, TimeSpan timeout, string what, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new FipsClusterException(ErrorIds.FipsModeCommandFailed, FipsErrorCategory.ResourceUnavailable, "/bin/sh could not be started.", Name);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return new ShellResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            if (cancellation.IsCancellationRequested)
            {
                throw;
            }
            throw new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout, $"{Name}: {what} took longer than {timeout.TotalSeconds:0.#} s.", Name);
        }
    }

    internal override async Task<NodeFacts> FactsAsync(ComplianceProfile profile, CancellationToken cancellation)
    {
        var facts = await LocalFactCollector.CollectAsync(FactScope.Os, cancellation).ConfigureAwait(false);
        NodeArtifactReader.Enrich(facts, profile, new ImageRoot("/", Environment.MachineName), cancellation);
        return facts;
    }
}

/// <summary>A Linux node over SSH (the module's one SSH client: FIPS algorithms, known_hosts, key or password login).</summary>
public sealed class SshFipsModeTarget : ShellFipsModeTarget
{
    private readonly SshCommandRunner _runner;

    /// <param name="endpoint">The node.</param>
    /// <param name="ssh">How to log in; the login user needs root or password-less sudo to change the node.</param>
    public SshFipsModeTarget(HostEndpoint endpoint, SshOptions ssh) : base(endpoint.ToString(), NodeTransport.Ssh)
    {
        Endpoint = endpoint;
        Ssh = ssh;
        _runner = new SshCommandRunner(ssh);
    }

    public HostEndpoint Endpoint { get; }

    public SshOptions Ssh { get; }

    internal override async Task<ShellResult> RunAsync(string command, TimeSpan timeout, string what, CancellationToken cancellation)
    {
        var result = await _runner.RunAsync(Endpoint, new SshCommand("/bin/sh -c " + ShellFactScript.Quote(command), what) { Timeout = timeout }, cancellation).ConfigureAwait(false);
        return new ShellResult(result.ExitStatus, result.Output, result.Error);
    }

    internal override Task<NodeFacts> FactsAsync(ComplianceProfile profile, CancellationToken cancellation) => CollectAsync(profile, cancellation);

    private async Task<NodeFacts> CollectAsync(ComplianceProfile profile, CancellationToken cancellation)
    {
        var collector = new SshFactCollector(new SshOptions
        {
            Login = Ssh.Login,
            HostKeyPolicy = Ssh.HostKeyPolicy,
            KnownHostsPath = Ssh.KnownHostsPath,
            Timeout = Ssh.Timeout,
            MaxAttempts = Ssh.MaxAttempts,
            Scope = NodeCheckCatalog.ScopeOf(profile),
        });
        var facts = await collector.CollectAsync(Endpoint, cancellation).ConfigureAwait(false);
        NodeArtifactReader.Enrich(facts, profile, null, cancellation);
        return facts;
    }
}

/// <summary>An offline Linux image: a mounted root filesystem, written as files (nothing from the image is executed).</summary>
public sealed class ImageFipsModeTarget : FipsModeTarget
{
    /// <param name="root">The image's root directory on this machine.</param>
    /// <param name="name">How it is named in results (the -Root argument); the root itself by default.</param>
    public ImageFipsModeTarget(string root, string? name = null) : base(name ?? root, NodeTransport.Root) => Root = root;

    public string Root { get; }
}

/// <summary>A Windows machine's registry (the real one, or any <see cref="IWindowsRegistryEditor"/>).</summary>
public sealed class WindowsFipsModeTarget : FipsModeTarget
{
    public WindowsFipsModeTarget(string name, IWindowsRegistryEditor registry, string windowsDirectory) : base(name, NodeTransport.Local)
    {
        Registry = registry;
        WindowsDirectory = windowsDirectory;
    }

    public IWindowsRegistryEditor Registry { get; }

    public string WindowsDirectory { get; }
}

/// <summary>POSIX sh quoting for the commands Enable-FipsMode sends.</summary>
internal static class Sh
{
    public static string Quote(string text) => ShellFactScript.Quote(text);

    /// <summary>
    /// A command that replaces <paramref name="path"/> atomically with <paramref name="content"/> (temp file in the same
    /// directory, then mv), keeping the old file as path.bak with its mode and owner.
    /// </summary>
    public static string WriteFileCommand(string path, string content)
    {
        var p = Quote(path);
        var text = new StringBuilder()
            .Append("set -e; f=").Append(p).Append("; d=$(dirname \"$f\"); mkdir -p \"$d\"; ")
            .Append("if [ -e \"$f\" ]; then cp -p \"$f\" \"$f.bak\"; fi; ")
            .Append("t=$(mktemp \"$d/.fc.XXXXXX\"); printf '%s' ").Append(Quote(content)).Append(" >\"$t\"; ")
            .Append("if [ -e \"$f\" ]; then chmod --reference=\"$f\" \"$t\"; chown --reference=\"$f\" \"$t\"; else chmod 0644 \"$t\"; fi; ")
            .Append("mv -f \"$t\" \"$f\"");
        return text.ToString();
    }
}
