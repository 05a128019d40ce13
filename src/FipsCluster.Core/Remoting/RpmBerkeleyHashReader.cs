using System.Buffers.Binary;
using System.Text;

namespace FipsCluster.Core.Remoting;

/// <summary>Berkeley DB's hash access method, read page by page: every data item of every hash page, inline or off-page.</summary>
internal sealed class RpmBerkeleyHashReader
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

    public RpmBerkeleyHashReader(PagedSource db)
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
