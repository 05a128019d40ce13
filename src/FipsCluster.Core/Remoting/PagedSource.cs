namespace FipsCluster.Core.Remoting;

/// <summary>Random reads of a file with a cap on the bytes read in all.</summary>
internal sealed class PagedSource(Stream stream, long maxBytes)
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
