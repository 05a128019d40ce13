namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// What the analyzer needs from an executable container (ELF, PE, Mach-O), read from its headers only:
/// where the loader maps what, where to look for the build info, the code to search for sig markers, and
/// the symbol string tables. All ranges are clamped to the file.
/// </summary>
internal sealed class ExecutableImage
{
    internal ExecutableImage(string format) => Format = format;

    public string Format { get; }
    public string Architecture { get; internal set; } = "unknown";
    public bool BigEndian { get; internal set; }
    public int AddressSize { get; internal set; }

    /// <summary>Loadable ranges, for virtual address → file offset (pointer-form build info).</summary>
    public List<MappedRange> Segments { get; } = new();

    /// <summary>Where to search for the "\xff Go buildinf:" header (section, else the first writable data segment).</summary>
    public MappedRange? BuildInfo { get; internal set; }

    /// <summary>True when <see cref="BuildInfo"/> is Go's own build info section (ELF .go.buildinfo, Mach-O __go_buildinfo), not a data segment searched for want of one.</summary>
    public bool BuildInfoSection { get; internal set; }

    /// <summary>Executable sections (or segments when there are no section headers).</summary>
    public List<MappedRange> Text { get; } = new();

    /// <summary>String tables of symbol tables (ELF .strtab/.dynstr via sh_link, PE COFF string table, Mach-O LC_SYMTAB).</summary>
    public List<FileRange> SymbolStrings { get; } = new();

    /// <summary>ELF symbol tables (.symtab, .dynsym) with their string tables, for looking up a symbol's address.</summary>
    public List<ElfSymbolTable> ElfSymbols { get; } = new();

    /// <summary>GNU hash tables (PIE Go binaries export every Go symbol in .dynsym): a symbol is then found without a scan.</summary>
    public List<ElfGnuHash> GnuHashes { get; } = new();

    /// <summary>True when a full (static) symbol table exists, not only dynamic symbols.</summary>
    public bool HasStaticSymbols { get; internal set; }

    /// <summary>Go's function-name table (.gopclntab / __gopclntab), which survives stripping.</summary>
    public FileRange? PcLnTab { get; internal set; }

    /// <summary>ELF .data.rel.ro, where PIE builds keep Go's function table when no .gopclntab section names it.</summary>
    public FileRange? RelroData { get; internal set; }

    /// <summary>ELF .noptrdata, where the Go linker puts runtime.firstmoduledata, whose first word is the function table's address.</summary>
    public FileRange? NoPtrData { get; internal set; }

    /// <summary>A Go-only structure was seen (.note.go.buildid, .gopclntab, __go_buildinfo…).</summary>
    public bool GoHint { get; internal set; }

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
    public static ExecutableImage? Read(BinaryFile file, string kind) => kind switch
    {
        "ELF" => ElfReader.Read(file, 0, file.Length),
        "PE" => PeReader.Read(file),
        "MachO" => MachOReader.Read(file, 0, file.Length, "MachO"),
        "MachOFat" => MachOReader.ReadFat(file),
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
}
