using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// Finds and decodes the <c>.go.buildinfo</c> blob (golang/go src/debug/buildinfo/buildinfo.go): a 32-byte header
/// "\xff Go buildinf:" + pointer size + flags, 16-byte aligned, followed by the version and modinfo strings —
/// inline as uvarint-prefixed bytes (Go ≥ 1.18) or as two pointers to Go string headers (Go 1.13–1.17).
/// </summary>
internal static class BuildInfoReader
{
    /// <summary>"\xff Go buildinf:"</summary>
    private static ReadOnlySpan<byte> Magic => new byte[] { 0xFF, 0x20, 0x47, 0x6F, 0x20, 0x62, 0x75, 0x69, 0x6C, 0x64, 0x69, 0x6E, 0x66, 0x3A };

    private const int HeaderSize = 32;
    private const int Align = 16;

    /// <summary>Search at most this much of the data range for the header.</summary>
    private const long MaxSearch = 64L << 20;

    /// <summary>Longest version or modinfo string accepted.</summary>
    internal const long MaxString = 8L << 20;

    internal enum Outcome
    {
        /// <summary>No header: not a Go binary (or Go &lt; 1.13).</summary>
        NoHeader,

        /// <summary>A header was found but what it points at is unreadable.</summary>
        Corrupt,

        Ok,
    }

    internal readonly record struct Raw(Outcome Outcome, string? Version, string? ModInfo, string? Problem, bool Inline, long HeaderOffset);

    public static Raw Read(BinaryFile file, ExecutableImage image)
    {
        if (image.BuildInfo is not { } range)
        {
            return new Raw(Outcome.NoHeader, null, null, "no .go.buildinfo section or writable data segment", false, -1);
        }
        var headerOffset = FindHeader(file, new FileRange(range.Offset, Math.Min(range.Length, MaxSearch)));
        if (headerOffset < 0 || !file.TryGet(headerOffset, HeaderSize, out var h))
        {
            // Go's own section without its header is damaged, not absent: that is an unreadable file, not a fallback case.
            return image.BuildInfoSection
                ? new Raw(Outcome.Corrupt, null, null, "the build info section holds no \"\\xff Go buildinf:\" header", false, range.Offset)
                : new Raw(Outcome.NoHeader, null, null, "no Go build info header", false, -1);
        }
        int pointerSize = h[14];
        var flags = h[15];
        var bigEndian = (flags & 1) != 0;
        var inline = (flags & 2) != 0;
        var end = range.Offset + range.Length;
        if (inline)
        {
            var pos = headerOffset + HeaderSize;
            if (!ReadInline(file, ref pos, end, out var version, out var problem)
                || !ReadInline(file, ref pos, end, out var mod, out problem))
            {
                return new Raw(Outcome.Corrupt, null, null, problem, true, headerOffset);
            }
            return Finish(version!, mod!, true, headerOffset);
        }
        if (pointerSize is not (4 or 8))
        {
            return new Raw(Outcome.Corrupt, null, null, $"build info header has pointer size {pointerSize}", false, headerOffset);
        }
        var versionAddress = ReadPointer(h[16..], pointerSize, bigEndian);
        var modAddress = ReadPointer(h[(16 + pointerSize)..], pointerSize, bigEndian);
        if (!ReadPointerString(file, image, versionAddress, pointerSize, bigEndian, out var v, out var why)
            || !ReadPointerString(file, image, modAddress, pointerSize, bigEndian, out var m, out why))
        {
            return new Raw(Outcome.Corrupt, null, null, why, false, headerOffset);
        }
        return Finish(v!, m!, false, headerOffset);
    }

    /// <summary>
    /// The file offset of the first header magic at a 16-byte boundary of <paramref name="range"/> with a whole header
    /// inside it; -1 when there is none. The range is read in chunks (a non-Go file's data segment can be megabytes).
    /// </summary>
    private static long FindHeader(BinaryFile file, FileRange range)
    {
        var end = range.Offset + range.Length;
        using var reader = file.Stream(range, HeaderSize);
        while (reader.Next(out var chunk))
        {
            var (at, to) = (reader.From, reader.To);
            while (at < to)
            {
                var i = chunk[at..].IndexOf(Magic);
                if (i < 0 || (i += at) >= to)
                {
                    break;
                }
                var offset = reader.Offset + i;
                if (end - offset < HeaderSize)
                {
                    return -1;
                }
                if ((offset - range.Offset) % Align == 0)
                {
                    return offset;
                }
                at = i + 1;
            }
        }
        return -1;
    }

    private static Raw Finish(byte[] version, byte[] mod, bool inline, long headerOffset)
    {
        if (version.Length == 0)
        {
            return new Raw(Outcome.Corrupt, null, null, "empty Go version in build info", inline, headerOffset);
        }
        return new Raw(Outcome.Ok, Encoding.UTF8.GetString(version), StripSentinels(mod), null, inline, headerOffset);
    }

    /// <summary>modinfo is framed by two 16-byte sentinels; a string without them means a non-module build ("").</summary>
    internal static string StripSentinels(ReadOnlySpan<byte> mod)
    {
        if (mod.Length >= 33 && mod[^17] == (byte)'\n')
        {
            return Encoding.UTF8.GetString(mod[16..^16]);
        }
        return "";
    }

    /// <summary>cmd/go's modinfo sentinels (src/cmd/go/internal/modload/build.go infoStart / infoEnd).</summary>
    private static ReadOnlySpan<byte> InfoStart => new byte[] { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6 };

    private static ReadOnlySpan<byte> InfoEnd => new byte[] { 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2 };

    /// <summary>How much of a file is searched for the runtime.modinfo blob and runtime.buildVersion.</summary>
    private const long MaxFallbackSearch = 1L << 30;

    /// <summary>What a Go binary without a .go.buildinfo header still says about its build.</summary>
    internal readonly record struct Fallback(string? ModInfo, long ModInfoOffset, string? Version);

    /// <summary>
    /// For a Go binary whose .go.buildinfo header is missing (a packer or post-link tool dropped the section, as
    /// esbuild's npm binaries ship; 'go version -m' cannot read them either): the runtime.modinfo string, which the
    /// linker stores as ordinary read-only data framed by cmd/go's sentinels, and the runtime.buildVersion string
    /// ("go1.26.5", with its " X:…" experiments). Either may be null.
    /// </summary>
    public static Fallback ReadFallback(BinaryFile file)
    {
        var data = file.Window(0, MaxFallbackSearch);
        string? mod = null;
        long modAt = -1;
        var start = data.IndexOf(InfoStart);
        while (start >= 0 && mod is null)
        {
            var body = data[(start + InfoStart.Length)..];
            var end = body.IndexOf(InfoEnd);
            if (end > 0 && end <= MaxString && body[end - 1] == (byte)'\n' && IsModInfo(body[..end]))
            {
                mod = Encoding.UTF8.GetString(body[..end]);
                modAt = start;
                break;
            }
            var next = body.IndexOf(InfoStart);
            start = next < 0 ? -1 : start + InfoStart.Length + next;
        }
        return new Fallback(mod, modAt, RuntimeVersion(data));
    }

    /// <summary>modinfo lines start with path, mod, dep, => or build and a tab.</summary>
    private static bool IsModInfo(ReadOnlySpan<byte> text)
    {
        try
        {
            var decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(text);
            return decoded.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .All(l => l.StartsWith("path\t", StringComparison.Ordinal) || l.StartsWith("mod\t", StringComparison.Ordinal) || l.StartsWith("dep\t", StringComparison.Ordinal)
                    || l.StartsWith("=>\t", StringComparison.Ordinal) || l.StartsWith("build\t", StringComparison.Ordinal));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static readonly System.Text.RegularExpressions.Regex VersionText = new(
        @"\Ago1\.\d{1,3}(?:\.\d{1,3})?(?:(?:rc|beta)\d{1,3})?(?:b\d{1,3})?(?: X:[a-z0-9,]{1,200})?",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// runtime.buildVersion: every "go1.N[.M]" string in the file, less those that are a prefix of a longer one
    /// ("go1.26" of "go1.26.5"); the version only when exactly one is left, else null (not guessed).
    /// </summary>
    private static string? RuntimeVersion(ReadOnlySpan<byte> data)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        ReadOnlySpan<byte> needle = "go1."u8;
        var at = 0;
        // A Go binary names its version a handful of times; a file with hundreds of "go1." is not worth reading on.
        for (var seen = 0; seen < 256 && found.Count <= 16; seen++)
        {
            var i = data[at..].IndexOf(needle);
            if (i < 0)
            {
                break;
            }
            i += at;
            var window = data.Slice(i, Math.Min(240, data.Length - i));
            var text = Encoding.ASCII.GetString(window);
            if (VersionText.Match(text) is { Success: true } m && (i == 0 || !char.IsAsciiLetterOrDigit((char)data[i - 1])))
            {
                found.Add(m.Value);
            }
            at = i + needle.Length;
        }
        var distinct = found.Where(v => !found.Any(o => o.Length > v.Length && o.StartsWith(v, StringComparison.Ordinal))).ToList();
        return distinct.Count == 1 ? distinct[0] : null;
    }

    private static bool ReadInline(BinaryFile file, ref long pos, long end, out byte[]? value, out string? problem)
    {
        value = null;
        var window = file.Window(pos, Math.Min(10, end - pos));
        if (!TryUvarint(window, out var length, out var used))
        {
            problem = "bad uvarint length in build info";
            return false;
        }
        pos += used;
        if (length > (ulong)MaxString || (long)length > end - pos || !file.TryGet(pos, (long)length, out var bytes))
        {
            problem = $"build info string length {length} runs past the end of its section";
            return false;
        }
        value = bytes.ToArray();
        pos += (long)length;
        problem = null;
        return true;
    }

    /// <summary>encoding/binary.Uvarint: at most 10 bytes, the 10th ≤ 1.</summary>
    internal static bool TryUvarint(ReadOnlySpan<byte> s, out ulong value, out int used)
    {
        value = 0;
        used = 0;
        var shift = 0;
        for (var i = 0; i < s.Length && i < 10; i++)
        {
            var b = s[i];
            if (b < 0x80)
            {
                if (i == 9 && b > 1)
                {
                    return false;
                }
                value |= (ulong)b << shift;
                used = i + 1;
                return true;
            }
            value |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }
        return false;
    }

    private static ulong ReadPointer(ReadOnlySpan<byte> s, int size, bool bigEndian) =>
        size == 8 ? HeaderFields.U64(s, 0, bigEndian) : HeaderFields.U32(s, 0, bigEndian);

    private static bool ReadPointerString(BinaryFile file, ExecutableImage image, ulong address, int pointerSize, bool bigEndian, out byte[]? value, out string? problem)
    {
        value = null;
        if (!image.TryMap(address, (ulong)(2 * pointerSize), out var headerAt) || !file.TryGet(headerAt, 2 * pointerSize, out var header))
        {
            problem = $"build info string header at 0x{address:x} is not in the file";
            return false;
        }
        var data = ReadPointer(header, pointerSize, bigEndian);
        var length = ReadPointer(header[pointerSize..], pointerSize, bigEndian);
        if (length == 0)
        {
            value = Array.Empty<byte>();
            problem = null;
            return true;
        }
        if (length > (ulong)MaxString || !image.TryMap(data, length, out var at) || !file.TryGet(at, (long)length, out var bytes))
        {
            problem = $"build info string at 0x{data:x} (length {length}) is not in the file";
            return false;
        }
        value = bytes.ToArray();
        problem = null;
        return true;
    }
}
