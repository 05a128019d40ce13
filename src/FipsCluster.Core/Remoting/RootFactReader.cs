using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Files;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// Reads the facts of a Linux root filesystem that is not running: a mounted OS image (the DKP prerequisite
/// "prepare your OS image for FIPS"), or a captured node snapshot. Nothing from the image is executed. When the
/// root carries no /proc/cmdline it is an image: runtime checks report NotApplicable and the boot
/// configuration decides; a root that includes captured /proc files is judged as the node it was captured from.
/// Every path is resolved inside the root and every read is bounded (<see cref="ImageRoot"/>).
/// </summary>
public static class RootFactReader
{
    public static NodeFacts Read(string root, CancellationToken cancellation = default) => Read(Open(root), cancellation);

    /// <summary>Checks that <paramref name="root"/> is a directory and opens it as an image (the one resolver of its paths).</summary>
    public static ImageRoot Open(string root)
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
        return new ImageRoot(full, root);
    }

    public static NodeFacts Read(ImageRoot image, CancellationToken cancellation = default)
    {
        var offline = image.Resolve(LinuxFactCatalog.Cmdline).Kind is FileKind.Missing;
        var facts = new NodeFacts(NodeTransport.Root, offline);
        foreach (var path in LinuxFactCatalog.Files)
        {
            cancellation.ThrowIfCancellationRequested();
            ReadFile(facts, image, path, withStat: LinuxFactCatalog.StatFiles.Contains(path));
        }
        foreach (var path in LinuxFactCatalog.StatFiles)
        {
            ReadFile(facts, image, path, withStat: true);
        }
        foreach (var dir in LinuxFactCatalog.StatDirectories.Concat(LinuxFactCatalog.Directories).Distinct())
        {
            if (image.IsDirectory(dir))
            {
                // Device numbers of a mounted image say nothing about the booted system's mounts.
                facts.AddDirectory(dir);
            }
        }
        foreach (var glob in LinuxFactCatalog.Globs)
        {
            cancellation.ThrowIfCancellationRequested();
            foreach (var name in image.Names(glob.Directory, glob.Suffix))
            {
                // As the script's [ -f ]: only regular files (links to them included) are facts of a glob.
                var nodePath = glob.Directory.TrimEnd('/') + "/" + name;
                if (image.Resolve(nodePath) is { Kind: FileKind.Regular, Problem: null })
                {
                    ReadFile(facts, image, nodePath, withStat: false);
                }
            }
        }
        foreach (var name in LinuxFactCatalog.CryptoPolicyBackEndNames)
        {
            var path = $"{LinuxFactCatalog.CryptoPolicyBackEnds}/{name}.config";
            if (image.LinkTarget(path) is { } target)
            {
                facts.AddLink(path, target);
            }
        }
        foreach (var dir in LinuxFactCatalog.OpenSslModuleDirs)
        {
            if (image.Resolve(dir + "/fips.so") is { Kind: FileKind.Regular, Problem: null })
            {
                facts.AddFile(new FileFact(dir + "/fips.so", FileFactState.Present, Array.Empty<byte>()));
            }
        }
        foreach (var config in LinuxFactCatalog.OpenSslConfigs)
        {
            cancellation.ThrowIfCancellationRequested();
            ReadConfigTree(facts, image, config, 0);
        }
        ReadDpkgStatus(facts, image);
        ReadRpmDatabase(facts, image, cancellation);
        return facts;
    }

    private static void ReadFile(NodeFacts facts, ImageRoot image, string nodePath, bool withStat)
    {
        var file = image.Read(nodePath, NodeReadLimits.ImageFileBytes);
        if (file.Problem is { } problem)
        {
            facts.CollectionErrors.Add($"{nodePath} could not be read: {problem}");
        }
        facts.AddFile(new FileFact(nodePath, file.State, file.Content, withStat ? file.ModifiedUnixSeconds : null));
    }

    private static void ReadConfigTree(NodeFacts facts, ImageRoot image, string nodePath, int depth)
    {
        if (depth > 4 || facts.File(nodePath) is { Exists: true })
        {
            return;
        }
        if (image.IsDirectory(nodePath))
        {
            foreach (var name in image.Names(nodePath, ".cnf"))
            {
                ReadConfigTree(facts, image, nodePath.TrimEnd('/') + "/" + name, depth + 1);
            }
            return;
        }
        ReadFile(facts, image, nodePath, withStat: false);
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
                ReadConfigTree(facts, image, target.StartsWith('/') ? target : $"{Path.GetDirectoryName(nodePath)}/{target}", depth + 1);
            }
        }
    }

    /// <summary>
    /// The packages of interest from the image's RPM database, as 'rpm -q' reports them on the running node (name →
    /// version-release): rpmdb.sqlite (RHEL 9+, with its -wal file) or the Berkeley DB Packages file (RHEL 7-8). A
    /// database that cannot be read is a collection error; its packages stay unknown rather than absent.
    /// </summary>
    private static void ReadRpmDatabase(NodeFacts facts, ImageRoot image, CancellationToken cancellation)
    {
        var wanted = LinuxFactCatalog.Packages.ToHashSet(StringComparer.Ordinal);
        foreach (var (path, sqlite) in new[] { (LinuxFactCatalog.RpmSqliteDatabase, true), (LinuxFactCatalog.RpmSysimageSqliteDatabase, true), (LinuxFactCatalog.RpmBerkeleyDatabase, false) })
        {
            try
            {
                using var database = image.OpenRandomAccess(path);
                if (database is null)
                {
                    continue;
                }
                List<RpmPackage> packages;
                if (sqlite)
                {
                    using var wal = image.OpenRandomAccess(path + "-wal");
                    packages = RpmDatabase.ReadSqlite(database, wal, NodeReadLimits.RpmDatabaseBytes, cancellation);
                }
                else
                {
                    packages = RpmDatabase.ReadBerkeleyHash(database, NodeReadLimits.RpmDatabaseBytes, cancellation);
                }
                facts.PackagesKnown = true;
                foreach (var package in packages.Where(p => wanted.Contains(p.Name)))
                {
                    facts.AddPackage(package.Name, package.VersionRelease);
                }
                return; // one database per image: the first found is rpm's (the others are leftovers or the same file)
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                facts.CollectionErrors.Add($"{path} could not be read: {ex.Message}");
                return;
            }
        }
    }

    /// <summary>The packages of interest from dpkg's status file.</summary>
    private static void ReadDpkgStatus(NodeFacts facts, ImageRoot image)
    {
        try
        {
            using var database = image.OpenRead(LinuxFactCatalog.DpkgStatus, NodeReadLimits.PackageDatabaseBytes);
            if (database is null)
            {
                return;
            }
            facts.PackagesKnown = true;
            ReadDpkgStatus(facts, new StreamReader(database));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            facts.CollectionErrors.Add($"{LinuxFactCatalog.DpkgStatus} could not be read: {ex.Message}");
        }
    }

    private static void ReadDpkgStatus(NodeFacts facts, TextReader reader)
    {
        var wanted = LinuxFactCatalog.Packages.ToHashSet(StringComparer.Ordinal);
        string? package = null, version = null, status = null;
        foreach (var line in Lines(reader).Append(""))
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

    /// <summary>Lines of a text, each cut at 4,096 characters (the fields read are short; a longer line is not held whole).</summary>
    private static IEnumerable<string> Lines(TextReader reader)
    {
        const int MaxLine = 4096;
        var line = new System.Text.StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    yield return line.ToString().TrimEnd('\r');
                    line.Clear();
                }
                else if (line.Length < MaxLine)
                {
                    line.Append(buffer[i]);
                }
            }
        }
        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}
