using System.Collections.Concurrent;
using System.Diagnostics;
using FipsCluster.Core.Compliance.Node;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// Plays thousands of kubelets honestly on two cores: each distinct (binary set, container command) is run for real
/// once — on this host, or in a private mount namespace where <see cref="BinarySet"/> put other builds of some
/// component binaries — and every pod of that kind prints what that run printed (<see cref="KubernetesApiStub.ReplayNodeLog"/>).
/// So a pod that sends digests only prints exactly what the digests-only script prints on its node, a representative
/// what the sending script prints, each compressed as the real command compresses it.
/// </summary>
public sealed class NodeLogReplay
{
    private readonly Func<int, BinarySet> _setOf;
    private readonly ConcurrentDictionary<(BinarySet, string), Lazy<byte[]>> _logs = new();
    private int _runs;

    /// <param name="setOf">Node index → the binary set of the machine standing in for that node.</param>
    public NodeLogReplay(Func<int, BinarySet> setOf) => _setOf = setOf;

    /// <summary>
    /// The command the stub's kubelet gives the replay for a pod of the default profile: content-addressed, the
    /// ConfigMap's script for <paramref name="windows"/> in the environment; otherwise the plain sending script inline.
    /// </summary>
    public static IReadOnlyList<string> PodCommand(bool contentAddressed, BuildInfoWindows windows = BuildInfoWindows.Send)
    {
        var command = Core.Providers.Kubernetes.DaemonSetNodeProbe.Command(FactScope.All, contentAddressed).Skip(2);
        return contentAddressed
            ? new[] { "env", $"{Core.Providers.Kubernetes.DaemonSetNodeProbe.ScriptVariable}={Core.Providers.Kubernetes.DaemonSetNodeProbe.Script(FactScope.All, windows)}" }.Concat(command).ToList()
            : command.ToList();
    }

    /// <summary>Real runs so far (one per distinct set and command).</summary>
    public int RealRuns => Volatile.Read(ref _runs);

    /// <summary>What node <paramref name="index"/>'s container prints for <paramref name="command"/> (its argv after `chroot /host`).</summary>
    public byte[] LogOf(int index, IReadOnlyList<string> command)
    {
        var set = _setOf(index);
        return _logs.GetOrAdd((set, string.Join('\0', command)), _ => new Lazy<byte[]>(() =>
        {
            Interlocked.Increment(ref _runs);
            return BinarySet.Output(set.Runs(command));
        })).Value;
    }
}

/// <summary>
/// A node's component binaries: this host's (<see cref="Host"/>), or copies of runc and containerd-shim-runc-v2 whose
/// Go version's last digit is <c>digit</c>, bind-mounted over the originals in a private mount namespace (needs root):
/// other bytes in their build-info windows, so other digests and other evidence (go1.19.8 becomes go1.19.&lt;digit&gt;).
/// </summary>
public sealed class BinarySet : IDisposable
{
    private readonly List<(string Copy, string Original)> _binds = new();
    private readonly string? _dir;

    private BinarySet()
    {
    }

    private BinarySet(char digit)
    {
        _dir = Directory.CreateTempSubdirectory("fc-binset-").FullName;
        foreach (var name in new[] { "runc", "containerd-shim-runc-v2" })
        {
            var original = LinuxFactCatalog.ComponentBinaries.Where(p => p.EndsWith("/" + name, StringComparison.Ordinal) && File.Exists(p))
                .Select(p => new FileInfo(p).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? p).FirstOrDefault();
            if (original is null)
            {
                continue;
            }
            var copy = Path.Combine(_dir, name);
            var bytes = File.ReadAllBytes(original);
            var header = bytes.AsSpan().IndexOf(BuildInfoMagic);
            if (header < 0 || header % 16 != 0 || (bytes[header + 15] & 2) == 0)
            {
                continue;
            }
            // Inline build info: a varint length at +32, then runtime.Version() ("go1.19.8"): change its last character.
            var length = bytes[header + 32];
            bytes[header + 32 + length] = (byte)digit;
            File.WriteAllBytes(copy, bytes);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, File.GetUnixFileMode(original));
            }
            _binds.Add((copy, original));
        }
        if (_binds.Count == 0)
        {
            throw new InvalidOperationException("neither runc nor containerd-shim-runc-v2 with inline Go build info is installed");
        }
    }

    private static readonly byte[] BuildInfoMagic = { 0xFF, 0x20, 0x47, 0x6F, 0x20, 0x62, 0x75, 0x69, 0x6C, 0x64, 0x69, 0x6E, 0x66, 0x3A };

    /// <summary>This host's own binaries.</summary>
    public static BinarySet Host { get; } = new();

    /// <summary>Other builds of runc and containerd-shim-runc-v2 (Go version ending in <paramref name="digit"/>); dispose to delete the copies.</summary>
    public static BinarySet Patched(char digit) => new(digit);

    /// <summary>The binaries replaced in this set (original path → the copy mounted over it).</summary>
    public IReadOnlyList<(string Copy, string Original)> Binds => _binds;

    /// <summary>The argv that runs <paramref name="command"/> on a machine with this set.</summary>
    public IReadOnlyList<string> Runs(IReadOnlyList<string> command)
    {
        if (_binds.Count == 0)
        {
            return command;
        }
        var mounts = string.Concat(_binds.Select((_, i) => $"mount --bind \"${2 * i + 1}\" \"${2 * i + 2}\" && "));
        return new[] { "unshare", "-m", "--propagation", "private", "/bin/sh", "-c", mounts + $"shift {2 * _binds.Count} && exec \"$@\"", "fc" }
            .Concat(_binds.SelectMany(b => new[] { b.Copy, b.Original })).Concat(command).ToList();
    }

    /// <summary>Runs <paramref name="argv"/> and returns its standard output, byte for byte (stderr is read and dropped, as a pod log would mix it in only when the script let it through).</summary>
    public static byte[] Output(IReadOnlyList<string> argv)
    {
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv.Skip(1))
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        return output.ToArray();
    }

    public void Dispose()
    {
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
