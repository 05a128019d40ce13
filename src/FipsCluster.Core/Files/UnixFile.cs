using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FipsCluster.Core.Files;

/// <summary>What a directory entry is (its own type: a symbolic link is a link, not what it points to).</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Other,
}

/// <summary>
/// An entry as lstat(2) sees it. <see cref="Identified"/> says whether device and inode are known (statx on Linux),
/// so that an open can prove it opened this very entry.
/// </summary>
internal readonly record struct FileEntry(FileKind Kind, long Size, long? ModifiedUnixSeconds, UnixFileMode? Mode, ulong Device, ulong Inode, bool Identified)
{
    /// <summary>The nanoseconds of the modification time (statx only; 0 otherwise).</summary>
    public uint ModifiedNanoseconds { get; init; }

    public static readonly FileEntry Missing = new(FileKind.Missing, 0, null, null, 0, 0, false);
}

/// <summary>
/// Looking at and opening files that someone else controls, without ever blocking: open(2) on a FIFO waits for a
/// writer and open on a device node talks to the device, so the type is checked with lstat before anything is
/// opened, the open is non-blocking, and the opened file is checked again (type and identity) before it is read.
/// On Linux this is statx(2); elsewhere the managed file APIs and a seekability check stand in (a device node is then
/// not told apart from a regular file).
/// </summary>
internal static class UnixFile
{
    private static bool _noStatx = !OperatingSystem.IsLinux();

    /// <summary>
    /// The entry itself, links not followed. Missing when it does not exist or a parent is not a directory; throws
    /// <see cref="UnauthorizedAccessException"/> or <see cref="IOException"/> (too many links…) otherwise.
    /// </summary>
    public static FileEntry Lstat(string path)
    {
        if (!_noStatx)
        {
            try
            {
                return Statx(path);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                _noStatx = true; // an old C library: the managed fallback below
            }
        }
        return ManagedLstat(path);
    }

    /// <summary>
    /// Opens a regular file for reading without blocking. <paramref name="expected"/> is what <see cref="Lstat"/> saw:
    /// when it identified the entry, the opened file must be that same entry (a link or FIFO swapped in between is
    /// refused). Throws <see cref="IOException"/> naming the type when it is not a regular file.
    /// </summary>
    public static FileStream OpenRegular(string path, FileEntry expected)
    {
        if (expected.Kind is not FileKind.Regular)
        {
            throw new IOException($"{Describe(expected.Kind)}, not a regular file: not opened");
        }
        var stream = OpenNonBlocking(path);
        try
        {
            if (!_noStatx && OperatingSystem.IsLinux())
            {
                var opened = Fstatx(stream.SafeFileHandle);
                if (opened.Kind is not FileKind.Regular)
                {
                    throw new IOException($"{Describe(opened.Kind)}, not a regular file: not read");
                }
                if (expected.Identified && (opened.Device != expected.Device || opened.Inode != expected.Inode))
                {
                    throw new IOException("it changed while it was being opened: not read");
                }
            }
            else if (!OperatingSystem.IsWindows() && !stream.CanSeek)
            {
                throw new IOException("not a regular file: not read");
            }
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="path"/> (links followed) for reading without blocking on a FIFO or a device.</summary>
    public static FileStream OpenNonBlocking(string path)
    {
        if (OpenHandleNonBlocking(path) is not { } handle)
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        try
        {
            return new FileStream(handle, FileAccess.Read, bufferSize: 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The descriptor of <paramref name="path"/> (links followed) opened for reading without blocking on a FIFO or a
    /// device, without a FileStream around it (for reads at offsets only); null where the platform has no open(2).
    /// </summary>
    public static SafeFileHandle? OpenHandleNonBlocking(string path)
    {
        // open(2) on a FIFO without O_NONBLOCK waits for a writer: a scan must never hang there.
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()))
        {
            return null;
        }
        var flags = OperatingSystem.IsLinux() ? 0x800 | 0x80000 | 0x100 /* O_NONBLOCK | O_CLOEXEC | O_NOCTTY */
            : OperatingSystem.IsMacOS() ? 0x4 | 0x1000000 | 0x20000
            : 0x4 | 0x100000 | 0x8000;
        var fd = NativeOpen(path, flags);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 => new FileNotFoundException("no such file", path),
                13 or 1 => new UnauthorizedAccessException("permission denied: " + path),
                21 => new IOException("is a directory"),
                40 when OperatingSystem.IsLinux() => new IOException("too many levels of symbolic links"),
                _ => new IOException($"open failed (errno {errno})"),
            };
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>"a FIFO", "a socket"…: for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Symlink => "a symbolic link",
        FileKind.Fifo => "a FIFO",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        _ => "a special file",
    };

    private static FileEntry ManagedLstat(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return new FileEntry(FileKind.Symlink, 0, null, null, 0, 0, false);
        }
        if (Directory.Exists(path))
        {
            info = new DirectoryInfo(path);
        }
        else if (!info.Exists)
        {
            return FileEntry.Missing;
        }
        var mode = OperatingSystem.IsWindows() ? (UnixFileMode?)null : info.UnixFileMode;
        return new FileEntry(info is DirectoryInfo ? FileKind.Directory : FileKind.Regular, info is FileInfo file ? file.Length : 0,
            new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds(), mode, 0, 0, false);
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7FF;

    private static unsafe FileEntry Statx(string path)
    {
        var buffer = stackalloc byte[256];
        if (NativeStatx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                2 or 20 => FileEntry.Missing, // ENOENT, ENOTDIR
                38 => ManagedFallback(path), // ENOSYS: a kernel without statx
                13 or 1 => throw new UnauthorizedAccessException("permission denied"),
                40 => throw new IOException("too many levels of symbolic links"),
                36 => throw new IOException("file name too long"),
                _ => throw new IOException($"stat failed (errno {errno})"),
            };
        }
        return Entry(buffer);
    }

    private static FileEntry ManagedFallback(string path)
    {
        _noStatx = true;
        return ManagedLstat(path);
    }

    /// <summary>What an open file is (type, size, mtime, device and inode), on Linux; null elsewhere.</summary>
    public static FileEntry? Stat(SafeFileHandle handle) => !_noStatx && OperatingSystem.IsLinux() ? Fstatx(handle) : null;

    private static unsafe FileEntry Fstatx(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[256];
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (NativeStatx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, buffer) != 0)
            {
                throw new IOException($"stat failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
        return Entry(buffer);
    }

    /// <summary>struct statx (linux/stat.h; the same layout on every architecture).</summary>
    private static unsafe FileEntry Entry(byte* statx)
    {
        var mode = *(ushort*)(statx + 28);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
        var inode = *(ulong*)(statx + 32);
        var size = *(long*)(statx + 40);
        var mtime = *(long*)(statx + 112);
        var device = ((ulong)*(uint*)(statx + 136) << 32) | *(uint*)(statx + 140);
        return new FileEntry(kind, size, mtime, (UnixFileMode)(mode & 0xFFF), device, inode, true) { ModifiedNanoseconds = *(uint*)(statx + 120) };
    }

    /// <summary>The owner (uid, gid) of an entry, links not followed; null where statx is unavailable or the entry is missing.</summary>
    public static unsafe (uint Uid, uint Gid)? Owner(string path)
    {
        if (_noStatx)
        {
            return null;
        }
        var buffer = stackalloc byte[256];
        try
        {
            if (NativeStatx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        return (*(uint*)(buffer + 20), *(uint*)(buffer + 24)); // struct statx: stx_uid, stx_gid
    }

    /// <summary>Sets the owner of an entry, links not followed (lchown(2)); throws <see cref="IOException"/> on failure.</summary>
    public static void SetOwner(string path, uint uid, uint gid)
    {
        if (NativeLchown(path, uid, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno is 1 or 13 ? new UnauthorizedAccessException($"{path}: changing the owner was not permitted") : new IOException($"{path}: lchown failed (errno {errno})");
        }
    }

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int NativeLchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int NativeStatx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int NativeOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
