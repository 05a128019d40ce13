using System.Buffers.Binary;
using System.Text;

namespace FipsCluster.Core.Remoting;

/// <summary>One installed package as rpm records it: what 'rpm -q --qf "%{NAME} %{VERSION}-%{RELEASE}"' prints.</summary>
public readonly record struct RpmPackage(string Name, string Version, string Release)
{
    public string VersionRelease => $"{Version}-{Release}";
}

/// <summary>
/// Reads the installed packages from an RPM database file without rpm and without a native library: the SQLite
/// backend of RHEL 9+ (rpmdb.sqlite: table Packages(hnum INTEGER PRIMARY KEY, blob BLOB), with its write-ahead log
/// when one is left) and the Berkeley DB hash backend of RHEL 7 and 8 (Packages: 4-byte header number → header blob).
/// Both hold the same header blobs, whose NAME, VERSION and RELEASE tags are read. The file comes from an image, so
/// it is hostile input: every page number, length and offset is checked, page cycles end the walk, and the bytes
/// read are capped by <paramref name="maxBytes"/> (a <see cref="InvalidDataException"/> when a database needs more).
/// The formats: sqlite.org/fileformat2.html; Berkeley DB's hash access method (db 5.3 dbinc/db_page.h); rpm's
/// header format (rpm lib/header_internal.h).
/// </summary>
public static class RpmDatabase
{
    private const int RpmTagName = 1000;
    private const int RpmTagVersion = 1001;
    private const int RpmTagRelease = 1002;
    private const int RpmStringType = 6;

    /// <summary>Packages of an rpmdb.sqlite file; <paramref name="wal"/> is its -wal file when present (may be empty).</summary>
    public static List<RpmPackage> ReadSqlite(Stream database, Stream? wal, long maxBytes, CancellationToken cancellation = default)
    {
        var reader = new SqliteReader(new PagedSource(database, maxBytes), wal is null ? null : new PagedSource(wal, maxBytes));
        var packages = new List<RpmPackage>();
        foreach (var record in reader.TableRows("Packages", cancellation))
        {
            // Packages(hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL): hnum is the rowid, stored as NULL in the record.
            if (record.Count >= 2 && record[1] is byte[] blob && ParseHeader(blob) is { } package)
            {
                packages.Add(package);
            }
        }
        return packages;
    }

    /// <summary>Packages of a Berkeley DB hash "Packages" file (RHEL 7 and 8).</summary>
    public static List<RpmPackage> ReadBerkeleyHash(Stream database, long maxBytes, CancellationToken cancellation = default)
    {
        var packages = new List<RpmPackage>();
        foreach (var value in new BerkeleyHashReader(new PagedSource(database, maxBytes)).Values(cancellation))
        {
            if (ParseHeader(value) is { } package)
            {
                packages.Add(package);
            }
        }
        return packages;
    }

    /// <summary>NAME, VERSION and RELEASE of an rpm header blob (il, dl, il index entries, dl data bytes; big-endian); null when it has none.</summary>
    public static RpmPackage? ParseHeader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 8)
        {
            return null;
        }
        var il = BinaryPrimitives.ReadUInt32BigEndian(blob);
        var dl = BinaryPrimitives.ReadUInt32BigEndian(blob[4..]);
        if (il > 0xFFFF || dl > 0x0FFFFFFF || 8L + il * 16L + dl > blob.Length)
        {
            return null;
        }
        var data = blob.Slice(8 + (int)il * 16, (int)dl);
        string? name = null, version = null, release = null;
        for (var i = 0; i < il; i++)
        {
            var entry = blob.Slice(8 + i * 16, 16);
            var tag = BinaryPrimitives.ReadInt32BigEndian(entry);
            if (tag is not (RpmTagName or RpmTagVersion or RpmTagRelease) || BinaryPrimitives.ReadInt32BigEndian(entry[4..]) != RpmStringType)
            {
                continue;
            }
            var offset = BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
            if (offset < 0 || offset >= data.Length)
            {
                return null;
            }
            var end = data[offset..].IndexOf((byte)0);
            if (end < 0)
            {
                return null;
            }
            var text = Encoding.UTF8.GetString(data.Slice(offset, end));
            switch (tag)
            {
                case RpmTagName: name = text; break;
                case RpmTagVersion: version = text; break;
                default: release = text; break;
            }
        }
        return name is { Length: > 0 } && version is not null && release is not null ? new RpmPackage(name, version, release) : null;
    }

    /// <summary>Random reads of a file with a cap on the bytes read in all.</summary>
    private sealed class PagedSource(Stream stream, long maxBytes)
    {
        private long _read;

        public long Length { get; } = stream.Length;

        public byte[] Read(long offset, int count)
        {
            if (offset < 0 || count < 0 || offset > Length - count)
            {
                throw new InvalidDataException($"a page at offset {offset} (+{count}) lies outside the {Length}-byte file");
            }
            if ((_read += count) > maxBytes)
            {
                throw new InvalidDataException($"reading it needs more than {maxBytes} bytes, the most read from one package database");
            }
            var buffer = new byte[count];
            stream.Seek(offset, SeekOrigin.Begin);
            stream.ReadExactly(buffer);
            return buffer;
        }
    }

    /// <summary>Just enough of SQLite to walk one table's b-tree: pages (from the WAL when newer), cells, overflow chains, records.</summary>
    private sealed class SqliteReader
    {
        private readonly PagedSource _db;
        private readonly Dictionary<uint, long> _walPages = new();
        private readonly PagedSource? _wal;
        private readonly int _pageSize;
        private readonly int _usable;
        private readonly long _pageCount;

        public SqliteReader(PagedSource db, PagedSource? wal)
        {
            _db = db;
            var header = db.Read(0, 100);
            if (!header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
            {
                throw new InvalidDataException("not an SQLite 3 database");
            }
            var size = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
            _pageSize = size == 1 ? 65536 : size;
            if (_pageSize < 512 || (_pageSize & (_pageSize - 1)) != 0)
            {
                throw new InvalidDataException($"SQLite page size {_pageSize} is not a power of two from 512 to 65536");
            }
            _usable = _pageSize - header[20];
            if (header[56 + 3] is not (0 or 1))
            {
                throw new InvalidDataException("the SQLite database is not UTF-8");
            }
            _pageCount = db.Length / _pageSize;
            if (wal is { Length: >= 32 })
            {
                _wal = wal;
                LoadWal(wal);
            }
        }

        /// <summary>
        /// The frames of the write-ahead log up to its last valid commit: a page's latest committed copy wins over the
        /// main file, as SQLite reads it. A frame belongs when its salts match the log header and the running checksum holds.
        /// </summary>
        private void LoadWal(PagedSource wal)
        {
            var header = wal.Read(0, 32);
            var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (magic is not (0x377f0682 or 0x377f0683) || BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)) != _pageSize)
            {
                return; // not a log for this database: SQLite ignores it too
            }
            var bigEndianSums = magic == 0x377f0683;
            var (s0, s1) = Checksum(header.AsSpan(0, 24), 0, 0, bigEndianSums);
            if (s0 != BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24)) || s1 != BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28)))
            {
                return;
            }
            var salt = header.AsSpan(16, 8).ToArray();
            var pending = new Dictionary<uint, long>();
            for (long at = 32; at + 24 + _pageSize <= wal.Length; at += 24 + _pageSize)
            {
                var frame = wal.Read(at, 24 + _pageSize);
                if (!frame.AsSpan(8, 8).SequenceEqual(salt))
                {
                    break;
                }
                (s0, s1) = Checksum(frame.AsSpan(0, 8), s0, s1, bigEndianSums);
                (s0, s1) = Checksum(frame.AsSpan(24, _pageSize), s0, s1, bigEndianSums);
                if (s0 != BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(16)) || s1 != BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(20)))
                {
                    break;
                }
                pending[BinaryPrimitives.ReadUInt32BigEndian(frame)] = at + 24;
                if (BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)) != 0)
                {
                    // A commit frame: what is pending is now part of the database.
                    foreach (var (page, offset) in pending)
                    {
                        _walPages[page] = offset;
                    }
                    pending.Clear();
                }
            }
        }

        private static (uint, uint) Checksum(ReadOnlySpan<byte> data, uint s0, uint s1, bool bigEndian)
        {
            for (var i = 0; i + 8 <= data.Length; i += 8)
            {
                var x0 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[i..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
                var x1 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[(i + 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]);
                s0 += x0 + s1;
                s1 += x1 + s0;
            }
            return (s0, s1);
        }

        private byte[] Page(uint number)
        {
            if (number == 0)
            {
                throw new InvalidDataException("page number 0");
            }
            if (_wal is not null && _walPages.TryGetValue(number, out var walOffset))
            {
                return _wal.Read(walOffset, _pageSize);
            }
            if (number > _pageCount)
            {
                throw new InvalidDataException($"page {number} is past the end of the database ({_pageCount} pages)");
            }
            return _db.Read((number - 1L) * _pageSize, _pageSize);
        }

        /// <summary>The rows of a table, as decoded records, in rowid order.</summary>
        public IEnumerable<List<object?>> TableRows(string table, CancellationToken cancellation)
        {
            uint root = 0;
            foreach (var row in Walk(1, cancellation))
            {
                // sqlite_schema(type, name, tbl_name, rootpage, sql)
                if (row.Count >= 4 && row[0] as string == "table" && row[1] as string == table && row[3] is long page && page is > 0 and <= uint.MaxValue)
                {
                    root = (uint)page;
                    break;
                }
            }
            if (root == 0)
            {
                throw new InvalidDataException($"the database has no {table} table");
            }
            return Walk(root, cancellation);
        }

        private IEnumerable<List<object?>> Walk(uint root, CancellationToken cancellation)
        {
            var seen = new HashSet<uint>();
            var stack = new Stack<uint>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                var number = stack.Pop();
                if (!seen.Add(number))
                {
                    throw new InvalidDataException($"b-tree page {number} is reached twice");
                }
                var page = Page(number);
                var headerAt = number == 1 ? 100 : 0;
                var type = page[headerAt];
                var cells = BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(headerAt + 3));
                if (type == 0x05)
                {
                    // Interior table page: children left to right, the right-most last; pushed in reverse to visit in order.
                    var children = new List<uint>(cells + 1);
                    for (var i = 0; i < cells; i++)
                    {
                        var cell = CellOffset(page, headerAt + 12, i);
                        children.Add(BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(cell)));
                    }
                    children.Add(BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(headerAt + 8)));
                    for (var i = children.Count - 1; i >= 0; i--)
                    {
                        stack.Push(children[i]);
                    }
                }
                else if (type == 0x0D)
                {
                    for (var i = 0; i < cells; i++)
                    {
                        yield return DecodeRecord(LeafPayload(page, CellOffset(page, headerAt + 8, i)));
                    }
                }
                else
                {
                    throw new InvalidDataException($"page {number} is not a table b-tree page (type {type})");
                }
            }
        }

        private int CellOffset(byte[] page, int pointerArray, int index)
        {
            var at = pointerArray + 2 * index;
            if (at + 2 > _usable)
            {
                throw new InvalidDataException("cell pointer array runs past the page");
            }
            var offset = BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(at));
            return offset < _usable ? offset : throw new InvalidDataException("cell offset past the page");
        }

        /// <summary>A table leaf cell's payload: its local part and, when it spills, its overflow chain.</summary>
        private byte[] LeafPayload(byte[] page, int cell)
        {
            var at = cell;
            var size = Varint(page, ref at);
            Varint(page, ref at); // rowid
            if (size > int.MaxValue)
            {
                throw new InvalidDataException("record larger than 2 GiB");
            }
            var payload = (int)size;
            var maxLocal = _usable - 35;
            int local;
            if (payload <= maxLocal)
            {
                local = payload;
            }
            else
            {
                var minLocal = (_usable - 12) * 32 / 255 - 23;
                var k = minLocal + (payload - minLocal) % (_usable - 4);
                local = k <= maxLocal ? k : minLocal;
            }
            if (at + local > _usable)
            {
                throw new InvalidDataException("cell payload runs past the page");
            }
            var result = new byte[payload];
            page.AsSpan(at, local).CopyTo(result);
            if (local == payload)
            {
                return result;
            }
            if (at + local + 4 > _usable)
            {
                throw new InvalidDataException("overflow pointer runs past the page");
            }
            var next = BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(at + local));
            var filled = local;
            var seen = new HashSet<uint>();
            while (filled < payload)
            {
                if (next == 0 || !seen.Add(next))
                {
                    throw new InvalidDataException("overflow chain ends early or loops");
                }
                var overflow = Page(next);
                var take = Math.Min(_usable - 4, payload - filled);
                overflow.AsSpan(4, take).CopyTo(result.AsSpan(filled));
                filled += take;
                next = BinaryPrimitives.ReadUInt32BigEndian(overflow);
            }
            return result;
        }

        private static List<object?> DecodeRecord(byte[] record)
        {
            var at = 0;
            var headerSize = Varint(record, ref at);
            if (headerSize > (ulong)record.Length)
            {
                throw new InvalidDataException("record header larger than the record");
            }
            var types = new List<ulong>();
            while (at < (int)headerSize)
            {
                types.Add(Varint(record, ref at));
            }
            var body = (int)headerSize;
            var values = new List<object?>(types.Count);
            foreach (var type in types)
            {
                var length = type switch
                {
                    0 or 8 or 9 or 10 or 11 => 0,
                    1 => 1, 2 => 2, 3 => 3, 4 => 4, 5 => 6, 6 or 7 => 8,
                    _ => (int)Math.Min((type - (type % 2 == 0 ? 12UL : 13UL)) / 2, int.MaxValue),
                };
                if (body + length > record.Length || body + length < body)
                {
                    throw new InvalidDataException("record value runs past the record");
                }
                var value = record.AsSpan(body, length);
                values.Add(type switch
                {
                    0 => null,
                    8 => 0L,
                    9 => 1L,
                    >= 1 and <= 6 => SignedBigEndian(value),
                    7 => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(value)),
                    >= 12 when type % 2 == 0 => value.ToArray(),
                    >= 13 => Encoding.UTF8.GetString(value),
                    _ => null,
                });
                body += length;
            }
            return values;
        }

        private static long SignedBigEndian(ReadOnlySpan<byte> value)
        {
            long result = (sbyte)value[0];
            for (var i = 1; i < value.Length; i++)
            {
                result = (result << 8) | value[i];
            }
            return result;
        }

        /// <summary>SQLite's varint: 1-9 bytes, big-endian 7-bit groups, the ninth byte whole.</summary>
        private static ulong Varint(byte[] data, ref int at)
        {
            ulong value = 0;
            for (var i = 0; i < 9; i++)
            {
                if (at >= data.Length)
                {
                    throw new InvalidDataException("varint runs past its buffer");
                }
                var b = data[at++];
                if (i == 8)
                {
                    return (value << 8) | b;
                }
                value = (value << 7) | (uint)(b & 0x7F);
                if (b < 0x80)
                {
                    return value;
                }
            }
            return value;
        }
    }

    /// <summary>Berkeley DB's hash access method, read page by page: every data item of every hash page, inline or off-page.</summary>
    private sealed class BerkeleyHashReader
    {
        private const uint HashMagic = 0x061561;
        private const byte HashMetaPage = 8;
        private const byte HashUnsortedPage = 2;
        private const byte HashPage = 13;
        private const byte OverflowPage = 7;
        private const byte KeyData = 1;
        private const byte OffPage = 3;
        private const int PageHeader = 26;

        private readonly PagedSource _db;
        private readonly bool _bigEndian;
        private readonly int _pageSize;
        private readonly uint _lastPage;

        public BerkeleyHashReader(PagedSource db)
        {
            _db = db;
            var meta = db.Read(0, 512);
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(meta.AsSpan(12));
            if (magic == HashMagic)
            {
                _bigEndian = false;
            }
            else if (BinaryPrimitives.ReadUInt32BigEndian(meta.AsSpan(12)) == HashMagic)
            {
                _bigEndian = true;
            }
            else
            {
                throw new InvalidDataException("not a Berkeley DB hash database");
            }
            if (meta[25] != HashMetaPage)
            {
                throw new InvalidDataException($"the first page is not a hash meta page (type {meta[25]})");
            }
            if (meta[24] != 0)
            {
                throw new InvalidDataException("the Berkeley DB database is encrypted");
            }
            _pageSize = (int)U32(meta, 20);
            if (_pageSize < 512 || _pageSize > 65536 || (_pageSize & (_pageSize - 1)) != 0)
            {
                throw new InvalidDataException($"Berkeley DB page size {_pageSize} is not a power of two from 512 to 65536");
            }
            _lastPage = (uint)Math.Min(U32(meta, 32), (ulong)(db.Length / _pageSize) - 1);
        }

        private uint U32(byte[] page, int at) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(at));

        private ushort U16(byte[] page, int at) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(at));

        /// <summary>The data item of every key/data pair (items alternate key, data on a hash page).</summary>
        public IEnumerable<byte[]> Values(CancellationToken cancellation)
        {
            for (uint number = 1; number <= _lastPage; number++)
            {
                cancellation.ThrowIfCancellationRequested();
                var page = _db.Read((long)number * _pageSize, _pageSize);
                if (page[25] is not (HashPage or HashUnsortedPage))
                {
                    continue;
                }
                var entries = U16(page, 20);
                if (PageHeader + 2 * entries > _pageSize)
                {
                    throw new InvalidDataException($"hash page {number} claims {entries} entries");
                }
                for (var i = 1; i < entries; i += 2)
                {
                    var at = U16(page, PageHeader + 2 * i);
                    var end = i == 0 ? _pageSize : U16(page, PageHeader + 2 * (i - 1));
                    if (at < PageHeader + 2 * entries || at >= _pageSize || end > _pageSize || end <= at)
                    {
                        throw new InvalidDataException($"hash page {number} item {i} is out of place");
                    }
                    switch (page[at])
                    {
                        case KeyData:
                            yield return page.AsSpan(at + 1, end - at - 1).ToArray();
                            break;
                        case OffPage when at + 12 <= _pageSize:
                            yield return Overflow(U32(page, at + 4), U32(page, at + 8));
                            break;
                        default:
                            continue; // duplicates (H_DUPLICATE, H_OFFDUP) are not how rpm stores headers
                    }
                }
            }
        }

        /// <summary>An off-page item: a chain of overflow pages, each holding hf_offset bytes after its header.</summary>
        private byte[] Overflow(uint first, uint total)
        {
            if (total > 256 * 1024 * 1024)
            {
                throw new InvalidDataException($"an off-page item of {total} bytes");
            }
            var result = new byte[total];
            var filled = 0;
            var next = first;
            var seen = new HashSet<uint>();
            while (filled < total)
            {
                if (next == 0 || next > _lastPage || !seen.Add(next))
                {
                    throw new InvalidDataException("an overflow chain ends early, leaves the file or loops");
                }
                var page = _db.Read((long)next * _pageSize, _pageSize);
                if (page[25] != OverflowPage)
                {
                    throw new InvalidDataException($"page {next} of an overflow chain is not an overflow page (type {page[25]})");
                }
                var length = U16(page, 22);
                if (length > _pageSize - PageHeader || length > total - filled)
                {
                    throw new InvalidDataException($"overflow page {next} holds {length} bytes");
                }
                page.AsSpan(PageHeader, length).CopyTo(result.AsSpan(filled));
                filled += length;
                next = U32(page, 16);
            }
            return result;
        }
    }
}
