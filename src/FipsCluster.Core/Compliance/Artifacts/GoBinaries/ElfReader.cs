using static FipsCluster.Core.Compliance.Artifacts.GoBinaries.HeaderFields;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>An ELF symbol table: its entries, its string table, and where st_name/st_value sit in an entry.</summary>
internal readonly record struct ElfSymbolTable(FileRange Entries, FileRange Strings, int EntrySize, int ValueAt, bool Is64, bool BigEndian);

/// <summary>An ELF .gnu.hash section and the dynamic symbol table it indexes.</summary>
internal readonly record struct ElfGnuHash(FileRange Hash, ElfSymbolTable Symbols);

/// <summary>Reads an ELF container's program and section headers (either class and byte order) into an <see cref="ExecutableImage"/>.</summary>
internal static class ElfReader
{
    /// <summary>Limit against adversarial headers: section counts far beyond any real binary are cut here.</summary>
    private const int MaxSections = 1 << 16;

    /// <summary>The ELF image of <paramref name="size"/> bytes at <paramref name="start"/>.</summary>
    internal static ExecutableImage Read(BinaryFile f, long start, long size)
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
                if (type != 1 /* PT_LOAD */ || filesz == 0 || MappedRange.Clamp(start, size, offset, filesz, vaddr) is not { } r)
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
            if (MappedRange.Clamp(start, size, ss.Offset, ss.Size, 0) is { } nr)
            {
                names = nr.File;
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
                    img.BuildInfo ??= MappedRange.Clamp(start, size, s.Offset, s.Size, s.Addr);
                    img.BuildInfoSection = img.BuildInfo is not null;
                    img.GoHint = true;
                    break;
                case ".gopclntab":
                    if (MappedRange.Clamp(start, size, s.Offset, s.Size, s.Addr) is { } pc)
                    {
                        img.PcLnTab = pc.File;
                    }
                    img.GoHint = true;
                    break;
                case ".data.rel.ro":
                    img.RelroData ??= MappedRange.Clamp(start, size, s.Offset, s.Size, s.Addr)?.File;
                    break;
                case ".noptrdata":
                    img.NoPtrData ??= MappedRange.Clamp(start, size, s.Offset, s.Size, s.Addr)?.File;
                    break;
                case ".note.go.buildid":
                    img.GoHint = true;
                    break;
            }
            if ((s.Flags & 4) != 0 && s.Type == 1 && MappedRange.Clamp(start, size, s.Offset, s.Size, s.Addr) is { } t)
            {
                img.Text.Add(t);
            }
            if (s.Type is 2 or 11 && s.Link > 0 && s.Link < sections.Count && stringTables.Add((int)s.Link))
            {
                var st = sections[(int)s.Link];
                if (st.Type != SHT_NOBITS && MappedRange.Clamp(start, size, st.Offset, st.Size, 0) is { } str)
                {
                    img.SymbolStrings.Add(str.File);
                    if (MappedRange.Clamp(start, size, s.Offset, s.Size, 0) is { } entries)
                    {
                        img.ElfSymbols.Add(new ElfSymbolTable(entries.File, str.File,
                            is64 ? 24 : 16, is64 ? 8 : 4, is64, be));
                    }
                }
                img.HasStaticSymbols |= s.Type == 2;
            }
        }
        const uint SHT_GNU_HASH = 0x6ffffff6;
        foreach (var s in sections)
        {
            if (s.Type != SHT_GNU_HASH || s.Link == 0 || s.Link >= sections.Count || MappedRange.Clamp(start, size, s.Offset, s.Size, 0) is not { } hash)
            {
                continue;
            }
            var dynsym = sections[(int)s.Link];
            if (dynsym.Link == 0 || dynsym.Link >= sections.Count || MappedRange.Clamp(start, size, dynsym.Offset, dynsym.Size, 0) is not { } entries)
            {
                continue;
            }
            var dynstr = sections[(int)dynsym.Link];
            if (MappedRange.Clamp(start, size, dynstr.Offset, dynstr.Size, 0) is { } strings)
            {
                img.GnuHashes.Add(new ElfGnuHash(hash.File,
                    new ElfSymbolTable(entries.File, strings.File, is64 ? 24 : 16, is64 ? 8 : 4, is64, be)));
            }
        }
        if (img.Segments.Count == 0)
        {
            // No program headers (an object or a mangled file): let allocated sections stand in for segments.
            foreach (var s in sections)
            {
                if ((s.Flags & 2) != 0 && s.Type != 8 && s.Addr != 0 && MappedRange.Clamp(start, size, s.Offset, s.Size, s.Addr) is { } r)
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
}
