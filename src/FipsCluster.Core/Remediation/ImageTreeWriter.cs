using System.Security.Cryptography;
using FipsCluster.Core.Files;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Remediation;

/// <summary>
/// Writes into an offline image tree. Paths are resolved inside the image as <see cref="ImageRoot"/> resolves them (no
/// link leads out of the root). A file is written to a temporary file in its directory, flushed, given the mode and owner
/// of the file it replaces (or of its directory, for a new file) and renamed over it, so a reader sees the old file or the
/// new one, never half of one; what it replaces is kept first as &lt;name&gt;.bak (.bak.1, … when that exists).
/// </summary>
public sealed class ImageTreeWriter
{
    private readonly ImageRoot _image;

    public ImageTreeWriter(ImageRoot image) => _image = image;

    /// <summary>Writes <paramref name="content"/> to the file <paramref name="nodePath"/> (a link to a file is written through); returns the backup's image path, or null for a new file.</summary>
    public string? WriteFile(string nodePath, byte[] content, UnixFileMode newFileMode = (UnixFileMode)0x1A4 /* 0644 */)
    {
        var entry = _image.Resolve(nodePath);
        if (entry.Problem is { } problem)
        {
            throw Failed(nodePath, problem);
        }
        if (entry.Kind is not (FileKind.Regular or FileKind.Missing))
        {
            throw Failed(nodePath, $"it is {UnixFile.Describe(entry.Kind)}, not a file");
        }
        var directory = EnsureDirectory(Parent(entry.NodePath));
        var host = Join(directory, Name(entry.NodePath));
        string? backup = null;
        UnixFileMode mode = newFileMode;
        (uint Uid, uint Gid)? owner = UnixFile.Owner(directory);
        if (entry.Kind is FileKind.Regular)
        {
            mode = entry.Entry.Mode ?? newFileMode;
            owner = UnixFile.Owner(host) ?? owner;
            backup = Backup(entry.NodePath, host, copy: true);
        }
        var temporary = Temporary(directory, Name(entry.NodePath));
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            SetMode(temporary, mode);
            if (owner is { } o)
            {
                SetOwner(temporary, o);
            }
            File.Move(temporary, host, overwrite: true); // rename(2): atomic within the directory
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw Failed(nodePath, ex.Message, ex);
        }
        return backup;
    }

    /// <summary>Makes <paramref name="nodePath"/> a symbolic link to <paramref name="target"/> (replacing a link or file there, kept as .bak); returns the backup's image path.</summary>
    public string? WriteLink(string nodePath, string target)
    {
        var directory = EnsureDirectory(Parent(nodePath));
        var host = Join(directory, Name(nodePath));
        var existing = UnixFile.Lstat(host);
        if (existing.Kind is not (FileKind.Missing or FileKind.Symlink or FileKind.Regular))
        {
            throw Failed(nodePath, $"it is {UnixFile.Describe(existing.Kind)}");
        }
        var owner = existing.Kind is FileKind.Missing ? UnixFile.Owner(directory) : UnixFile.Owner(host);
        var backup = existing.Kind is FileKind.Missing ? null : Backup(Parent(nodePath).TrimEnd('/') + "/" + Name(nodePath), host, copy: true);
        var temporary = Temporary(directory, Name(nodePath));
        try
        {
            File.CreateSymbolicLink(temporary, target);
            if (owner is { } o)
            {
                SetOwner(temporary, o);
            }
            File.Move(temporary, host, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw Failed(nodePath, ex.Message, ex);
        }
        return backup;
    }

    /// <summary>Renames a file or link to its .bak name (nothing is deleted); returns the backup's image path.</summary>
    public string MoveAside(string nodePath)
    {
        var directory = EnsureDirectory(Parent(nodePath));
        var host = Join(directory, Name(nodePath));
        var (backupNode, backupHost) = BackupName(nodePath, host);
        try
        {
            File.Move(host, backupHost);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed(nodePath, ex.Message, ex);
        }
        return backupNode;
    }

    /// <summary>The host directory of an image directory, created (with the parent's owner, mode 0755) where missing.</summary>
    private string EnsureDirectory(string nodeDirectory)
    {
        var entry = _image.Resolve(nodeDirectory);
        if (entry.Problem is { } problem)
        {
            throw Failed(nodeDirectory, problem);
        }
        if (entry.Kind is FileKind.Directory)
        {
            return entry.HostPath;
        }
        if (entry.Kind is not FileKind.Missing || nodeDirectory == "/")
        {
            throw Failed(nodeDirectory, $"it is {UnixFile.Describe(entry.Kind)}, not a directory");
        }
        var parent = EnsureDirectory(Parent(entry.NodePath));
        var host = Join(parent, Name(entry.NodePath));
        try
        {
            Directory.CreateDirectory(host);
            SetMode(host, (UnixFileMode)0x1ED); // 0755
            if (UnixFile.Owner(parent) is { } owner)
            {
                SetOwner(host, owner);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed(nodeDirectory, ex.Message, ex);
        }
        return host;
    }

    private string Backup(string nodePath, string host, bool copy)
    {
        var (backupNode, backupHost) = BackupName(nodePath, host);
        try
        {
            var entry = UnixFile.Lstat(host);
            if (entry.Kind is FileKind.Symlink)
            {
                File.CreateSymbolicLink(backupHost, new FileInfo(host).LinkTarget!);
            }
            else if (copy)
            {
                File.Copy(host, backupHost);
                SetMode(backupHost, entry.Mode ?? (UnixFileMode)0x180);
                File.SetLastWriteTimeUtc(backupHost, File.GetLastWriteTimeUtc(host));
            }
            if (UnixFile.Owner(host) is { } owner)
            {
                SetOwner(backupHost, owner);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed(nodePath, "its backup could not be written: " + ex.Message, ex);
        }
        return backupNode;
    }

    private static (string Node, string Host) BackupName(string nodePath, string host)
    {
        for (var i = 0; ; i++)
        {
            var suffix = i == 0 ? ".bak" : $".bak.{i}";
            if (UnixFile.Lstat(host + suffix).Kind is FileKind.Missing)
            {
                return (nodePath + suffix, host + suffix);
            }
        }
    }

    private static void SetMode(string host, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(host, mode);
        }
    }

    private static void SetOwner(string host, (uint Uid, uint Gid) owner)
    {
        var current = UnixFile.Owner(host);
        if (current != owner)
        {
            UnixFile.SetOwner(host, owner.Uid, owner.Gid);
        }
    }

    private static string Temporary(string directory, string name) =>
        Join(directory, $".{name}.fc-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}");

    private static void TryDelete(string path)
    {
        try
        {
            if (UnixFile.Lstat(path).Kind is not FileKind.Missing)
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string Parent(string nodePath)
    {
        var slash = nodePath.TrimEnd('/').LastIndexOf('/');
        return slash <= 0 ? "/" : nodePath[..slash];
    }

    private static string Name(string nodePath) => nodePath.TrimEnd('/')[(nodePath.TrimEnd('/').LastIndexOf('/') + 1)..];

    private static string Join(string directory, string name) => directory.EndsWith('/') ? directory + name : directory + "/" + name;

    private FipsClusterException Failed(string nodePath, string why, Exception? inner = null) =>
        new(ErrorIds.FipsModeImageIncomplete, FipsErrorCategory.WriteError, $"{_image.Name}: {nodePath} could not be written: {why}", _image.Name, inner);
}
