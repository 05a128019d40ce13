using FipsCluster.Core.Compliance.Node;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// Reads the facts of a Linux root filesystem that is not running: a mounted OS image (the DKP prerequisite
/// "prepare your OS image for FIPS"), or a captured node snapshot. Nothing from the image is executed. When the
/// root carries no /proc/cmdline it is an image: runtime checks report NotApplicable and the boot
/// configuration decides; a root that includes captured /proc files is judged as the node it was captured from.
/// </summary>
public static class RootFactReader
{
    private const int MaxFileBytes = 256 * 1024;

    public static NodeFacts Read(string root, CancellationToken cancellation = default)
    {
        var full = Path.GetFullPath(root);
        if (File.Exists(full))
        {
            throw new FipsClusterException(ErrorIds.InvalidRootPath, FipsErrorCategory.InvalidArgument,
                $"'{root}' is a file, not a directory: a root is the top directory of a mounted OS image or node snapshot.", root);
        }
        if (!Directory.Exists(full))
        {
            throw new FipsClusterException(ErrorIds.InvalidRootPath, FipsErrorCategory.ObjectNotFound, $"The root directory '{root}' does not exist.", root);
        }
        var offline = !File.Exists(Under(full, LinuxFactCatalog.Cmdline));
        var facts = new NodeFacts(NodeTransport.Root, offline);
        foreach (var path in LinuxFactCatalog.Files)
        {
            cancellation.ThrowIfCancellationRequested();
            ReadFile(facts, full, path, withStat: LinuxFactCatalog.StatFiles.Contains(path));
        }
        foreach (var path in LinuxFactCatalog.StatFiles)
        {
            ReadFile(facts, full, path, withStat: true);
        }
        foreach (var dir in LinuxFactCatalog.StatDirectories.Concat(LinuxFactCatalog.Directories).Distinct())
        {
            var local = Under(full, dir);
            if (Directory.Exists(local))
            {
                // Device numbers of a mounted image say nothing about the booted system's mounts.
                facts.AddDirectory(dir);
            }
        }
        foreach (var glob in LinuxFactCatalog.Globs)
        {
            var local = Under(full, glob.Directory);
            if (!Directory.Exists(local))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(local).Where(f => f.EndsWith(glob.Suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                ReadFile(facts, full, glob.Directory.TrimEnd('/') + "/" + Path.GetFileName(file), withStat: false);
            }
        }
        foreach (var name in LinuxFactCatalog.CryptoPolicyBackEndNames)
        {
            var path = $"{LinuxFactCatalog.CryptoPolicyBackEnds}/{name}.config";
            if (ResolveLink(full, path) is { } target)
            {
                facts.AddLink(path, target);
            }
        }
        ReadFile(facts, full, LinuxFactCatalog.CryptoPolicyBackEnds + "/nss.config", withStat: false);
        foreach (var dir in LinuxFactCatalog.OpenSslModuleDirs)
        {
            if (File.Exists(Under(full, dir + "/fips.so")))
            {
                facts.AddFile(new FileFact(dir + "/fips.so", FileFactState.Present, Array.Empty<byte>()));
            }
        }
        foreach (var config in LinuxFactCatalog.OpenSslConfigs)
        {
            ReadConfigTree(facts, full, config, 0);
        }
        ReadDpkgStatus(facts, full);
        return facts;
    }

    /// <summary>Maps a path on the node to the local file under the root, following absolute symlinks inside the root.</summary>
    private static string Under(string root, string nodePath) => Path.Combine(root, nodePath.TrimStart('/'));

    private static void ReadFile(NodeFacts facts, string root, string nodePath, bool withStat)
    {
        var local = ResolveLink(root, nodePath) is { } target ? Under(root, target) : Under(root, nodePath);
        if (!File.Exists(local))
        {
            facts.AddFile(new FileFact(nodePath, FileFactState.Absent, Array.Empty<byte>()));
            return;
        }
        try
        {
            using var stream = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[(int)Math.Min(MaxFileBytes, Math.Max(stream.Length, 0))];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            long? mtime = withStat ? new DateTimeOffset(File.GetLastWriteTimeUtc(local)).ToUnixTimeSeconds() : null;
            facts.AddFile(new FileFact(nodePath, FileFactState.Present, buffer[..read], mtime));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            facts.AddFile(new FileFact(nodePath, FileFactState.Unreadable, Array.Empty<byte>()));
            facts.CollectionErrors.Add($"{nodePath} could not be read: {ex.Message}");
        }
    }

    /// <summary>readlink -f inside the image: absolute targets are resolved against the root, never the host.</summary>
    internal static string? ResolveLink(string root, string nodePath)
    {
        var current = nodePath;
        for (var hops = 0; hops < 16; hops++)
        {
            var info = new FileInfo(Under(root, current));
            if (info.LinkTarget is not { } target)
            {
                return hops == 0 ? null : current;
            }
            current = target.StartsWith('/') ? target : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current) ?? "/", target)).Replace('\\', '/');
        }
        return current;
    }

    private static void ReadConfigTree(NodeFacts facts, string root, string nodePath, int depth)
    {
        if (depth > 4 || facts.File(nodePath) is { Exists: true })
        {
            return;
        }
        var local = Under(root, nodePath);
        if (Directory.Exists(local))
        {
            foreach (var file in Directory.EnumerateFiles(local, "*.cnf").Order(StringComparer.Ordinal))
            {
                ReadConfigTree(facts, root, nodePath.TrimEnd('/') + "/" + Path.GetFileName(file), depth + 1);
            }
            return;
        }
        ReadFile(facts, root, nodePath, withStat: false);
        foreach (var line in (facts.Text(nodePath) ?? "").Split('\n'))
        {
            var trimmed = line.Trim();
            if (!trimmed.StartsWith(".include", StringComparison.Ordinal) && !trimmed.StartsWith("include", StringComparison.Ordinal))
            {
                continue;
            }
            var target = trimmed[(trimmed.IndexOf("include", StringComparison.Ordinal) + 7)..].TrimStart(' ', '=', '\t').Trim().Trim('"');
            if (target.Length > 0)
            {
                ReadConfigTree(facts, root, target.StartsWith('/') ? target : $"{Path.GetDirectoryName(nodePath)}/{target}", depth + 1);
            }
        }
    }

    /// <summary>The packages of interest from dpkg's status file (RPM databases of an image are not read).</summary>
    private static void ReadDpkgStatus(NodeFacts facts, string root)
    {
        var local = Under(root, LinuxFactCatalog.DpkgStatus);
        if (!File.Exists(local))
        {
            return;
        }
        facts.PackagesKnown = true;
        var wanted = LinuxFactCatalog.Packages.ToHashSet(StringComparer.Ordinal);
        string? package = null, version = null, status = null;
        foreach (var line in File.ReadLines(local).Append(""))
        {
            if (line.Length == 0)
            {
                if (package is not null && wanted.Contains(package) && status?.EndsWith(" installed", StringComparison.Ordinal) == true)
                {
                    facts.AddPackage(package, version ?? "");
                }
                package = version = status = null;
            }
            else if (line.StartsWith("Package: ", StringComparison.Ordinal))
            {
                package = line[9..].Trim();
            }
            else if (line.StartsWith("Version: ", StringComparison.Ordinal))
            {
                version = line[9..].Trim();
            }
            else if (line.StartsWith("Status: ", StringComparison.Ordinal))
            {
                status = line[8..].Trim();
            }
        }
    }
}
