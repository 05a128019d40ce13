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

    /// <summary>Where "crypto" starts in <see cref="CfuncBoring"/> and <see cref="XCryptoName"/>.</summary>
    private const int CfuncCryptoAt = 16, XCryptoAt = 13;

    /// <summary>Bytes scanned per file at most, per kind of scan.</summary>
    private const long Budget = 1L << 30;

    /// <summary>Markers found in the code, with the virtual address of the first of each kind.</summary>
    public static Dictionary<string, ulong> FindMarkers(MappedBinary file, IReadOnlyList<MappedRange> text, CancellationToken ct)
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

    public static Names ScanNames(MappedBinary file, IEnumerable<FileRange> tables, CancellationToken ct)
    {
        var names = new Names();
        foreach (var table in tables)
        {
            if (names.Scanned >= Budget)
            {
                break;
            }
            ct.ThrowIfCancellationRequested();
            var span = file.Window(table.Offset, Math.Min(table.Length, Budget - names.Scanned));
            names.Scanned += span.Length;
            var (sig, boringFunctions, standard) = ReadNames(span);
            names.SigNamesByTable[table.Offset] = sig;
            foreach (var (_, kind) in sig)
            {
                names.SigFunctions.Add(kind);
            }
            // BoringCrypto's init always calls sig.BoringCrypto: a table that names sig functions but not that one
            // has no _Cfunc__goboringcrypto_ names to count.
            if (sig.Count == 0 || sig.Exists(n => n.Kind == BoringCrypto))
            {
                names.BoringFunctions += boringFunctions;
            }
            names.StandardPackages = names.StandardPackages || standard;
        }
        return names;
    }

    /// <summary>
    /// One pass over a string table for everything the names say: every name looked for holds "crypto" (the sig
    /// functions, the _Cfunc__goboringcrypto_ wrappers, a std crypto/ package, golang.org/x/crypto/), so each
    /// "crypto" is looked at once instead of the table being searched once per name.
    /// </summary>
    private static (List<(int Offset, string Kind)> Sig, int BoringFunctions, bool StandardPackages) ReadNames(ReadOnlySpan<byte> table)
    {
        var sig = new List<(int, string)>();
        int boring = 0, at = 0;
        var standard = false;
        while (at < table.Length)
        {
            var i = table[at..].IndexOf("crypto"u8);
            if (i < 0)
            {
                break;
            }
            i += at;
            at = i + 6; // no two of these names share a "crypto"
            var here = table[i..];
            if (here.StartsWith(SigPackage) && sig.Count < 64 && SigKind(here[SigPackage.Length..]) is { } kind)
            {
                sig.Add((i, kind));
            }
            if (i >= CfuncCryptoAt && table[(i - CfuncCryptoAt)..].StartsWith(CfuncBoring))
            {
                boring++;
            }
            if ((i >= 1 && table[i - 1] == 0 && here.Length > 6 && here[6] == (byte)'/')
                || (i >= XCryptoAt && table[(i - XCryptoAt)..].StartsWith(XCryptoName)))
            {
                standard = true; // "\0crypto/" (a name in a std crypto package) or golang.org/x/crypto/
            }
        }
        return (sig, boring, standard);
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

    /// <summary>Offsets (in the table) and kinds of the names crypto/internal/boring/sig.{BoringCrypto,StandardCrypto,FIPSOnly}[.abi0].</summary>
    internal static List<(int Offset, string Kind)> SigNames(ReadOnlySpan<byte> table)
    {
        var found = new List<(int, string)>();
        var at = 0;
        while (at < table.Length && found.Count < 64)
        {
            var i = table[at..].IndexOf(SigPackage);
            if (i < 0)
            {
                break;
            }
            i += at;
            at = i + SigPackage.Length;
            if (SigKind(table[at..]) is { } kind)
            {
                found.Add((i, kind));
            }
        }
        return found;
    }

    /// <summary>
    /// The markers found through ELF symbols: the sig functions' names in a symbol table, their st_value mapped
    /// to the file, and the 32 marker bytes verified there. Null when the symbols cannot settle it (no table
    /// that names Go functions, or a named function whose bytes are not the marker) — then the text is scanned.
    /// </summary>
    public static Dictionary<string, ulong>? FindMarkersBySymbols(MappedBinary file, ExecutableImage image, Names? scanned, CancellationToken ct)
    {
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var anyNames = false;
        foreach (var table in image.ElfSymbols)
        {
            ct.ThrowIfCancellationRequested();
            if (scanned is null || !scanned.SigNamesByTable.TryGetValue(table.Strings.Offset, out var names))
            {
                names = SigNames(file.Window(table.Strings.Offset, Math.Min(table.Strings.Length, Budget)));
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
    public static Dictionary<string, ulong>? FindMarkersByGnuHash(MappedBinary file, ExecutableImage image, CancellationToken ct)
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
    private static ulong? LookupGnuHash(MappedBinary file, ElfGnuHash table, ReadOnlySpan<byte> name)
    {
        var hash = file.Window(table.Hash.Offset, table.Hash.Length);
        var be = table.Symbols.BigEndian;
        if (hash.Length < 16)
        {
            return null;
        }
        var buckets = HeaderFields.U32(hash, 0, be);
        var symOffset = HeaderFields.U32(hash, 4, be);
        var bloomSize = HeaderFields.U32(hash, 8, be);
        var bloomWord = table.Symbols.Is64 ? 8L : 4L;
        var bucketsAt = 16L + bloomSize * bloomWord;
        var chainAt = bucketsAt + 4L * buckets;
        if (buckets == 0 || chainAt > hash.Length)
        {
            return null;
        }
        uint h = 5381;
        foreach (var c in name)
        {
            h = h * 33 + c;
        }
        var index = HeaderFields.U32(hash, (int)(bucketsAt + 4L * (h % buckets)), be);
        if (index < symOffset)
        {
            return null;
        }
        var entries = file.Window(table.Symbols.Entries.Offset, table.Symbols.Entries.Length);
        var strings = file.Window(table.Symbols.Strings.Offset, table.Symbols.Strings.Length);
        for (var guard = 0; guard < 1 << 20; guard++, index++)
        {
            var chain = chainAt + 4L * (index - symOffset);
            var entry = (long)index * table.Symbols.EntrySize;
            if (chain + 4 > hash.Length || entry + table.Symbols.EntrySize > entries.Length)
            {
                return null;
            }
            var h2 = HeaderFields.U32(hash, (int)chain, be);
            if ((h2 | 1) == (h | 1))
            {
                var nameAt = HeaderFields.U32(entries, (int)entry, be);
                if (nameAt + name.Length < strings.Length && strings.Slice((int)nameAt, name.Length).SequenceEqual(name) && strings[(int)nameAt + name.Length] == 0)
                {
                    return table.Symbols.Is64 ? HeaderFields.U64(entries, (int)entry + table.Symbols.ValueAt, be) : HeaderFields.U32(entries, (int)entry + table.Symbols.ValueAt, be);
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
