namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>A range of the file, in absolute file offsets.</summary>
internal readonly record struct FileRange(long Offset, long Length);

/// <summary>A range of the file that the loader maps at <see cref="Address"/>.</summary>
internal readonly record struct MappedRange(long Offset, long Length, ulong Address)
{
    /// <summary>
    /// A range a header gives at <paramref name="offset"/> (relative to the container's <paramref name="start"/>), clamped
    /// to the container's <paramref name="size"/>; null when it starts outside or holds nothing.
    /// </summary>
    public static MappedRange? Clamp(long start, long size, ulong offset, ulong length, ulong address)
    {
        if (offset >= (ulong)size)
        {
            return null;
        }
        var available = (ulong)size - offset;
        var take = Math.Min(length, available);
        return take == 0 ? null : new MappedRange(start + (long)offset, (long)take, address);
    }

    public FileRange File => new(Offset, Length);
}
