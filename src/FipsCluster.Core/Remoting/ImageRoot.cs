using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Files;

namespace FipsCluster.Core.Remoting;

/// <summary>A path of the image resolved to the entry it names, as chroot(2) would resolve it.</summary>
/// <param name="NodePath">The path inside the image, every link and ".." resolved (lexically completed when a component is missing).</param>
/// <param name="HostPath">Where that is on this machine: under the root, through no symbolic link.</param>
/// <param name="Entry">What the entry is (Missing when it does not exist).</param>
/// <param name="Problem">Why it could not be resolved (a link loop, permission denied), else null.</param>
internal readonly record struct ImageEntry(string NodePath, string HostPath, FileEntry Entry, string? Problem)
{
    public FileKind Kind => Entry.Kind;
}

/// <summary>A file read from an image: its state as the fact script would report it, its (bounded) content, and why it could not be read.</summary>
internal sealed record ImageFile(FileFactState State, byte[] Content, long? ModifiedUnixSeconds, UnixFileMode? Mode, bool Truncated, string? Problem);

/// <summary>
/// A Linux root filesystem read from outside — a mounted OS image, a node snapshot, or "/" for this machine — the one
/// place where every reader of an image resolves its paths. Every component is resolved inside the root as chroot(2)
/// would: absolute link targets start again at the root, ".." stops at the root, at most
/// <see cref="NodeReadLimits.SymlinkHops"/> links are followed; so no path of the image, however its links are made,
/// reaches a file of this machine outside the root. Files are opened only when lstat says they are regular files,
/// without blocking, and read up to a size; everything read from one image counts against
/// <see cref="NodeReadLimits.FactsBytes"/> (past it: <see cref="ErrorIds.NodeOutputTooLarge"/>).
/// A reader blocked inside the kernel (a hung network or FUSE mount) cannot be interrupted: callers run it under a
/// deadline they can walk away from (see NodeScanner).
/// </summary>
public sealed class ImageRoot
{
    private static readonly FileEntry RootDirectory = new(FileKind.Directory, 0, null, null, 0, 0, false);
    private readonly string _root;
    private long _charged;

    /// <param name="root">The root directory on this machine.</param>
    /// <param name="name">How the image is named in messages (the -Root argument).</param>
    public ImageRoot(string root, string? name = null)
    {
        var full = Path.GetFullPath(root);
        _root = full.Length > 1 ? full.TrimEnd('/', Path.DirectorySeparatorChar) : "";
        Name = name ?? root;
    }

    public string Name { get; }

    /// <summary>Resolves <paramref name="nodePath"/> (absolute inside the image) component by component.</summary>
    internal ImageEntry Resolve(string nodePath)
    {
        var pending = new Stack<string>();
        Push(pending, nodePath);
        var resolved = new List<string>();
        var entry = RootDirectory;
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                entry = RootDirectory; // a directory already walked through
                continue;
            }
            if (entry.Kind is not FileKind.Directory)
            {
                return new ImageEntry(Lexical(resolved, pending, part), Host(resolved), FileEntry.Missing, null); // ENOTDIR: "a file/x" names nothing
            }
            resolved.Add(part);
            var host = Host(resolved);
            try
            {
                entry = UnixFile.Lstat(host);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new ImageEntry(Lexical(resolved, pending), host, FileEntry.Missing, ex.Message);
            }
            if (entry.Kind is FileKind.Missing)
            {
                return new ImageEntry(Lexical(resolved, pending), host, FileEntry.Missing, null);
            }
            if (entry.Kind is FileKind.Symlink)
            {
                resolved.RemoveAt(resolved.Count - 1);
                if (++hops > NodeReadLimits.SymlinkHops)
                {
                    return new ImageEntry(Lexical(resolved, pending, part), host, FileEntry.Missing, "too many levels of symbolic links");
                }
                string? target;
                try
                {
                    target = new FileInfo(host).LinkTarget;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return new ImageEntry(Lexical(resolved, pending, part), host, FileEntry.Missing, ex.Message);
                }
                if (string.IsNullOrEmpty(target))
                {
                    return new ImageEntry(Lexical(resolved, pending, part), host, FileEntry.Missing, null);
                }
                if (target.StartsWith('/'))
                {
                    resolved.Clear(); // the image's "/", never this machine's
                }
                Push(pending, target);
                entry = RootDirectory; // the link's parent, already walked through
            }
        }
        return new ImageEntry("/" + string.Join('/', resolved), Host(resolved), resolved.Count == 0 ? RootDirectory : entry, null);
    }

    /// <summary>
    /// readlink -f inside the image: when the last component of <paramref name="nodePath"/> is a symbolic link, the
    /// path it finally leads to (even if that does not exist); null when it is not a link.
    /// </summary>
    public string? LinkTarget(string nodePath)
    {
        var slash = nodePath.TrimEnd('/').LastIndexOf('/');
        var parent = Resolve(slash <= 0 ? "/" : nodePath[..slash]);
        if (parent.Kind is not FileKind.Directory || parent.Problem is not null)
        {
            return null;
        }
        try
        {
            if (UnixFile.Lstat(Join(parent.HostPath, nodePath[(slash + 1)..])).Kind is not FileKind.Symlink)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Resolve(nodePath).NodePath;
    }

    /// <summary>Whether <paramref name="nodePath"/> is a directory of the image.</summary>
    public bool IsDirectory(string nodePath) => Resolve(nodePath) is { Kind: FileKind.Directory, Problem: null };

    /// <summary>
    /// The names in an image directory that end with <paramref name="suffix"/>, in ordinal order (entries of any type:
    /// reading them resolves them). Empty when it is not a directory.
    /// </summary>
    public IReadOnlyList<string> Names(string nodeDirectory, string suffix = "")
    {
        var directory = Resolve(nodeDirectory);
        if (directory.Kind is not FileKind.Directory || directory.Problem is not null)
        {
            return Array.Empty<string>();
        }
        var names = new List<string>();
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory.HostPath))
            {
                var name = Path.GetFileName(entry);
                if (name.EndsWith(suffix, StringComparison.Ordinal))
                {
                    Charge(name.Length);
                    names.Add(name);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>
    /// Reads up to <paramref name="maxBytes"/> of a regular file of the image. Absent when it does not exist or is a
    /// directory (as the fact script's [ -f ] says); Unreadable, with the reason, when it is a FIFO, socket or device
    /// (never opened), a link loop, or cannot be read.
    /// </summary>
    internal ImageFile Read(string nodePath, int maxBytes)
    {
        Charge(nodePath.Length);
        var entry = Resolve(nodePath);
        if (entry.Problem is { } problem)
        {
            return Unreadable(problem);
        }
        switch (entry.Kind)
        {
            case FileKind.Missing or FileKind.Directory:
                return new ImageFile(FileFactState.Absent, Array.Empty<byte>(), null, null, false, null);
            case not FileKind.Regular:
                return Unreadable($"{UnixFile.Describe(entry.Kind)}, not a regular file: not read");
        }
        try
        {
            using var stream = UnixFile.OpenRegular(entry.HostPath, entry.Entry);
            var buffer = new byte[(int)Math.Min(maxBytes + 1L, Math.Max(entry.Entry.Size + 1, 1))];
            var length = 0;
            int read;
            while (length <= maxBytes && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
                if (length == buffer.Length && length <= maxBytes)
                {
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1L, 2L * buffer.Length));
                }
            }
            var truncated = length > maxBytes;
            var content = buffer.AsSpan(0, Math.Min(length, maxBytes)).ToArray();
            Charge(content.Length);
            return new ImageFile(FileFactState.Present, content, entry.Entry.ModifiedUnixSeconds, entry.Entry.Mode, truncated, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Unreadable(ex.Message);
        }
    }

    /// <summary>
    /// Opens a regular file of the image for streaming (a package database); null when it is absent. Only the first
    /// <paramref name="maxBytes"/> can be read from the stream returned.
    /// </summary>
    public Stream? OpenRead(string nodePath, long maxBytes)
    {
        var entry = Resolve(nodePath);
        if (entry.Problem is { } problem)
        {
            throw new IOException(problem);
        }
        return entry.Kind switch
        {
            FileKind.Missing or FileKind.Directory => null,
            FileKind.Regular => new BoundedStream(UnixFile.OpenRegular(entry.HostPath, entry.Entry), maxBytes),
            _ => throw new IOException($"{UnixFile.Describe(entry.Kind)}, not a regular file: not read"),
        };
    }

    /// <summary>
    /// Opens a regular file of the image for random reads (an RPM database, read page by page by a reader that caps
    /// what it reads); null when it is absent or a directory.
    /// </summary>
    public FileStream? OpenRandomAccess(string nodePath)
    {
        var entry = Resolve(nodePath);
        if (entry.Problem is { } problem)
        {
            throw new IOException(problem);
        }
        return entry.Kind switch
        {
            FileKind.Missing or FileKind.Directory => null,
            FileKind.Regular => UnixFile.OpenRegular(entry.HostPath, entry.Entry),
            _ => throw new IOException($"{UnixFile.Describe(entry.Kind)}, not a regular file: not read"),
        };
    }

    /// <summary>Counts bytes read from the image against the one-node limit.</summary>
    private void Charge(long bytes)
    {
        if ((_charged += bytes) > NodeReadLimits.FactsBytes)
        {
            throw NodeReadLimits.TooLarge(Name, "what was read from the image", NodeReadLimits.FactsBytes);
        }
    }

    private static ImageFile Unreadable(string problem) => new(FileFactState.Unreadable, Array.Empty<byte>(), null, null, false, problem);

    private string Host(List<string> resolved) => resolved.Count == 0 ? (_root.Length == 0 ? "/" : _root) : _root + "/" + string.Join('/', resolved);

    private static string Join(string directory, string name) => directory.EndsWith('/') ? directory + name : directory + "/" + name;

    private static void Push(Stack<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    /// <summary>The path that was asked for, as far as it resolved, completed lexically (readlink -m).</summary>
    private static string Lexical(List<string> resolved, Stack<string> pending, string? current = null) =>
        LexicalPath.Resolve(resolved, current is null ? pending : pending.Prepend(current));

    /// <summary>A read-only view of a stream that ends after a number of bytes.</summary>
    private sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        private long _left = limit;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_left <= 0)
            {
                return 0;
            }
            var read = inner.Read(buffer, offset, (int)Math.Min(count, _left));
            _left -= read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
