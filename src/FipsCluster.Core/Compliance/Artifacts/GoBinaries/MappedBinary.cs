using System.IO.MemoryMappedFiles;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// A file mapped read-only into memory. Every read is bounds-checked against the file length: a range that does
/// not lie wholly inside the file yields false (or an empty span), never an exception and never a copy.
/// </summary>
internal sealed unsafe class MappedBinary : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private bool _disposed;

    private MappedBinary(MemoryMappedFile map, MemoryMappedViewAccessor view, long length, FileIdentity? identity)
    {
        Identity = identity;
        _map = map;
        _view = view;
        Length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + view.PointerOffset;
    }

    public long Length { get; }

    /// <summary>Which file this is (device, inode, size, mtime), where the platform says; null elsewhere.</summary>
    public FileIdentity? Identity { get; }

    /// <summary>
    /// Opens <paramref name="path"/> without blocking on FIFOs or devices and maps it. Returns null with a reason
    /// when the file is empty or not a regular, seekable file.
    /// </summary>
    public static MappedBinary? Open(string path, out string? notMappable)
    {
        notMappable = null;
        var stream = FipsCluster.Core.Files.UnixFile.OpenNonBlocking(path);
        try
        {
            if (!stream.CanSeek)
            {
                notMappable = "not a regular file";
                stream.Dispose();
                return null;
            }
            var length = stream.Length;
            var identity = FipsCluster.Core.Files.UnixFile.Stat(stream.SafeFileHandle) is { Identified: true } e
                ? new FileIdentity(e.Device, e.Inode, e.Size, e.ModifiedUnixSeconds ?? 0, e.ModifiedNanoseconds)
                : (FileIdentity?)null;
            if (length == 0)
            {
                notMappable = "empty file";
                stream.Dispose();
                return null;
            }
            var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            try
            {
                var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                return new MappedBinary(map, view, length, identity);
            }
            catch
            {
                map.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The bytes at [offset, offset+length), or false when any of them lies outside the file.</summary>
    public bool TryGet(long offset, long length, out ReadOnlySpan<byte> bytes)
    {
        if (offset < 0 || length < 0 || length > int.MaxValue || offset > Length || length > Length - offset)
        {
            bytes = default;
            return false;
        }
        bytes = new ReadOnlySpan<byte>(_base + offset, (int)length);
        return true;
    }

    /// <summary>Up to <paramref name="max"/> bytes from offset, cut at the end of the file (empty when outside).</summary>
    public ReadOnlySpan<byte> Window(long offset, long max)
    {
        if (offset < 0 || offset >= Length || max <= 0)
        {
            return default;
        }
        var length = Math.Min(Math.Min(max, Length - offset), int.MaxValue);
        return new ReadOnlySpan<byte>(_base + offset, (int)length);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }
}

/// <summary>A file as the file system names it: two paths with the same identity are one file (hard links).</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long ModifiedSeconds, uint ModifiedNanoseconds);
