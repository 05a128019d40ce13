using static FipsCluster.Core.Compliance.Artifacts.GoBinaries.HeaderFields;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// Go's function table (the pcHeader at the start of .gopclntab, Go ≥ 1.18: golang/go src/runtime/symtab.go and
/// src/cmd/link/internal/ld/pcln.go): every function the linker placed in the text, with its name and entry. It
/// survives stripping, because the runtime needs it for tracebacks and stack scanning. The amd64 sig markers are
/// the bodies of the crypto/internal/boring/sig functions, so looking those functions up here finds the markers
/// without scanning megabytes of code.
/// </summary>
internal readonly record struct GoFuncTable(FileRange FuncNames, FileRange Files, long FuncTab, int Count, ulong TextStart, bool BigEndian)
{
    /// <summary>pcHeader magics: Go 1.18–1.19 and Go ≥ 1.20 (same layout). Older tables are not read here.</summary>
    private const uint Go118Magic = 0xFFFFFFF0, Go120Magic = 0xFFFFFFF1;

    /// <summary>The name tables (function names and file names): what "Go's function-name table" means for the name scan.</summary>
    public IReadOnlyList<FileRange> NameTables => new[] { FuncNames, Files };

    /// <summary>Reads and checks the header at the start of <paramref name="table"/>; null when it is not a Go ≥ 1.18 table that fits.</summary>
    public static GoFuncTable? Read(BinaryFile file, FileRange table, bool bigEndian)
    {
        if (!file.TryGet(table.Offset, 8, out var head) || head[4] != 0 || head[5] != 0 || head[7] is not (4 or 8))
        {
            return null;
        }
        var magic = U32(head, 0, bigEndian);
        if (magic is not (Go118Magic or Go120Magic))
        {
            return null;
        }
        int word = head[7];
        if (!file.TryGet(table.Offset + 8, 8L * word, out var fields))
        {
            return null;
        }
        Span<ulong> f = stackalloc ulong[8];
        for (var i = 0; i < f.Length; i++)
        {
            f[i] = word == 8 ? U64(fields, i * 8, bigEndian) : U32(fields, i * 4, bigEndian);
        }
        ulong nfunc = f[0], textStart = f[2], funcNames = f[3], cu = f[4], files = f[5], pcs = f[6], funcTab = f[7];
        var length = (ulong)table.Length;
        // The sub-tables follow each other in this order (pcln.go writes them so); anything else is not a pcHeader.
        if (funcNames < 8 + 8UL * (ulong)word || cu < funcNames || files < cu || pcs < files || funcTab < pcs || funcTab > length
            || nfunc == 0 || nfunc > (length - funcTab) / 8 - 1 || nfunc > int.MaxValue)
        {
            return null;
        }
        return new GoFuncTable(
            new FileRange(table.Offset + (long)funcNames, (long)(cu - funcNames)),
            new FileRange(table.Offset + (long)files, (long)(pcs - files)),
            table.Offset + (long)funcTab, (int)nfunc, textStart, bigEndian);
    }

    /// <summary>
    /// The table inside <paramref name="data"/> when no section names it (PIE builds keep it in .data.rel.ro): the first
    /// 8-aligned pcHeader whose sub-tables fit and whose text start lies in the code. Null when there is none.
    /// </summary>
    public static GoFuncTable? Locate(BinaryFile file, FileRange data, ExecutableImage image)
    {
        if (image.BigEndian)
        {
            return null; // only amd64 has sig markers to look up
        }
        return image.NoPtrData is { } moduleData && FromModuleData(file, moduleData, data, image) is { } named ? named : SearchData(file, data, image);
    }

    /// <summary>The first 8-aligned pcHeader in <paramref name="data"/> whose sub-tables fit and whose text start lies in the code.</summary>
    internal static GoFuncTable? SearchData(BinaryFile file, FileRange data, ExecutableImage image)
    {
        var span = file.Window(data.Offset, data.Length);
        // The magic's last three bytes (little-endian FF FF FF), the two zero pad bytes, amd64's instruction quantum
        // (1) and pointer size (8).
        ReadOnlySpan<byte> tail = stackalloc byte[] { 0xFF, 0xFF, 0xFF, 0, 0, 1, 8 };
        var at = 0;
        for (var tries = 0; tries < 1024 && at < span.Length; tries++)
        {
            var i = span[at..].IndexOf(tail);
            if (i < 0)
            {
                return null;
            }
            var start = at + i - 1;
            at += i + 1;
            if (start < 0 || (data.Offset + start) % 8 != 0)
            {
                continue;
            }
            if (Read(file, new FileRange(data.Offset + start, data.Length - start), image.BigEndian) is { } table
                && table.StartsInCode(image))
            {
                return table with { Located = true };
            }
        }
        return null;
    }

    /// <summary>
    /// The table runtime.firstmoduledata points at (src/runtime/symtab.go: its first word is the pcHeader's address, then
    /// funcnametab as pointer, length and capacity), when the file holds the linked addresses in place, as the external
    /// linker writes them beside their relocations. Scanning the module data's words (hundreds of KiB) instead of the
    /// read-only data for the magic (megabytes before the table) is what makes this worth having. Null when no word
    /// sequence fits or its table does not read; then the data is searched.
    /// </summary>
    internal static GoFuncTable? FromModuleData(BinaryFile file, FileRange moduleData, FileRange data, ExecutableImage image, int chunkSize = BinaryFile.ChunkSize)
    {
        var aligned = (moduleData.Offset + 7) & ~7L;
        if (!BitConverter.IsLittleEndian)
        {
            return null;
        }
        // Read in chunks (8-aligned, as the words are, while the chunk size is a multiple of 8): the module data usually
        // comes a fraction of the way in.
        using var reader = file.Stream(new FileRange(aligned, moduleData.Length - (aligned - moduleData.Offset)), context: 32, chunkSize);
        while (reader.Next(out var chunk))
        {
            var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(chunk);
            for (var at = reader.From / 8; at < (reader.To + 7) / 8 && at + 3 < words.Length; at++)
            {
                // pcHeader, then funcnametab's pointer (a little past the header), its length and its equal capacity.
                ulong header = words[at], names = words[at + 1], length = words[at + 2];
                if (length != words[at + 3] || length == 0 || names <= header || names - header > 4096 || header % 8 != 0)
                {
                    continue;
                }
                if (image.TryMap(header, 64, out var offset) && offset >= data.Offset && offset < data.Offset + data.Length
                    && Read(file, new FileRange(offset, data.Offset + data.Length - offset), bigEndian: false) is { } table
                    // funcnametab is the names themselves; the header's next offset may add a few bytes of alignment after them.
                    && table.FuncNames.Offset == offset + (long)(names - header) && (ulong)table.FuncNames.Length - length < 64
                    && table.StartsInCode(image))
                {
                    return table with { Located = true };
                }
            }
        }
        return null;
    }

    /// <summary>Whether the table's text start lies in the image's code, as the module's own table's does.</summary>
    private bool StartsInCode(ExecutableImage image)
    {
        var start = TextStart;
        return image.Text.Exists(t => start >= t.Address && start - t.Address < (ulong)t.Length);
    }

    /// <summary>True when the table was found by <see cref="Locate"/> rather than named by a section: it then proves only what it finds.</summary>
    public bool Located { get; init; }

    /// <summary>
    /// The sig markers, found through the functions crypto/internal/boring/sig.* named in the table: each one's entry
    /// mapped to the file and its 32 bytes checked. Empty when the table names no sig function (none is linked);
    /// null when a named one cannot be found or does not hold its marker (then the code is scanned, as before).
    /// <paramref name="sigNames"/>: the sig names of <see cref="FuncNames"/> when the caller has read them already.
    /// </summary>
    public Dictionary<string, ulong>? FindSigMarkers(BinaryFile file, ExecutableImage image, List<(int Offset, string Kind)>? sigNames, CancellationToken ct)
    {
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var names = sigNames ?? CryptoScanner.SigNames(file, FuncNames, ct);
        if (names.Count == 0)
        {
            // A table a section names lists every function: no sig name, no sig function. One found by searching the data
            // might not be the module's own, so its silence settles nothing.
            return Located ? null : found;
        }
        if (FuncTab < 0 || FuncTab + 8L * (Count + 1) > file.Length)
        {
            return null;
        }
        var wanted = names.Count;
        // Most lookups take a binary search (a few dozen reads, not one per function); a name it misses is looked for
        // by the walk below, which reads every function.
        foreach (var (nameOffset, kind) in names)
        {
            if (Search(file, nameOffset) is not { } index)
            {
                found.Clear();
                break;
            }
            if (!HoldsMarker(file, image, index, kind, out var entry))
            {
                return null;
            }
            found.TryAdd(kind, entry);
            wanted--;
        }
        if (wanted == 0)
        {
            return found;
        }
        wanted = names.Count;
        for (var i = 0; i < Count && wanted > 0; i++)
        {
            if ((i & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
            if (NameOffset(file, i) is not { } nameOff)
            {
                return null;
            }
            var at = names.FindIndex(n => n.Offset == nameOff);
            if (at < 0)
            {
                continue;
            }
            var kind = names[at].Kind;
            if (!HoldsMarker(file, image, i, kind, out var entry))
            {
                return null;
            }
            found.TryAdd(kind, entry);
            wanted--;
        }
        // A sig name that belongs to no function (an inlined call site only, say): let the scan decide.
        return wanted == 0 ? found : null;
    }

    /// <summary>Function <paramref name="index"/>'s entry in the function table: its entry offset and its _func's offset.</summary>
    private bool TryEntry(BinaryFile file, int index, out uint entryOffset, out uint funcOffset)
    {
        entryOffset = funcOffset = 0;
        if ((uint)index > (uint)Count || !file.TryGet(FuncTab + index * 8L, 8, out var entry))
        {
            return false;
        }
        entryOffset = U32(entry, 0, BigEndian);
        funcOffset = U32(entry, 4, BigEndian);
        return true;
    }

    /// <summary>Whether function <paramref name="index"/>'s entry holds the 32-byte marker of <paramref name="kind"/>.</summary>
    private bool HoldsMarker(BinaryFile file, ExecutableImage image, int index, string kind, out ulong entry)
    {
        entry = 0;
        if (!TryEntry(file, index, out var entryOffset, out _))
        {
            return false;
        }
        entry = TextStart + entryOffset;
        return image.TryMap(entry, 32, out var offset) && file.TryGet(offset, 32, out var bytes) && CryptoScanner.MarkerKind(bytes) == kind;
    }

    /// <summary>Function <paramref name="index"/>'s name offset; null when its entry or its _func lies outside the file.</summary>
    internal uint? NameOffset(BinaryFile file, int index) =>
        TryEntry(file, index, out _, out var funcOffset) && file.TryGet(FuncTab + funcOffset + 4, 4, out var field) ? U32(field, 0, BigEndian) : null;

    /// <summary>
    /// The function whose name starts at <paramref name="nameOffset"/>, by binary search; null when the search misses it.
    /// The linker writes the names in function order (src/cmd/link/internal/ld/pcln.go, walkFuncs), so name offsets rise
    /// with the index, except where a function's name was written earlier because it was inlined into an earlier one.
    /// Those stragglers are sparse, so each probe reads four neighbours and goes by the highest. What it finds is
    /// checked (its name offset here, its marker bytes by the caller), so a layout that breaks the order only sends the
    /// caller to the walk.
    /// </summary>
    internal int? Search(BinaryFile file, int nameOffset)
    {
        const int Window = 4;
        var target = (uint)nameOffset;
        int low = 0, high = Count - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            uint highest = 0;
            for (var k = Math.Max(0, middle - Window + 1); k <= middle; k++)
            {
                if (NameOffset(file, k) is not { } value)
                {
                    return null;
                }
                if (value == target)
                {
                    return k;
                }
                highest = Math.Max(highest, value);
            }
            if (highest < target)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return null;
    }
}
