using System.Diagnostics;
using FipsCluster.Core.Providers.Aws;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// A node's root for the kubelet FIPS gate (FIPS_ROOT): proc/sys/crypto/fips_enabled, systemd unit files and the
/// binaries they start, and the gate script beside it.
/// </summary>
internal sealed class GateRoot : IDisposable
{
    public GateRoot(string parent, string? fipsEnabled = "1")
    {
        Path = System.IO.Path.Combine(parent, "root-" + Guid.NewGuid().ToString("N")[..8]);
        var crypto = System.IO.Path.Combine(Path, "proc", "sys", "crypto");
        Directory.CreateDirectory(crypto);
        if (fipsEnabled is not null)
        {
            System.IO.File.WriteAllText(System.IO.Path.Combine(crypto, "fips_enabled"), fipsEnabled + "\n");
        }
        Script = System.IO.Path.Combine(parent, "fips-kubelet-check");
        if (!System.IO.File.Exists(Script))
        {
            System.IO.File.WriteAllText(Script, ScriptText);
        }
    }

    /// <summary>The gate (every FIPS rendering carries exactly this text; BootstrapFipsCheckTests shows it).</summary>
    public static string ScriptText => FipsKubeletGuard.Script;

    public string Path { get; }

    public string Script { get; }

    /// <summary>Writes a file under the root (a unit, a drop-in, an environment file).</summary>
    public GateRoot File(string path, string content)
    {
        var full = Path + path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return this;
    }

    /// <summary>Puts a program at <paramref name="path"/> under the root: a copy of <paramref name="source"/>.</summary>
    public GateRoot Binary(string path, string source)
    {
        var full = Path + path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.Copy(source, full, overwrite: true);
        return this;
    }

    public GateRoot Binary(string path, byte[] content)
    {
        var full = Path + path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllBytes(full, content);
        return this;
    }

    /// <summary>kubelet.service as the kubernetes packages install it, starting <paramref name="execStart"/>.</summary>
    public GateRoot Unit(string execStart = "/usr/bin/kubelet") =>
        File("/usr/lib/systemd/system/kubelet.service", $"[Unit]\nDescription=kubelet: The Kubernetes Node Agent\n\n[Service]\nExecStart={execStart}\nRestart=always\n\n[Install]\nWantedBy=multi-user.target\n");

    /// <summary>Runs the gate with <paramref name="shell"/> ("/bin/sh" or a busybox path); PATH holds only <paramref name="tools"/> when given.</summary>
    public (int Exit, string Output, string Error) Run(string shell, IDictionary<string, string>? env = null, string? toolsPath = null)
    {
        var start = new ProcessStartInfo(shell) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (System.IO.Path.GetFileName(shell) == "busybox")
        {
            start.ArgumentList.Add("sh");
        }
        start.ArgumentList.Add(Script);
        start.Environment.Remove("GODEBUG");
        start.Environment["FIPS_ROOT"] = Path;
        if (toolsPath is not null)
        {
            start.Environment["PATH"] = toolsPath;
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException("the gate did not finish in 2 minutes");
        }
        return (p.ExitCode, output.Result, error.Result);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
