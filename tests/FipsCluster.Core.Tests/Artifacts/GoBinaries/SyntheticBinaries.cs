using System.Buffers.Binary;
using System.Text;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// Minimal ELF, PE and Mach-O containers assembled byte by byte, with Go build info in either form (inline,
/// Go ≥ 1.18; pointers to string headers, Go 1.13–1.17) and optional sig markers and symbol names.
/// </summary>
internal static class SyntheticBinaries
{
    public static readonly byte[] Magic = { 0xFF, 0x20, 0x47, 0x6F, 0x20, 0x62, 0x75, 0x69, 0x6C, 0x64, 0x69, 0x6E, 0x66, 0x3A };
    public static readonly byte[] SentinelStart = Convert.FromHexString("3077af0c9274080241e1c107e6d618e6");
    public static readonly byte[] SentinelEnd = Convert.FromHexString("f932433186182072008242104116d8f2");

    public static readonly byte[] BoringMarker = Convert.FromHexString("EB1DF448F44BF4B332F52813A3B450D441CC2485F001454E92101B1D2F1950C3");
    public static readonly byte[] StandardMarker = Convert.FromHexString("EB1DF448F44BF4BAEE4DFA9851CA56A91145E83E99C59CF911CB8E80DAF12FC3");
    public static readonly byte[] FipsOnlyMarker = Convert.FromHexString("EB1DF448F44BF4363CB9CE9D68047D31F28D325D5CA5873F5D80CAF6D6151BC3");

    /// <summary>modinfo text wrapped in its sentinels.</summary>
    public static byte[] ModInfo(string text) => SentinelStart.Concat(Encoding.UTF8.GetBytes(text)).Concat(SentinelEnd).ToArray();

    public static string Settings(params string[] build) =>
        "path\texample.com/cmd\nmod\texample.com/cmd\t(devel)\t\ndep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n" + string.Concat(build.Select(b => "build\t" + b + "\n"));

    /// <summary>Inline build info (Go ≥ 1.18): 32-byte header then uvarint-prefixed version and modinfo.</summary>
    public static byte[] InlineBuildInfo(string version, byte[] modInfo, int pointerSize = 8, bool bigEndian = false)
    {
        var b = new List<byte>(Header(pointerSize, (byte)(2 | (bigEndian ? 1 : 0))));
        Append(b, Encoding.UTF8.GetBytes(version));
        Append(b, modInfo);
        return b.ToArray();

        static void Append(List<byte> b, byte[] s)
        {
            var n = (ulong)s.Length;
            while (n >= 0x80)
            {
                b.Add((byte)(n | 0x80));
                n >>= 7;
            }
            b.Add((byte)n);
            b.AddRange(s);
        }
    }

    public static byte[] Header(int pointerSize, byte flags)
    {
        var h = new byte[32];
        Magic.CopyTo(h, 0);
        h[14] = (byte)pointerSize;
        h[15] = flags;
        return h;
    }

    /// <summary>A text section of NOPs with the given markers at 16-byte aligned offsets.</summary>
    public static byte[] Text(params byte[][] markers)
    {
        var text = Enumerable.Repeat((byte)0x90, 64 + markers.Length * 48).ToArray();
        for (var i = 0; i < markers.Length; i++)
        {
            markers[i].CopyTo(text, 32 + i * 48);
        }
        return text;
    }

    // ------------------------------------------------------------------------------------------- ELF

    public sealed record ElfSection(string Name, uint Type, ulong Flags, Func<Func<string, ulong>, byte[]> Content, int Size, string? Link = null);

    public const uint ShfWrite = 1, ShfAlloc = 2, ShfExec = 4;

    /// <summary>
    /// An ELF file: header, one PT_LOAD per allocated section (vaddr = 0x400000 + file offset), the sections,
    /// .shstrtab and the section headers. Content functions get a resolver from section name to address.
    /// </summary>
    public static byte[] Elf(bool is64, bool bigEndian, ushort machine, IReadOnlyList<ElfSection> sections, bool programHeaders = true, bool sectionHeaders = true)
    {
        const ulong Base = 0x400000;
        var ehsize = is64 ? 64 : 52;
        var phentsize = is64 ? 56 : 32;
        var shentsize = is64 ? 64 : 40;
        var alloc = sections.Where(s => (s.Flags & ShfAlloc) != 0).ToList();
        var phnum = programHeaders ? alloc.Count : 0;
        var offset = Align(ehsize + phnum * phentsize, 16);
        var offsets = new Dictionary<string, int>();
        foreach (var s in sections)
        {
            offsets[s.Name] = offset;
            offset = Align(offset + s.Size, 16);
        }
        var shstr = new List<byte> { 0 };
        var nameOffsets = new Dictionary<string, int>();
        foreach (var name in sections.Select(s => s.Name).Append(".shstrtab"))
        {
            nameOffsets[name] = shstr.Count;
            shstr.AddRange(Encoding.ASCII.GetBytes(name));
            shstr.Add(0);
        }
        var shstrOffset = offset;
        var shoff = Align(shstrOffset + shstr.Count, 16);
        var shnum = sections.Count + 2;
        var file = new byte[sectionHeaders ? shoff + shnum * shentsize : shoff];
        ulong Address(string name) => sections.First(s => s.Name == name) is { } s && (s.Flags & ShfAlloc) != 0 ? Base + (ulong)offsets[name] : 0;

        // Identification and header.
        file[0] = 0x7F;
        file[1] = (byte)'E';
        file[2] = (byte)'L';
        file[3] = (byte)'F';
        file[4] = (byte)(is64 ? 2 : 1);
        file[5] = (byte)(bigEndian ? 2 : 1);
        file[6] = 1;
        var w = new Writer(file, bigEndian);
        w.U16(16, 2); // ET_EXEC
        w.U16(18, machine);
        w.U32(20, 1);
        if (is64)
        {
            w.U64(32, phnum > 0 ? (ulong)ehsize : 0);
            w.U64(40, sectionHeaders ? (ulong)shoff : 0);
            w.U16(52, (ushort)ehsize);
            w.U16(54, (ushort)phentsize);
            w.U16(56, (ushort)phnum);
            w.U16(58, (ushort)shentsize);
            w.U16(60, (ushort)(sectionHeaders ? shnum : 0));
            w.U16(62, (ushort)(sectionHeaders ? shnum - 1 : 0));
        }
        else
        {
            w.U32(28, phnum > 0 ? (uint)ehsize : 0);
            w.U32(32, sectionHeaders ? (uint)shoff : 0);
            w.U16(40, (ushort)ehsize);
            w.U16(42, (ushort)phentsize);
            w.U16(44, (ushort)phnum);
            w.U16(46, (ushort)shentsize);
            w.U16(48, (ushort)(sectionHeaders ? shnum : 0));
            w.U16(50, (ushort)(sectionHeaders ? shnum - 1 : 0));
        }
        for (var i = 0; i < phnum; i++)
        {
            var s = alloc[i];
            var at = ehsize + i * phentsize;
            var flags = 4u | ((s.Flags & ShfWrite) != 0 ? 2u : 0) | ((s.Flags & ShfExec) != 0 ? 1u : 0);
            var off = (ulong)offsets[s.Name];
            if (is64)
            {
                w.U32(at, 1);
                w.U32(at + 4, flags);
                w.U64(at + 8, off);
                w.U64(at + 16, Base + off);
                w.U64(at + 24, Base + off);
                w.U64(at + 32, (ulong)s.Size);
                w.U64(at + 40, (ulong)s.Size);
                w.U64(at + 48, 16);
            }
            else
            {
                w.U32(at, 1);
                w.U32(at + 4, (uint)off);
                w.U32(at + 8, (uint)(Base + off));
                w.U32(at + 12, (uint)(Base + off));
                w.U32(at + 16, (uint)s.Size);
                w.U32(at + 20, (uint)s.Size);
                w.U32(at + 24, flags);
                w.U32(at + 28, 16);
            }
        }
        foreach (var s in sections)
        {
            var content = s.Content(Address);
            if (content.Length > s.Size)
            {
                throw new InvalidOperationException($"{s.Name}: {content.Length} bytes > declared {s.Size}");
            }
            content.CopyTo(file, offsets[s.Name]);
        }
        shstr.ToArray().CopyTo(file, shstrOffset);
        if (sectionHeaders)
        {
            var index = sections.Select((s, i) => (s.Name, i + 1)).ToDictionary(p => p.Name, p => p.Item2);
            for (var i = 0; i <= sections.Count; i++)
            {
                var at = shoff + (i + 1) * shentsize;
                var (name, type, flags, addr, off, size, link) = i < sections.Count
                    ? (nameOffsets[sections[i].Name], sections[i].Type, sections[i].Flags, Address(sections[i].Name), offsets[sections[i].Name], sections[i].Size,
                        sections[i].Link is { } l ? index[l] : 0)
                    : (nameOffsets[".shstrtab"], 3u, 0ul, 0ul, shstrOffset, shstr.Count, 0);
                if (is64)
                {
                    w.U32(at, (uint)name);
                    w.U32(at + 4, type);
                    w.U64(at + 8, flags);
                    w.U64(at + 16, addr);
                    w.U64(at + 24, (ulong)off);
                    w.U64(at + 32, (ulong)size);
                    w.U32(at + 40, (uint)link);
                    w.U64(at + 48, 16);
                }
                else
                {
                    w.U32(at, (uint)name);
                    w.U32(at + 4, type);
                    w.U32(at + 8, (uint)flags);
                    w.U32(at + 12, (uint)addr);
                    w.U32(at + 16, (uint)off);
                    w.U32(at + 20, (uint)size);
                    w.U32(at + 24, (uint)link);
                    w.U32(at + 32, 16);
                }
            }
        }
        return file;
    }

    /// <summary>An ELF64 with inline build info in .go.buildinfo and optional markers in .text and names in .symtab/.strtab.</summary>
    public static byte[] ElfWithInline(string version, string modText, byte[][]? markers = null, string[]? symbols = null, bool is64 = true, bool bigEndian = false, ushort machine = 62)
    {
        var info = InlineBuildInfo(version, ModInfo(modText), is64 ? 8 : 4, bigEndian);
        var text = Text(markers ?? Array.Empty<byte[]>());
        var sections = new List<ElfSection>
        {
            new(".text", 1, ShfAlloc | ShfExec, _ => text, text.Length),
            new(".go.buildinfo", 1, ShfAlloc | ShfWrite, _ => info, info.Length),
        };
        if (symbols is not null)
        {
            var strtab = Encoding.ASCII.GetBytes("\0" + string.Join("\0", symbols) + "\0");
            sections.Add(new(".strtab", 3, 0, _ => strtab, strtab.Length));
            sections.Add(new(".symtab", 2, 0, _ => new byte[24], 24, ".strtab"));
        }
        return Elf(is64, bigEndian, machine, sections);
    }

    /// <summary>
    /// Go ≤ 1.17 layout: .go.buildinfo holds the header and two pointers; the string headers ({ptr, len}) sit in
    /// .noptrdata, the bytes in .rodata — so reading it needs address → offset through the program headers.
    /// </summary>
    public static byte[] ElfWithPointerForm(string version, byte[] modInfo, bool is64 = true, bool bigEndian = false, byte[][]? markers = null)
    {
        var ptr = is64 ? 8 : 4;
        var verBytes = Encoding.UTF8.GetBytes(version);
        var rodata = verBytes.Concat(modInfo).ToArray();
        var text = Text(markers ?? Array.Empty<byte[]>());
        byte[] Pointer(ulong v)
        {
            var b = new byte[ptr];
            var pw = new Writer(b, bigEndian);
            if (is64)
            {
                pw.U64(0, v);
            }
            else
            {
                pw.U32(0, (uint)v);
            }
            return b;
        }
        var sections = new List<ElfSection>
        {
            new(".text", 1, ShfAlloc | ShfExec, _ => text, text.Length),
            new(".rodata", 1, ShfAlloc, _ => rodata, rodata.Length),
            new(".noptrdata", 1, ShfAlloc | ShfWrite, addr =>
                Pointer(addr(".rodata")).Concat(Pointer((ulong)verBytes.Length))
                    .Concat(Pointer(addr(".rodata") + (ulong)verBytes.Length)).Concat(Pointer((ulong)modInfo.Length)).ToArray(), 4 * ptr),
            new(".go.buildinfo", 1, ShfAlloc | ShfWrite, addr =>
                Header(ptr, (byte)(bigEndian ? 1 : 0)).Take(16)
                    .Concat(Pointer(addr(".noptrdata"))).Concat(Pointer(addr(".noptrdata") + (ulong)(2 * ptr)))
                    .Concat(new byte[32 - 2 * ptr]).ToArray(), 48),
        };
        return Elf(is64, bigEndian, is64 ? (ushort)62 : (ushort)3, sections);
    }

    // ------------------------------------------------------------------------------------------- PE

    /// <summary>A PE32+ (or PE32) with .text and a .data section starting with inline build info, as Go lays it out.</summary>
    public static byte[] Pe(string version, string modText, byte[][]? markers = null, bool pe32Plus = true)
    {
        var info = InlineBuildInfo(version, ModInfo(modText), pe32Plus ? 8 : 4);
        var text = Text(markers ?? Array.Empty<byte[]>());
        var optionalSize = pe32Plus ? 240 : 224;
        var headers = 0x40 + 4 + 20 + optionalSize + 2 * 40;
        var textOff = Align(headers, 0x200);
        var dataOff = Align(textOff + text.Length, 0x200);
        var file = new byte[Align(dataOff + info.Length, 0x200)];
        var w = new Writer(file, false);
        file[0] = (byte)'M';
        file[1] = (byte)'Z';
        w.U32(0x3C, 0x40);
        file[0x40] = (byte)'P';
        file[0x41] = (byte)'E';
        var coff = 0x44;
        w.U16(coff, pe32Plus ? (ushort)0x8664 : (ushort)0x14C);
        w.U16(coff + 2, 2);
        w.U16(coff + 16, (ushort)optionalSize);
        var opt = coff + 20;
        w.U16(opt, pe32Plus ? (ushort)0x20B : (ushort)0x10B);
        if (pe32Plus)
        {
            w.U64(opt + 24, 0x400000);
        }
        else
        {
            w.U32(opt + 28, 0x400000);
        }
        var table = opt + optionalSize;
        void Section(int i, string name, int va, int size, int raw, uint characteristics)
        {
            var at = table + i * 40;
            Encoding.ASCII.GetBytes(name).CopyTo(file, at);
            w.U32(at + 8, (uint)size);
            w.U32(at + 12, (uint)va);
            w.U32(at + 16, (uint)Align(size, 0x200));
            w.U32(at + 20, (uint)raw);
            w.U32(at + 36, characteristics);
        }
        Section(0, ".text", 0x1000, text.Length, textOff, 0x60000020);
        Section(1, ".data", 0x1000 + Align(text.Length, 0x1000), info.Length, dataOff, 0xC0000040);
        text.CopyTo(file, textOff);
        info.CopyTo(file, dataOff);
        return file;
    }

    // ------------------------------------------------------------------------------------------- Mach-O

    /// <summary>A 64-bit Mach-O (little-endian) with __TEXT,__text and __DATA,__go_buildinfo (or, without the section, an RW segment).</summary>
    public static byte[] MachO(string version, string modText, byte[][]? markers = null, bool namedSection = true, uint cpu = 0x01000007)
    {
        var info = InlineBuildInfo(version, ModInfo(modText));
        var text = Text(markers ?? Array.Empty<byte[]>());
        const int header = 32;
        var segText = 72 + 80;
        var segData = 72 + (namedSection ? 80 : 0);
        var textOff = Align(header + segText + segData, 0x100);
        var dataOff = Align(textOff + text.Length, 0x100);
        var file = new byte[dataOff + info.Length];
        var w = new Writer(file, false);
        w.U32(0, 0xFEEDFACF);
        w.U32(4, cpu);
        w.U32(12, 2);
        w.U32(16, 2);
        w.U32(20, (uint)(segText + segData));
        var at = header;
        void Segment(string name, int size, ulong vmaddr, int fileoff, int filesize, uint prot, int nsects)
        {
            w.U32(at, 0x19);
            w.U32(at + 4, (uint)size);
            Encoding.ASCII.GetBytes(name).CopyTo(file, at + 8);
            w.U64(at + 24, vmaddr);
            w.U64(at + 32, (ulong)Align(filesize, 0x1000));
            w.U64(at + 40, (ulong)fileoff);
            w.U64(at + 48, (ulong)filesize);
            w.U32(at + 56, prot);
            w.U32(at + 60, prot);
            w.U32(at + 64, (uint)nsects);
        }
        void Sect(int sAt, string name, string seg, ulong addr, int size, int offset, uint flags)
        {
            Encoding.ASCII.GetBytes(name).CopyTo(file, sAt);
            Encoding.ASCII.GetBytes(seg).CopyTo(file, sAt + 16);
            w.U64(sAt + 32, addr);
            w.U64(sAt + 40, (ulong)size);
            w.U32(sAt + 48, (uint)offset);
            w.U32(sAt + 64, flags);
        }
        const ulong textBase = 0x100000000;
        Segment("__TEXT", segText, textBase, 0, dataOff, 5, 1);
        Sect(at + 72, "__text", "__TEXT", textBase + (ulong)textOff, text.Length, textOff, 0x80000400);
        at += segText;
        var dataAddr = textBase + 0x100000;
        Segment("__DATA", segData, dataAddr, dataOff, info.Length, 3, namedSection ? 1 : 0);
        if (namedSection)
        {
            Sect(at + 72, "__go_buildinfo", "__DATA", dataAddr, info.Length, dataOff, 0);
        }
        text.CopyTo(file, textOff);
        info.CopyTo(file, dataOff);
        return file;
    }

    /// <summary>A universal (fat) file whose first arch is <paramref name="first"/>.</summary>
    public static byte[] Fat(byte[] first, byte[] second)
    {
        const int firstOff = 0x1000;
        var secondOff = Align(firstOff + first.Length, 0x1000);
        var file = new byte[secondOff + second.Length];
        var w = new Writer(file, true);
        w.U32(0, 0xCAFEBABE);
        w.U32(4, 2);
        w.U32(8, 0x01000007);
        w.U32(16, firstOff);
        w.U32(20, (uint)first.Length);
        w.U32(24, 12);
        w.U32(28, 0x0100000C);
        w.U32(36, (uint)secondOff);
        w.U32(40, (uint)second.Length);
        w.U32(44, 12);
        first.CopyTo(file, firstOff);
        second.CopyTo(file, secondOff);
        return file;
    }

    public static int Align(int v, int a) => (v + a - 1) / a * a;

    private readonly struct Writer(byte[] buffer, bool bigEndian)
    {
        public void U16(int at, ushort v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at), v);
            }
        }

        public void U32(int at, uint v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), v);
            }
        }

        public void U64(int at, ulong v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(at), v);
            }
        }
    }
}
