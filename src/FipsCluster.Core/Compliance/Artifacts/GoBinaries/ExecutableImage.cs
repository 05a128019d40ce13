using System.Buffers.Binary;
using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>A range of the file, in absolute file offsets.</summary>
internal readonly record struct FileRange(long Offset, long Length);

/// <summary>A range of the file that the loader maps at <see cref="Address"/>.</summary>
internal readonly record struct MappedRange(long Offset, long Length, ulong Address);

/// <summary>An ELF symbol table: its entries, its string table, and where st_name/st_value sit in an entry.</summary>
internal readonly record struct ElfSymbolTable(FileRange Entries, FileRange Strings, int EntrySize, int ValueAt, bool Is64, bool BigEndian);

/// <summary>An ELF .gnu.hash section and the dynamic symbol table it indexes.</summary>
internal readonly record struct ElfGnuHash(FileRange Hash, ElfSymbolTable Symbols);

/// <summary>Thrown by the container readers when a header is malformed; becomes a report with Status Error.</summary>
internal sealed class BinaryFormatException(string message) : Exception(message);

/// <summary>
/// What the analyzer needs from an executable container (ELF, PE, Mach-O), read from its headers only:
/// where the loader maps what, where to look for the build info, the code to search for sig markers, and
/// the symbol string tables. All ranges are clamped to the file.
/// </summary>
internal sealed class ExecutableImage
{
    /// <summary>Limits against adversarial headers: counts far beyond any real binary are cut here.</summary>
    private const int MaxSections = 1 << 16;
    private const int MaxLoadCommands = 1 << 16;
    private const int MaxFatArches = 64;

    private ExecutableImage(string format) => Format = format;

    public string Format { get; }
    public string Architecture { get; private set; } = "unknown";
    public bool BigEndian { get; private set; }
    public int AddressSize { get; private set; }

    /// <summary>Loadable ranges, for virtual address → file offset (pointer-form build info).</summary>
    public List<MappedRange> Segments { get; } = new();

    /// <summary>Where to search for the "\xff Go buildinf:" header (section, else the first writable data segment).</summary>
    public MappedRange? BuildInfo { get; private set; }

    /// <summary>True when <see cref="BuildInfo"/> is Go's own build info section (ELF .go.buildinfo, Mach-O __go_buildinfo), not a data segment searched for want of one.</summary>
    public bool BuildInfoSection { get; private set; }

    /// <summary>Executable sections (or segments when there are no section headers).</summary>
    public List<MappedRange> Text { get; } = new();

    /// <summary>String tables of symbol tables (ELF .strtab/.dynstr via sh_link, PE COFF string table, Mach-O LC_SYMTAB).</summary>
    public List<FileRange> SymbolStrings { get; } = new();

    /// <summary>ELF symbol tables (.symtab, .dynsym) with their string tables, for looking up a symbol's address.</summary>
    public List<ElfSymbolTable> ElfSymbols { get; } = new();

    /// <summary>GNU hash tables (PIE Go binaries export every Go symbol in .dynsym): a symbol is then found without a scan.</summary>
    public List<ElfGnuHash> GnuHashes { get; } = new();

    /// <summary>True when a full (static) symbol table exists, not only dynamic symbols.</summary>
    public bool HasStaticSymbols { get; private set; }

    /// <summary>Go's function-name table (.gopclntab / __gopclntab), which survives stripping.</summary>
    public FileRange? PcLnTab { get; private set; }

    /// <summary>A Go-only structure was seen (.note.go.buildid, .gopclntab, __go_buildinfo…).</summary>
    public bool GoHint { get; private set; }

    /// <summary>Identifies the container from its first bytes; null when it is none of ELF/PE/Mach-O (not an executable).</summary>
    public static string? Identify(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == 0x7F && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F')
        {
            return "ELF";
        }
        if (head.Length >= 2 && head[0] == (byte)'M' && head[1] == (byte)'Z')
        {
            return "PE";
        }
        if (head.Length >= 4 && ((head[0] == 0xFE && head[1] == 0xED && head[2] == 0xFA && (head[3] == 0xCE || head[3] == 0xCF))
            || ((head[0] == 0xCE || head[0] == 0xCF) && head[1] == 0xFA && head[2] == 0xED && head[3] == 0xFE)))
        {
            return "MachO";
        }
        if (head.Length >= 4 && head[0] == 0xCA && head[1] == 0xFE && head[2] == 0xBA && (head[3] == 0xBE || head[3] == 0xBF))
        {
            return "MachOFat";
        }
        if (head.Length >= 2 && head[0] == 0x01 && (head[1] == 0xDF || head[1] == 0xF7))
        {
            return "XCOFF";
        }
        return null;
    }

    /// <summary>Reads the headers. Throws <see cref="BinaryFormatException"/> when they are unusable; returns null for a fat file that is not Mach-O (e.g. a Java class).</summary>
    public static ExecutableImage? Read(MappedBinary file, string kind) => kind switch
    {
        "ELF" => ReadElf(file, 0, file.Length),
        "PE" => ReadPe(file),
        "MachO" => ReadMachO(file, 0, file.Length, "MachO"),
        "MachOFat" => ReadFat(file),
        _ => throw new BinaryFormatException($"{kind} executables are not supported"),
    };

    /// <summary>Maps [address, address+length) to a file offset when one loadable range holds all of it.</summary>
    public bool TryMap(ulong address, ulong length, out long offset)
    {
        foreach (var s in Segments)
        {
            if (address >= s.Address && address - s.Address < (ulong)s.Length && length <= (ulong)s.Length - (address - s.Address))
            {
                offset = s.Offset + (long)(address - s.Address);
                return true;
            }
        }
        offset = 0;
        return false;
    }

    // ---------------------------------------------------------------- ELF

    private static ExecutableImage ReadElf(MappedBinary f, long start, long size)
    {
        if (!f.TryGet(start, 16, out var ident))
        {
            throw new BinaryFormatException("truncated ELF identification");
        }
        var cls = ident[4];
        var data = ident[5];
        if (cls is not (1 or 2) || data is not (1 or 2))
        {
            throw new BinaryFormatException($"invalid ELF class {cls} or data encoding {data}");
        }
        var is64 = cls == 2;
        var be = data == 2;
        if (!f.TryGet(start, is64 ? 64 : 52, out var h))
        {
            throw new BinaryFormatException("truncated ELF header");
        }
        var img = new ExecutableImage("ELF") { BigEndian = be, AddressSize = is64 ? 8 : 4 };
        var machine = U16(h, 18, be);
        img.Architecture = machine switch
        {
            62 => "amd64",
            3 => "386",
            183 => "arm64",
            40 => "arm",
            21 => be ? "ppc64" : "ppc64le",
            20 => "ppc",
            22 => "s390x",
            243 => "riscv64",
            8 => (is64 ? "mips64" : "mips") + (be ? "" : "le"),
            258 => "loong64",
            _ => $"elf-machine-{machine}",
        };
        ulong phoff = is64 ? U64(h, 32, be) : U32(h, 28, be);
        ulong shoff = is64 ? U64(h, 40, be) : U32(h, 32, be);
        int phentsize = U16(h, is64 ? 54 : 42, be);
        int phnum = U16(h, is64 ? 56 : 44, be);
        int shentsize = U16(h, is64 ? 58 : 46, be);
        long shnum = U16(h, is64 ? 60 : 48, be);
        long shstrndx = U16(h, is64 ? 62 : 50, be);
        var end = start + size;

        // Program headers: the loader's view, used for address → offset.
        MappedRange? firstDataSegment = null;
        var execSegments = new List<MappedRange>();
        var phMin = is64 ? 56 : 32;
        if (phoff != 0 && phnum > 0 && phentsize >= phMin && phoff < (ulong)size)
        {
            for (var i = 0; i < phnum; i++)
            {
                var at = start + (long)phoff + (long)i * phentsize;
                if (!f.TryGet(at, phMin, out var p) || at + phMin > end)
                {
                    break;
                }
                var type = U32(p, 0, be);
                ulong flags, offset, vaddr, filesz;
                if (is64)
                {
                    flags = U32(p, 4, be);
                    offset = U64(p, 8, be);
                    vaddr = U64(p, 16, be);
                    filesz = U64(p, 32, be);
                }
                else
                {
                    offset = U32(p, 4, be);
                    vaddr = U32(p, 8, be);
                    filesz = U32(p, 16, be);
                    flags = U32(p, 24, be);
                }
                if (type != 1 /* PT_LOAD */ || filesz == 0 || Clamp(start, size, offset, filesz, vaddr) is not { } r)
                {
                    continue;
                }
                img.Segments.Add(r);
                if (firstDataSegment is null && (flags & 2) != 0 && (flags & 1) == 0)
                {
                    firstDataSegment = r;
                }
                if ((flags & 1) != 0)
                {
                    execSegments.Add(r);
                }
            }
        }

        // Section headers.
        var shMin = is64 ? 64 : 40;
        var sections = new List<(uint Name, uint Type, ulong Flags, ulong Addr, ulong Offset, ulong Size, uint Link)>();
        if (shoff != 0 && shentsize >= shMin && shoff < (ulong)size)
        {
            if (shnum == 0 || shstrndx == 0xFFFF)
            {
                // Extended numbering: the real counts live in section 0.
                if (f.TryGet(start + (long)shoff, shMin, out var s0))
                {
                    if (shnum == 0)
                    {
                        var n = is64 ? U64(s0, 32, be) : U32(s0, 20, be);
                        shnum = (long)Math.Min(n, MaxSections);
                    }
                    if (shstrndx == 0xFFFF)
                    {
                        shstrndx = U32(s0, is64 ? 40 : 24, be);
                    }
                }
            }
            shnum = Math.Min(shnum, Math.Min(MaxSections, (size - (long)shoff) / shentsize));
            for (long i = 0; i < shnum; i++)
            {
                if (!f.TryGet(start + (long)shoff + i * shentsize, shMin, out var s))
                {
                    break;
                }
                sections.Add(is64
                    ? (U32(s, 0, be), U32(s, 4, be), U64(s, 8, be), U64(s, 16, be), U64(s, 24, be), U64(s, 32, be), U32(s, 40, be))
                    : (U32(s, 0, be), U32(s, 4, be), U32(s, 8, be), U32(s, 12, be), U32(s, 16, be), U32(s, 20, be), U32(s, 24, be)));
            }
        }

        FileRange? names = null;
        if (shstrndx > 0 && shstrndx < sections.Count && sections[(int)shstrndx].Type != 8)
        {
            var ss = sections[(int)shstrndx];
            if (Clamp(start, size, ss.Offset, ss.Size, 0) is { } nr)
            {
                names = new FileRange(nr.Offset, nr.Length);
            }
        }
        var stringTables = new HashSet<int>();
        foreach (var s in sections)
        {
            const uint SHT_NOBITS = 8;
            var name = names is { } n ? CString(f, n, s.Name) : "";
            if (s.Type == SHT_NOBITS || s.Size == 0)
            {
                continue;
            }
            switch (name)
            {
                case ".go.buildinfo":
                    img.BuildInfo ??= Clamp(start, size, s.Offset, s.Size, s.Addr);
                    img.BuildInfoSection = img.BuildInfo is not null;
                    img.GoHint = true;
                    break;
                case ".gopclntab":
                    if (Clamp(start, size, s.Offset, s.Size, s.Addr) is { } pc)
                    {
                        img.PcLnTab = new FileRange(pc.Offset, pc.Length);
                    }
                    img.GoHint = true;
                    break;
                case ".note.go.buildid":
                    img.GoHint = true;
                    break;
            }
            if ((s.Flags & 4) != 0 && s.Type == 1 && Clamp(start, size, s.Offset, s.Size, s.Addr) is { } t)
            {
                img.Text.Add(t);
            }
            if (s.Type is 2 or 11 && s.Link > 0 && s.Link < sections.Count && stringTables.Add((int)s.Link))
            {
                var st = sections[(int)s.Link];
                if (st.Type != SHT_NOBITS && Clamp(start, size, st.Offset, st.Size, 0) is { } str)
                {
                    img.SymbolStrings.Add(new FileRange(str.Offset, str.Length));
                    if (Clamp(start, size, s.Offset, s.Size, 0) is { } entries)
                    {
                        img.ElfSymbols.Add(new ElfSymbolTable(new FileRange(entries.Offset, entries.Length), new FileRange(str.Offset, str.Length),
                            is64 ? 24 : 16, is64 ? 8 : 4, is64, be));
                    }
                }
                img.HasStaticSymbols |= s.Type == 2;
            }
        }
        const uint SHT_GNU_HASH = 0x6ffffff6;
        foreach (var s in sections)
        {
            if (s.Type != SHT_GNU_HASH || s.Link == 0 || s.Link >= sections.Count || Clamp(start, size, s.Offset, s.Size, 0) is not { } hash)
            {
                continue;
            }
            var dynsym = sections[(int)s.Link];
            if (dynsym.Link == 0 || dynsym.Link >= sections.Count || Clamp(start, size, dynsym.Offset, dynsym.Size, 0) is not { } entries)
            {
                continue;
            }
            var dynstr = sections[(int)dynsym.Link];
            if (Clamp(start, size, dynstr.Offset, dynstr.Size, 0) is { } strings)
            {
                img.GnuHashes.Add(new ElfGnuHash(new FileRange(hash.Offset, hash.Length),
                    new ElfSymbolTable(new FileRange(entries.Offset, entries.Length), new FileRange(strings.Offset, strings.Length), is64 ? 24 : 16, is64 ? 8 : 4, is64, be)));
            }
        }
        if (img.Segments.Count == 0)
        {
            // No program headers (an object or a mangled file): let allocated sections stand in for segments.
            foreach (var s in sections)
            {
                if ((s.Flags & 2) != 0 && s.Type != 8 && s.Addr != 0 && Clamp(start, size, s.Offset, s.Size, s.Addr) is { } r)
                {
                    img.Segments.Add(r);
                }
            }
        }
        if (img.Text.Count == 0)
        {
            img.Text.AddRange(execSegments);
        }
        img.BuildInfo ??= firstDataSegment;
        return img;
    }

    // ---------------------------------------------------------------- PE

    private static ExecutableImage ReadPe(MappedBinary f)
    {
        if (!f.TryGet(0, 64, out var dos))
        {
            throw new BinaryFormatException("truncated DOS header");
        }
        long lfanew = BinaryPrimitives.ReadUInt32LittleEndian(dos[0x3C..]);
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
            if (rawSize == 0 || Clamp(0, f.Length, rawPointer, rawSize, address) is not { } r)
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
                if (length > 4 && Clamp(0, f.Length, (ulong)strings + 4, (ulong)length - 4, 0) is { } st)
                {
                    img.SymbolStrings.Add(new FileRange(st.Offset, st.Length));
                    img.HasStaticSymbols = true;
                }
            }
        }
        return img;
    }

    // ---------------------------------------------------------------- Mach-O

    private static ExecutableImage? ReadFat(MappedBinary f)
    {
        if (!f.TryGet(0, 8, out var h))
        {
            throw new BinaryFormatException("truncated fat header");
        }
        var fat64 = h[3] == 0xBF;
        var count = U32(h, 4, true);
        var entry = fat64 ? 32 : 20;
        if (count == 0 || count > MaxFatArches || !f.TryGet(8, entry, out var a))
        {
            return null; // e.g. a Java class file (same magic)
        }
        var offset = fat64 ? U64(a, 8, true) : U32(a, 8, true);
        var size = fat64 ? U64(a, 16, true) : U32(a, 12, true);
        if (offset < 8 || offset > (ulong)f.Length || size > (ulong)f.Length - offset || size < 28
            || !f.TryGet((long)offset, 4, out var inner) || Identify(inner) != "MachO")
        {
            return null;
        }
        return ReadMachO(f, (long)offset, (long)size, "MachO");
    }

    private static ExecutableImage ReadMachO(MappedBinary f, long start, long size, string format)
    {
        if (!f.TryGet(start, 28, out var h))
        {
            throw new BinaryFormatException("truncated Mach-O header");
        }
        var be = h[0] == 0xFE;
        var is64 = (be ? h[3] : h[0]) == 0xCF;
        var img = new ExecutableImage(format) { BigEndian = be, AddressSize = is64 ? 8 : 4 };
        var cpu = U32(h, 4, be);
        img.Architecture = cpu switch
        {
            0x01000007 => "amd64",
            7 => "386",
            0x0100000C => "arm64",
            12 => "arm",
            0x01000012 => "ppc64",
            18 => "ppc",
            _ => $"macho-cpu-0x{cpu:x}",
        };
        var commands = Math.Min(U32(h, 16, be), MaxLoadCommands);
        var at = start + (is64 ? 32 : 28);
        var end = Math.Min(start + size, at + U32(h, 20, be));
        MappedRange? firstData = null;
        for (var i = 0u; i < commands; i++)
        {
            if (at + 8 > end || !f.TryGet(at, 8, out var lc))
            {
                break;
            }
            var cmd = U32(lc, 0, be);
            long cmdSize = U32(lc, 4, be);
            if (cmdSize < 8 || cmdSize > end - at || !f.TryGet(at, cmdSize, out var c))
            {
                break;
            }
            if (cmd == 0x19 && cmdSize >= 72 || cmd == 0x1 && cmdSize >= 56)
            {
                var seg64 = cmd == 0x19;
                var segName = FixedString(c.Slice(8, 16));
                ulong vmaddr = seg64 ? U64(c, 24, be) : U32(c, 24, be);
                ulong vmsize = seg64 ? U64(c, 32, be) : U32(c, 28, be);
                ulong fileoff = seg64 ? U64(c, 40, be) : U32(c, 32, be);
                ulong filesize = seg64 ? U64(c, 48, be) : U32(c, 36, be);
                var maxprot = U32(c, seg64 ? 56 : 40, be);
                var initprot = U32(c, seg64 ? 60 : 44, be);
                var nsects = U32(c, seg64 ? 64 : 48, be);
                if (segName != "__PAGEZERO" && filesize != 0 && Clamp(start, size, fileoff, filesize, vmaddr) is { } r)
                {
                    img.Segments.Add(r);
                    if (firstData is null && vmaddr != 0 && initprot == 3 && maxprot == 3)
                    {
                        firstData = r with { Length = (long)Math.Min((ulong)r.Length, vmsize) };
                    }
                }
                var header = seg64 ? 72 : 56;
                var sectionSize = seg64 ? 80 : 68;
                var fit = (cmdSize - header) / sectionSize;
                for (long s = 0; s < Math.Min(nsects, fit); s++)
                {
                    var sec = c.Slice((int)(header + s * sectionSize), sectionSize);
                    var sectName = FixedString(sec[..16]);
                    var secSeg = FixedString(sec.Slice(16, 16));
                    ulong addr = seg64 ? U64(sec, 32, be) : U32(sec, 32, be);
                    ulong secSize = seg64 ? U64(sec, 40, be) : U32(sec, 36, be);
                    ulong offset = U32(sec, seg64 ? 48 : 40, be);
                    var flags = U32(sec, seg64 ? 64 : 56, be);
                    var kind = flags & 0xFF;
                    if (kind is 1 or 0xC or 0x12 || offset == 0 || Clamp(start, size, offset, secSize, addr) is not { } sr)
                    {
                        continue; // zero-fill: no file data
                    }
                    switch (sectName)
                    {
                        case "__go_buildinfo":
                            img.BuildInfo ??= sr;
                            img.BuildInfoSection = true;
                            img.GoHint = true;
                            break;
                        case "__gopclntab":
                            img.PcLnTab ??= new FileRange(sr.Offset, sr.Length);
                            img.GoHint = true;
                            break;
                    }
                    if ((sectName == "__text" && secSeg == "__TEXT") || (flags & 0x80000000u) != 0)
                    {
                        img.Text.Add(sr);
                    }
                }
            }
            else if (cmd == 0x2 && cmdSize >= 24)
            {
                ulong stroff = U32(c, 16, be);
                ulong strsize = U32(c, 20, be);
                if (strsize > 0 && Clamp(start, size, stroff, strsize, 0) is { } st)
                {
                    img.SymbolStrings.Add(new FileRange(st.Offset, st.Length));
                    img.HasStaticSymbols = true;
                }
            }
            at += cmdSize;
        }
        img.BuildInfo ??= firstData;
        return img;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A range at offset (relative to the container start) clamped to the container; null when it starts outside.</summary>
    private static MappedRange? Clamp(long start, long size, ulong offset, ulong length, ulong address)
    {
        if (offset >= (ulong)size)
        {
            return null;
        }
        var available = (ulong)size - offset;
        var take = Math.Min(length, available);
        return take == 0 ? null : new MappedRange(start + (long)offset, (long)take, address);
    }

    private static string CString(MappedBinary f, FileRange table, uint offset)
    {
        if (offset >= table.Length)
        {
            return "";
        }
        var span = f.Window(table.Offset + offset, Math.Min(256, table.Length - offset));
        var nul = span.IndexOf((byte)0);
        return Encoding.ASCII.GetString(nul < 0 ? span : span[..nul]);
    }

    private static string FixedString(ReadOnlySpan<byte> bytes)
    {
        var nul = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(nul < 0 ? bytes : bytes[..nul]);
    }

    internal static ushort U16(ReadOnlySpan<byte> s, int at, bool be) =>
        be ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    internal static uint U32(ReadOnlySpan<byte> s, int at, bool be) =>
        be ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    internal static ulong U64(ReadOnlySpan<byte> s, int at, bool be) =>
        be ? BinaryPrimitives.ReadUInt64BigEndian(s[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
}
