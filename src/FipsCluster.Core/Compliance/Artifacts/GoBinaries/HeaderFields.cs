using System.Buffers.Binary;
using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>Fixed-width fields of executable headers and tables, in either byte order, and their ASCII names.</summary>
internal static class HeaderFields
{
    internal static ushort U16(ReadOnlySpan<byte> s, int at, bool be) =>
        be ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    internal static uint U32(ReadOnlySpan<byte> s, int at, bool be) =>
        be ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    internal static ulong U64(ReadOnlySpan<byte> s, int at, bool be) =>
        be ? BinaryPrimitives.ReadUInt64BigEndian(s[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

    /// <summary>A NUL-terminated name at <paramref name="offset"/> of a string table (at most 256 bytes; empty when outside it).</summary>
    internal static string CString(BinaryFile f, FileRange table, uint offset)
    {
        if (offset >= table.Length)
        {
            return "";
        }
        var span = f.Window(table.Offset + offset, Math.Min(256, table.Length - offset));
        var nul = span.IndexOf((byte)0);
        return Encoding.ASCII.GetString(nul < 0 ? span : span[..nul]);
    }

    /// <summary>A name in a fixed-size field, NUL-padded (Mach-O segment and section names).</summary>
    internal static string FixedString(ReadOnlySpan<byte> bytes)
    {
        var nul = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(nul < 0 ? bytes : bytes[..nul]);
    }
}
