using static FipsCluster.Core.Compliance.Artifacts.GoBinaries.HeaderFields;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>Reads a Mach-O container's load commands (thin, or the first slice of a fat file) into an <see cref="ExecutableImage"/>.</summary>
internal static class MachOReader
{
    /// <summary>Limits against adversarial headers: counts far beyond any real binary are cut here.</summary>
    private const int MaxLoadCommands = 1 << 16;
    private const int MaxFatArches = 64;

    /// <summary>Mach-O cputype values (CPU_TYPE_*, with CPU_ARCH_ABI64 for the 64-bit ones) as Go names the architectures.</summary>
    private static readonly Dictionary<uint, string> CpuTypes = new()
    {
        [0x01000007] = "amd64", [7] = "386", [0x0100000C] = "arm64", [12] = "arm", [0x01000012] = "ppc64", [18] = "ppc",
    };

    /// <summary>A fat (universal) file's first slice; null when the file is not a fat Mach-O after all (a Java class has the same magic).</summary>
    internal static ExecutableImage? ReadFat(BinaryFile f)
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
            || !f.TryGet((long)offset, 4, out var inner) || ExecutableImage.Identify(inner) != "MachO")
        {
            return null;
        }
        return Read(f, (long)offset, (long)size, "MachO");
    }

    /// <summary>The Mach-O image of <paramref name="size"/> bytes at <paramref name="start"/> (0, or a fat file's slice).</summary>
    internal static ExecutableImage Read(BinaryFile f, long start, long size, string format)
    {
        if (!f.TryGet(start, 28, out var h))
        {
            throw new BinaryFormatException("truncated Mach-O header");
        }
        var be = h[0] == 0xFE;
        var is64 = (be ? h[3] : h[0]) == 0xCF;
        var img = new ExecutableImage(format) { BigEndian = be, AddressSize = is64 ? 8 : 4 };
        var cpu = U32(h, 4, be);
        img.Architecture = CpuTypes.GetValueOrDefault(cpu) ?? $"macho-cpu-0x{cpu:x}";
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
                if (segName != "__PAGEZERO" && filesize != 0 && MappedRange.Clamp(start, size, fileoff, filesize, vmaddr) is { } r)
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
                    if (kind is 1 or 0xC or 0x12 || offset == 0 || MappedRange.Clamp(start, size, offset, secSize, addr) is not { } sr)
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
                            img.PcLnTab ??= sr.File;
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
                if (strsize > 0 && MappedRange.Clamp(start, size, stroff, strsize, 0) is { } st)
                {
                    img.SymbolStrings.Add(st.File);
                    img.HasStaticSymbols = true;
                }
            }
            at += cmdSize;
        }
        img.BuildInfo ??= firstData;
        return img;
    }
}
