using System.Buffers.Binary;
using System.Text;

namespace FipsCluster.Core.Remoting;

/// <summary>Just enough of SQLite to walk one table's b-tree: pages (from the WAL when newer), cells, overflow chains, records.</summary>
internal sealed class RpmSqliteReader
{
    private readonly PagedSource _db;
    private readonly Dictionary<uint, long> _walPages = new();
    private readonly PagedSource? _wal;
    private readonly int _pageSize;
    private readonly int _usable;
    private readonly long _pageCount;

    public RpmSqliteReader(PagedSource db, PagedSource? wal)
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
