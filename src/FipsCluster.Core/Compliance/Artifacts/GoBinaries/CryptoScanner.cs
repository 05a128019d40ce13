namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// Byte-level evidence of which crypto is linked: the amd64 sig markers (golang/go
/// src/crypto/internal/boring/sig/sig_amd64.s, as rsc/goversion finds them in stripped binaries) and names in
/// symbol string tables or Go's function-name table.
/// </summary>
internal static class CryptoScanner
{
    public const string BoringCrypto = "BoringCrypto";
    public const string StandardCrypto = "StandardCrypto";
    public const string FipsOnly = "FIPSOnly";

    /// <summary>JMP +0x1D; then the F4 48 F4 4B F4 indicator (HLT, DEC, HLT, DEC, HLT).</summary>
    private static ReadOnlySpan<byte> Prefix => new byte[] { 0xEB, 0x1D, 0xF4, 0x48, 0xF4, 0x4B, 0xF4 };

    private static ReadOnlySpan<byte> BoringBody => new byte[] { 0xB3, 0x32, 0xF5, 0x28, 0x13, 0xA3, 0xB4, 0x50, 0xD4, 0x41, 0xCC, 0x24, 0x85, 0xF0, 0x01, 0x45, 0x4E, 0x92, 0x10, 0x1B, 0x1D, 0x2F, 0x19, 0x50 };
    private static ReadOnlySpan<byte> StandardBody => new byte[] { 0xBA, 0xEE, 0x4D, 0xFA, 0x98, 0x51, 0xCA, 0x56, 0xA9, 0x11, 0x45, 0xE8, 0x3E, 0x99, 0xC5, 0x9C, 0xF9, 0x11, 0xCB, 0x8E, 0x80, 0xDA, 0xF1, 0x2F };
    private static ReadOnlySpan<byte> FipsOnlyBody => new byte[] { 0x36, 0x3C, 0xB9, 0xCE, 0x9D, 0x68, 0x04, 0x7D, 0x31, 0xF2, 0x8D, 0x32, 0x5D, 0x5C, 0xA5, 0x87, 0x3F, 0x5D, 0x80, 0xCA, 0xF6, 0xD6, 0x15, 0x1B };

    private static ReadOnlySpan<byte> CfuncBoring => "_Cfunc__goboringcrypto_"u8;
    private static ReadOnlySpan<byte> XCryptoName => "golang.org/x/crypto/"u8;
    private static ReadOnlySpan<byte> SigPackage => "crypto/internal/boring/sig."u8;

    /// <summary>
    /// What the name scans look for first, and where it lies in what they look for: "ypt" in "crypto", "boring/sig" in
    /// <see cref="SigPackage"/>. IndexOf over a needle filters on its first and last bytes; these pairs (y…t, b…g) are
    /// rarer in Go's names than c…o and c…., so the scan stops a quarter less often (measured 19 against 15 GB/s).
    /// </summary>
    private static ReadOnlySpan<byte> CryptoAnchor => "ypt"u8;
    private static ReadOnlySpan<byte> SigAnchor => "boring/sig"u8;
    private const int CryptoAnchorAt = 2, SigAnchorAt = 16;

    /// <summary>Where "crypto" starts in <see cref="CfuncBoring"/> and <see cref="XCryptoName"/>.</summary>
    private const int CfuncCryptoAt = 16, XCryptoAt = 13;

    /// <summary>Bytes scanned per file at most, per kind of scan.</summary>
    private const long Budget = 1L << 30;

    /// <summary>Markers found in the code, with the virtual address of the first of each kind.</summary>
    public static Dictionary<string, ulong> FindMarkers(BinaryFile file, IReadOnlyList<MappedRange> text, CancellationToken ct)
    {
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        long scanned = 0;
        foreach (var range in text)
        {
            if (scanned >= Budget || found.Count == 3)
            {
                break;
            }
            var span = file.Window(range.Offset, Math.Min(range.Length, Budget - scanned));
            scanned += span.Length;
            var at = 0;
            while (at < span.Length)
            {
                var i = span[at..].IndexOf(Prefix);
                if (i < 0)
                {
                    break;
                }
                i += at;
                at = i + 1;
                if ((at & 0xFFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
                var address = range.Address != 0 ? range.Address + (ulong)i : (ulong)(range.Offset + i);
                if (address % 16 != 0 || span.Length - i < 32)
                {
                    continue;
                }
                if (MarkerKind(span.Slice(i, 32)) is { } kind)
                {
                    found.TryAdd(kind, address);
                }
            }
        }
        return found;
    }

    /// <summary>What the names in some string tables say.</summary>
    public sealed class Names
    {
        public int BoringFunctions { get; set; }
        public bool StandardPackages { get; set; }
        public HashSet<string> SigFunctions { get; } = new(StringComparer.Ordinal);
        public long Scanned { get; set; }

        /// <summary>The sig names found per string table (by file offset), reused for the symbol lookup.</summary>
        public Dictionary<long, List<(int Offset, string Kind)>> SigNamesByTable { get; } = new();
    }

    /// <summary>
    /// Bytes of context a name needs around its "crypto": 16 before (_Cfunc__goboringcrypto_), at most 42 after
    /// (crypto/internal/boring/sig.StandardCrypto and its terminator): what the chunks a table is read in give each position.
    /// </summary>
    private const int Context = 64;

    public static Names ScanNames(BinaryFile file, IEnumerable<FileRange> tables, CancellationToken ct, int chunkSize = BinaryFile.ChunkSize)
    {
        var names = new Names();
        foreach (var table in tables)
        {
            if (names.Scanned >= Budget)
            {
                break;
            }
            var range = new FileRange(table.Offset, Math.Min(table.Length, Budget - names.Scanned));
            var tally = new NameTally();
            using (var reader = file.Stream(range, Context, chunkSize))
            {
                while (reader.Next(out var chunk))
                {
                    ct.ThrowIfCancellationRequested();
                    ReadNames(chunk, reader.From, reader.To, (int)(reader.Offset - table.Offset), tally);
                }
            }
            names.Scanned += range.Length;
            var sig = tally.Sig;
            names.SigNamesByTable[table.Offset] = sig;
            foreach (var (_, kind) in sig)
            {
                names.SigFunctions.Add(kind);
            }
            // BoringCrypto's init always calls sig.BoringCrypto: a table that names sig functions but not that one
            // has no _Cfunc__goboringcrypto_ names to count.
            if (sig.Count == 0 || sig.Exists(n => n.Kind == BoringCrypto))
            {
                names.BoringFunctions += tally.BoringFunctions;
            }
            names.StandardPackages = names.StandardPackages || tally.StandardPackages;
        }
        return names;
    }

    /// <summary>What a name table's "crypto"s said so far.</summary>
    private sealed class NameTally
    {
        public List<(int Offset, string Kind)> Sig { get; } = new();
        public int BoringFunctions { get; set; }
        public bool StandardPackages { get; set; }
    }

    /// <summary>
    /// One pass over the "crypto"s that start in [<paramref name="from"/>, <paramref name="to"/>) of a chunk of a string
    /// table for everything the names say: every name looked for holds "crypto" (the sig functions, the
    /// _Cfunc__goboringcrypto_ wrappers, a std crypto/ package, golang.org/x/crypto/), so each "crypto" is looked at
    /// once instead of the table being searched once per name. <paramref name="chunkAt"/> is the chunk's offset in the table.
    /// </summary>
    private static void ReadNames(ReadOnlySpan<byte> chunk, int from, int to, int chunkAt, NameTally tally)
    {
        for (int at = from, i; (i = NextMatch(chunk, at, to, "crypto"u8, CryptoAnchor, CryptoAnchorAt)) >= 0;)
        {
            at = i + 6; // no two of these names share a "crypto"
            var here = chunk[i..];
            if (here.StartsWith(SigPackage) && tally.Sig.Count < 64 && SigKind(here[SigPackage.Length..]) is { } kind)
            {
                tally.Sig.Add((chunkAt + i, kind));
            }
            // A position a chunk owns has Context bytes of it before (or the table's start), so these look-backs are whole.
            if (i >= CfuncCryptoAt && chunk[(i - CfuncCryptoAt)..].StartsWith(CfuncBoring))
            {
                tally.BoringFunctions++;
            }
            if ((i >= 1 && chunk[i - 1] == 0 && here.Length > 6 && here[6] == (byte)'/')
                || (i >= XCryptoAt && chunk[(i - XCryptoAt)..].StartsWith(XCryptoName)))
            {
                tally.StandardPackages = true; // "\0crypto/" (a name in a std crypto package) or golang.org/x/crypto/
            }
        }
    }

    /// <summary>
    /// The first <paramref name="needle"/> that starts in [<paramref name="at"/>, <paramref name="to"/>) of a chunk, found
    /// through its <paramref name="anchor"/> (at <paramref name="anchorAt"/> in it); -1 when there is none.
    /// </summary>
    private static int NextMatch(ReadOnlySpan<byte> chunk, int at, int to, ReadOnlySpan<byte> needle, ReadOnlySpan<byte> anchor, int anchorAt)
    {
        while (at < to && at + anchorAt < chunk.Length)
        {
            var i = chunk[(at + anchorAt)..].IndexOf(anchor);
            if (i < 0 || (i += at) >= to)
            {
                return -1;
            }
            if (chunk[i..].StartsWith(needle))
            {
                return i;
            }
            at = i + 1;
        }
        return -1;
    }

    /// <summary>The kind of sig function named after "crypto/internal/boring/sig."; null for any other name.</summary>
    private static string? SigKind(ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOfAny((byte)0, (byte)'.');
        var name = end < 0 ? rest : rest[..end];
        return name.SequenceEqual("BoringCrypto"u8) ? BoringCrypto
            : name.SequenceEqual("StandardCrypto"u8) ? StandardCrypto
            : name.SequenceEqual("FIPSOnly"u8) ? FipsOnly
            : null;
    }

    /// <summary>
    /// Offsets (in the table) and kinds of the names crypto/internal/boring/sig.{BoringCrypto,StandardCrypto,FIPSOnly}[.abi0]
    /// in a string table, read in chunks.
    /// </summary>
    internal static List<(int Offset, string Kind)> SigNames(BinaryFile file, FileRange table, CancellationToken ct, int chunkSize = BinaryFile.ChunkSize)
    {
        var found = new List<(int, string)>();
        using var reader = file.Stream(new FileRange(table.Offset, Math.Min(table.Length, Budget)), Context, chunkSize);
        while (found.Count < 64 && reader.Next(out var chunk))
        {
            ct.ThrowIfCancellationRequested();
            var chunkAt = (int)(reader.Offset - table.Offset);
            for (int at = reader.From, i; found.Count < 64 && (i = NextMatch(chunk, at, reader.To, SigPackage, SigAnchor, SigAnchorAt)) >= 0;)
            {
                at = i + SigPackage.Length;
                if (SigKind(chunk[at..]) is { } kind)
                {
                    found.Add((chunkAt + i, kind));
                }
            }
        }
        return found;
    }

    /// <summary>
    /// The markers found through ELF symbols: the sig functions' names in a symbol table, their st_value mapped
    /// to the file, and the 32 marker bytes verified there. Null when the symbols cannot settle it (no table
    /// that names Go functions, or a named function whose bytes are not the marker) — then the text is scanned.
    /// </summary>
    public static Dictionary<string, ulong>? FindMarkersBySymbols(BinaryFile file, ExecutableImage image, Names? scanned, CancellationToken ct)
    {
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var anyNames = false;
        foreach (var table in image.ElfSymbols)
        {
            ct.ThrowIfCancellationRequested();
            if (scanned is null || !scanned.SigNamesByTable.TryGetValue(table.Strings.Offset, out var names))
            {
                names = SigNames(file, table.Strings, ct);
            }
            if (names.Count == 0)
            {
                continue;
            }
            anyNames = true;
            var low = (uint)names.Min(n => n.Offset);
            var high = (uint)names.Max(n => n.Offset);
            var entries = file.Window(table.Entries.Offset, Math.Min(table.Entries.Length, Budget));
            for (var e = 0; e + table.EntrySize <= entries.Length; e += table.EntrySize)
            {
                var name = HeaderFields.U32(entries, e, table.BigEndian);
                if (name < low || name > high)
                {
                    continue;
                }
                string? kind = null;
                foreach (var n in names)
                {
                    if (n.Offset == name)
                    {
                        kind = n.Kind;
                    }
                }
                if (kind is null)
                {
                    continue;
                }
                var value = table.Is64 ? HeaderFields.U64(entries, e + table.ValueAt, table.BigEndian) : HeaderFields.U32(entries, e + table.ValueAt, table.BigEndian);
                if (!image.TryMap(value, 32, out var at) || !file.TryGet(at, 32, out var bytes) || MarkerKind(bytes) != kind)
                {
                    return null;
                }
                found.TryAdd(kind, value);
            }
            if (names.Any(n => !found.ContainsKey(n.Kind)))
            {
                return null; // a name without a symbol pointing at it: let the scan decide
            }
        }
        // A table that names Go's sig functions lists them all: a kind it lacks is not linked. No names at all
        // (stripped, partial or foreign tables) settles nothing.
        return anyNames ? found : null;
    }

    /// <summary>
    /// The markers found by looking the three sig functions up in .gnu.hash (dynamic symbols) — no table scan.
    /// Null when there is no hash table or it names none of them (then the scans decide).
    /// </summary>
    public static Dictionary<string, ulong>? FindMarkersByGnuHash(BinaryFile file, ExecutableImage image, CancellationToken ct)
    {
        Dictionary<string, ulong>? found = null;
        foreach (var table in image.GnuHashes)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var kind in new[] { BoringCrypto, StandardCrypto, FipsOnly })
            {
                foreach (var suffix in new[] { "", ".abi0" })
                {
                    var name = System.Text.Encoding.ASCII.GetBytes("crypto/internal/boring/sig." + kind + suffix);
                    if (LookupGnuHash(file, table, name) is not { } value)
                    {
                        continue;
                    }
                    if (!image.TryMap(value, 32, out var at) || !file.TryGet(at, 32, out var bytes) || MarkerKind(bytes) != kind)
                    {
                        return null; // a symbol that does not point at its marker: let the scans decide
                    }
                    (found ??= new Dictionary<string, ulong>(StringComparer.Ordinal)).TryAdd(kind, value);
                }
            }
        }
        return found;
    }

    /// <summary>ELF GNU hash lookup (the dynamic linker's algorithm): bucket by h % nbuckets, then the chain of equal hashes.</summary>
    private static ulong? LookupGnuHash(BinaryFile file, ElfGnuHash table, ReadOnlySpan<byte> name)
    {
        // Each field is read where it lies (a few dozen bytes in all): the tables are megabytes in a binary that exports its Go symbols.
        var be = table.Symbols.BigEndian;
        uint? Word(long at) => at >= 0 && at + 4 <= table.Hash.Length && file.TryGet(table.Hash.Offset + at, 4, out var w) ? HeaderFields.U32(w, 0, be) : null;
        if (table.Hash.Length < 16 || Word(0) is not { } buckets || Word(4) is not { } symOffset || Word(8) is not { } bloomSize)
        {
            return null;
        }
        var bloomWord = table.Symbols.Is64 ? 8L : 4L;
        var bucketsAt = 16L + bloomSize * bloomWord;
        var chainAt = bucketsAt + 4L * buckets;
        if (buckets == 0 || chainAt > table.Hash.Length)
        {
            return null;
        }
        uint h = 5381;
        foreach (var c in name)
        {
            h = h * 33 + c;
        }
        if (Word(bucketsAt + 4L * (h % buckets)) is not { } index || index < symOffset)
        {
            return null;
        }
        var size = table.Symbols.EntrySize;
        for (var guard = 0; guard < 1 << 20; guard++, index++)
        {
            var entryAt = (long)index * size;
            if (entryAt + size > table.Symbols.Entries.Length || !file.TryGet(table.Symbols.Entries.Offset + entryAt, size, out var entry)
                || Word(chainAt + 4L * (index - symOffset)) is not { } h2)
            {
                return null;
            }
            if ((h2 | 1) == (h | 1))
            {
                var nameAt = HeaderFields.U32(entry, 0, be);
                if (nameAt + name.Length < table.Symbols.Strings.Length
                    && file.TryGet(table.Symbols.Strings.Offset + nameAt, name.Length + 1, out var named)
                    && named[..name.Length].SequenceEqual(name) && named[name.Length] == 0)
                {
                    return table.Symbols.Is64 ? HeaderFields.U64(entry, table.Symbols.ValueAt, be) : HeaderFields.U32(entry, table.Symbols.ValueAt, be);
                }
            }
            if ((h2 & 1) != 0)
            {
                return null;
            }
        }
        return null;
    }

    internal static string? MarkerKind(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 32 || !bytes.StartsWith(Prefix) || bytes[31] != 0xC3)
        {
            return null;
        }
        var body = bytes.Slice(7, 24);
        return body.SequenceEqual(BoringBody) ? BoringCrypto
            : body.SequenceEqual(StandardBody) ? StandardCrypto
            : body.SequenceEqual(FipsOnlyBody) ? FipsOnly
            : null;
    }
}
