using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using FipsCluster.Core.Files;
using Microsoft.Win32.SafeHandles;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// A file opened for reading its structures. Every read is bounds-checked against the file length: a range that does
/// not lie wholly inside the file yields false (or an empty span), never an exception.
/// <para>
/// Small ranges (headers, table entries, a build info blob) are read with pread into blocks kept until the file is
/// disposed; tables read whole (names, code) are streamed through one reused buffer with <see cref="Stream"/>. Only a
/// range over <see cref="ReadLimit"/> asked for at once maps the file. Mapping is what a directory of binaries cannot
/// afford: each page is faulted in, and unmapping interrupts the other threads' CPUs to flush their TLBs, per file.
/// </para>
/// </summary>
internal sealed unsafe class BinaryFile : IDisposable
{
    /// <summary>Small reads are served from aligned blocks of this size.</summary>
    private const int BlockSize = 4 << 10;

    /// <summary>A range up to this size is read into memory; a larger one is served from a mapping of the file.</summary>
    internal const int ReadLimit = 1 << 20;

    /// <summary>The buffer <see cref="Stream"/> reads through (beside what it carries over from one chunk to the next).</summary>
    internal const int ChunkSize = 256 << 10;

    private readonly SafeFileHandle _handle;
    private readonly FileStream? _stream; // null: the bare descriptor of Linux, read with pread(2)
    private readonly Dictionary<long, byte[]> _blocks = new();
    private List<byte[]>? _ranges;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private byte* _base;
    private bool _disposed;

    private BinaryFile(SafeFileHandle handle, FileStream? stream, long length, FileIdentity? identity)
    {
        _handle = handle;
        _stream = stream;
        Length = length;
        Identity = identity;
    }

    public long Length { get; }

    /// <summary>Which file this is (device, inode, size, mtime), where the platform says; null elsewhere.</summary>
    public FileIdentity? Identity { get; }

    /// <summary>
    /// Opens <paramref name="path"/> without blocking on FIFOs or devices. Returns null with a reason when it is a
    /// directory (<paramref name="directory"/>), empty, or not a regular file.
    /// </summary>
    public static BinaryFile? Open(string path, out string? notReadable, out bool directory)
    {
        notReadable = null;
        directory = false;
        // On Linux the descriptor alone: statx says what it is and how long, and reads are pread(2) at offsets, so
        // nothing seeks or asks the size again (a FileStream does both, a dozen system calls per file).
        if (OperatingSystem.IsLinux() && UnixFile.OpenHandleNonBlocking(path) is { } handle)
        {
            try
            {
                if (UnixFile.Stat(handle) is { Identified: true } e)
                {
                    notReadable = e.Kind switch
                    {
                        FileKind.Directory => "a directory",
                        FileKind.Regular => e.Size == 0 ? "empty file" : null,
                        _ => "not a regular file",
                    };
                    directory = e.Kind == FileKind.Directory;
                    if (notReadable is not null)
                    {
                        handle.Dispose();
                        return null;
                    }
                    return new BinaryFile(handle, null, e.Size, FileIdentity.Of(e));
                }
            }
            catch
            {
                handle.Dispose();
                throw;
            }
            handle.Dispose();
        }
        if (Directory.Exists(path))
        {
            directory = true;
            notReadable = "a directory";
            return null;
        }
        var stream = UnixFile.OpenNonBlocking(path);
        try
        {
            if (!stream.CanSeek)
            {
                notReadable = "not a regular file";
                stream.Dispose();
                return null;
            }
            var length = stream.Length;
            var identity = UnixFile.Stat(stream.SafeFileHandle) is { Identified: true } e ? FileIdentity.Of(e) : (FileIdentity?)null;
            if (length == 0)
            {
                notReadable = "empty file";
                stream.Dispose();
                return null;
            }
            return new BinaryFile(stream.SafeFileHandle, stream, length, identity);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Open(string, out string?, out bool)"/>, for callers that open only files.</summary>
    public static BinaryFile? Open(string path, out string? notReadable) => Open(path, out notReadable, out _);

    /// <summary>The bytes at [offset, offset+length), or false when any of them lies outside the file (or cannot be read).</summary>
    public bool TryGet(long offset, long length, out ReadOnlySpan<byte> bytes)
    {
        if (offset < 0 || length < 0 || length > int.MaxValue || offset > Length || length > Length - offset)
        {
            bytes = default;
            return false;
        }
        bytes = Read(offset, (int)length);
        return bytes.Length == length;
    }

    /// <summary>Up to <paramref name="max"/> bytes from offset, cut at the end of the file (empty when outside).</summary>
    public ReadOnlySpan<byte> Window(long offset, long max)
    {
        if (offset < 0 || offset >= Length || max <= 0)
        {
            return default;
        }
        return Read(offset, (int)Math.Min(Math.Min(max, Length - offset), int.MaxValue));
    }

    /// <summary>
    /// Reads <paramref name="range"/> (cut at the end of the file) in chunks through one buffer, for a search whose
    /// matches need <paramref name="context"/> bytes on either side: each chunk begins with the last 2 × context bytes of
    /// the one before, and owns the positions [<see cref="ChunkReader.From"/>, <see cref="ChunkReader.To"/>) — all of them
    /// once over the whole range — each with that much of the chunk before and after it, or the range's own start or end.
    /// </summary>
    public ChunkReader Stream(FileRange range, int context, int chunkSize = ChunkSize)
    {
        var start = Math.Clamp(range.Offset, 0, Length);
        var end = Math.Clamp(range.Offset + Math.Max(range.Length, 0), start, Length);
        return new ChunkReader(this, start, end, context, chunkSize);
    }

    private ReadOnlySpan<byte> Read(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (length == 0)
        {
            return default;
        }
        var block = offset / BlockSize;
        var within = (int)(offset - block * BlockSize);
        if (within + length <= BlockSize)
        {
            if (!_blocks.TryGetValue(block, out var bytes))
            {
                bytes = ArrayPool<byte>.Shared.Rent(BlockSize);
                ReadAt(block * BlockSize, bytes.AsSpan(0, (int)Math.Min(BlockSize, Length - block * BlockSize)));
                _blocks.Add(block, bytes);
            }
            return bytes.AsSpan(within, length);
        }
        if (length <= ReadLimit)
        {
            var bytes = ArrayPool<byte>.Shared.Rent(length);
            (_ranges ??= new List<byte[]>()).Add(bytes);
            ReadAt(offset, bytes.AsSpan(0, length));
            return bytes.AsSpan(0, length);
        }
        return new ReadOnlySpan<byte>(Mapped() + offset, length);
    }

    /// <summary>Fills <paramref name="into"/> from <paramref name="offset"/>; the file was checked to hold those bytes.</summary>
    private void ReadAt(long offset, Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            int read;
            if (_stream is null)
            {
                fixed (byte* buffer = into)
                {
                    read = (int)Pread((int)_handle.DangerousGetHandle(), buffer, into.Length, offset);
                }
                if (read < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */)
                {
                    continue;
                }
                if (read < 0)
                {
                    throw new IOException($"read failed (errno {Marshal.GetLastPInvokeError()})");
                }
            }
            else
            {
                read = RandomAccess.Read(_handle, into, offset);
            }
            if (read <= 0)
            {
                throw new IOException("the file became shorter while it was read");
            }
            into = into[read..];
            offset += read;
        }
    }

    private byte* Mapped()
    {
        if (_base is null)
        {
            _map = MemoryMappedFile.CreateFromFile(_handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + _view.PointerOffset;
        }
        return _base;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var bytes in _blocks.Values)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        _blocks.Clear();
        foreach (var bytes in (IEnumerable<byte[]>?)_ranges ?? Array.Empty<byte[]>())
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        if (_base is not null)
        {
            _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        }
        _view?.Dispose();
        _map?.Dispose();
        if (_stream is not null)
        {
            _stream.Dispose();
        }
        else
        {
            _handle.Dispose();
        }
    }

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern nint Pread(int fd, byte* buffer, nint count, long offset);

    /// <summary>A range read chunk by chunk (see <see cref="Stream"/>). Dispose it to give its buffer back.</summary>
    internal ref struct ChunkReader
    {
        private readonly BinaryFile _file;
        private readonly long _end;
        private readonly int _context;
        private readonly int _carry;
        private readonly int _size;
        private byte[]? _buffer;
        private long _next;
        private long _ownedEnd;
        private int _kept;

        internal ChunkReader(BinaryFile file, long start, long end, int context, int chunkSize)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(context);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
            _file = file;
            _next = _ownedEnd = Offset = start;
            _end = end;
            _context = context;
            _carry = 2 * context;
            _size = _carry + chunkSize;
        }

        /// <summary>The file offset of the current chunk's first byte.</summary>
        public long Offset { get; private set; }

        /// <summary>The first position of the current chunk that it owns (earlier ones were owned by the chunks before).</summary>
        public int From { get; private set; }

        /// <summary>The end of the positions the current chunk owns: its length less the context, or its length for the last.</summary>
        public int To { get; private set; }

        /// <summary>Whether the current chunk reaches the end of the range.</summary>
        public readonly bool Last => _next >= _end;

        /// <summary>The next chunk, or false at the end of the range.</summary>
        public bool Next(out ReadOnlySpan<byte> chunk)
        {
            chunk = default;
            if (_next >= _end)
            {
                return false;
            }
            _buffer ??= ArrayPool<byte>.Shared.Rent(_size);
            if (_kept > 0)
            {
                // The carried tail moves to the front; the rest of the buffer takes the next bytes.
                var tail = Math.Min(_kept, _carry);
                _buffer.AsSpan(_kept - tail, tail).CopyTo(_buffer);
                _kept = tail;
            }
            var take = (int)Math.Min(_size - _kept, _end - _next);
            _file.ReadAt(_next, _buffer.AsSpan(_kept, take));
            Offset = _next - _kept;
            _next += take;
            _kept += take;
            From = (int)Math.Max(0, _ownedEnd - Offset);
            To = Last ? _kept : Math.Max(From, _kept - _context);
            _ownedEnd = Offset + To;
            chunk = _buffer.AsSpan(0, _kept);
            return true;
        }

        public void Dispose()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }
}

/// <summary>A file as the file system names it: two paths with the same identity are one file (hard links).</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long ModifiedSeconds, uint ModifiedNanoseconds)
{
    /// <summary>The identity statx gave.</summary>
    public static FileIdentity Of(FileEntry e) => new(e.Device, e.Inode, e.Size, e.ModifiedUnixSeconds ?? 0, e.ModifiedNanoseconds);
}
