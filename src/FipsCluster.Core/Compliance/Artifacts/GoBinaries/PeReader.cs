using static FipsCluster.Core.Compliance.Artifacts.GoBinaries.HeaderFields;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>Reads a PE (Windows) container's COFF, optional and section headers into an <see cref="ExecutableImage"/>.</summary>
internal static class PeReader
{
    /// <summary>The PE image of the whole file.</summary>
    internal static ExecutableImage Read(BinaryFile f)
    {
        if (!f.TryGet(0, 64, out var dos))
        {
            throw new BinaryFormatException("truncated DOS header");
        }
        long lfanew = U32(dos, 0x3C, false);
        if (!f.TryGet(lfanew, 24, out var coff) || coff[0] != 'P' || coff[1] != 'E' || coff[2] != 0 || coff[3] != 0)
        {
            throw new BinaryFormatException("MZ file without a PE header");
        }
        var img = new ExecutableImage("PE");
        var machine = U16(coff, 4, false);
        img.Architecture = machine switch
        {
            0x8664 => "amd64",
            0x14C => "386",
            0xAA64 => "arm64",
            0x1C0 or 0x1C4 => "arm",
            _ => $"pe-machine-0x{machine:x}",
        };
        int sectionCount = U16(coff, 6, false);
        long symbolTable = U32(coff, 12, false);
        long symbolCount = U32(coff, 16, false);
        int optionalSize = U16(coff, 20, false);
        var optional = lfanew + 24;
        if (!f.TryGet(optional, 2, out var magicBytes))
        {
            throw new BinaryFormatException("truncated PE optional header");
        }
        var magic = U16(magicBytes, 0, false);
        ulong imageBase;
        if (magic == 0x20B && f.TryGet(optional, 32, out var o64))
        {
            imageBase = U64(o64, 24, false);
            img.AddressSize = 8;
        }
        else if (magic == 0x10B && f.TryGet(optional, 32, out var o32))
        {
            imageBase = U32(o32, 28, false);
            img.AddressSize = 4;
        }
        else
        {
            throw new BinaryFormatException($"unknown PE optional header magic 0x{magic:x}");
        }
        var table = optional + optionalSize;
        for (var i = 0; i < sectionCount; i++)
        {
            if (!f.TryGet(table + (long)i * 40, 40, out var s))
            {
                break;
            }
            ulong virtualSize = U32(s, 8, false);
            ulong virtualAddress = U32(s, 12, false);
            ulong rawSize = U32(s, 16, false);
            ulong rawPointer = U32(s, 20, false);
            var characteristics = U32(s, 36, false);
            var address = virtualAddress + imageBase;
            if (rawSize == 0 || MappedRange.Clamp(0, f.Length, rawPointer, rawSize, address) is not { } r)
            {
                continue;
            }
            img.Segments.Add(r);
            if (img.BuildInfo is null && virtualAddress != 0 && (characteristics & ~0x600000u) == 0xC0000040u)
            {
                img.BuildInfo = r with { Length = (long)Math.Min((ulong)r.Length, virtualSize) };
            }
            if ((characteristics & 0x20000000u) != 0 || (characteristics & 0x20u) != 0)
            {
                img.Text.Add(r);
            }
        }
        if (symbolTable != 0 && symbolCount > 0 && symbolCount < (1L << 32))
        {
            var strings = symbolTable + symbolCount * 18;
            if (f.TryGet(strings, 4, out var lengthBytes))
            {
                long length = U32(lengthBytes, 0, false);
                if (length > 4 && MappedRange.Clamp(0, f.Length, (ulong)strings + 4, (ulong)length - 4, 0) is { } st)
                {
                    img.SymbolStrings.Add(st.File);
                    img.HasStaticSymbols = true;
                }
            }
        }
        return img;
    }
}
