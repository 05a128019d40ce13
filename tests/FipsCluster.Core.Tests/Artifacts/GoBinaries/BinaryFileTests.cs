using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// The file reader every binary analysis goes through: small ranges from blocks read at offsets, ranges past the read
/// limit from a mapping, and chunked streams whose owned parts cover a range exactly once.
/// </summary>
public sealed class BinaryFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "fc-binfile-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _bytes = new byte[BinaryFile.ReadLimit * 3 + 12345];

    public BinaryFileTests()
    {
        new Random(11).NextBytes(_bytes);
        File.WriteAllBytes(_path, _bytes);
    }

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Ranges_read_what_the_file_holds_wherever_they_lie()
    {
        using var file = BinaryFile.Open(_path, out var why)!;
        Assert.Null(why);
        Assert.Equal(_bytes.Length, file.Length);
        var random = new Random(5);
        var ranges = new List<(long Offset, int Length)>
        {
            (0, 1), (16383, 2), (16384, 16384), (16000, 40000), (5, BinaryFile.ReadLimit), (7, BinaryFile.ReadLimit + 1),
            (_bytes.Length - 1, 1), (_bytes.Length - 100, 100), (0, _bytes.Length),
        };
        for (var i = 0; i < 300; i++)
        {
            var offset = random.NextInt64(_bytes.Length);
            ranges.Add((offset, (int)Math.Min(random.Next(1, i % 10 == 0 ? 2 * BinaryFile.ReadLimit : 70000), _bytes.Length - offset)));
        }
        var held = new List<(long, int)>();
        foreach (var (offset, length) in ranges)
        {
            Assert.True(file.TryGet(offset, length, out var span), $"{offset}+{length}");
            Assert.True(span.SequenceEqual(_bytes.AsSpan((int)offset, length)), $"{offset}+{length}");
            held.Add((offset, length));
        }
        // What was handed out earlier is still what the file holds (nothing is reused while the file is open).
        foreach (var (offset, length) in held.Take(20))
        {
            Assert.True(file.TryGet(offset, length, out var again) && again.SequenceEqual(_bytes.AsSpan((int)offset, length)));
        }
    }

    [Fact]
    public void Ranges_outside_the_file_are_refused_and_windows_cut_at_its_end()
    {
        using var file = BinaryFile.Open(_path, out _)!;
        Assert.False(file.TryGet(_bytes.Length - 3, 4, out _));
        Assert.False(file.TryGet(-1, 4, out _));
        Assert.False(file.TryGet(_bytes.Length + 10, 1, out _));
        Assert.True(file.TryGet(_bytes.Length, 0, out var empty) && empty.IsEmpty);
        Assert.Equal(3, file.Window(_bytes.Length - 3, 100).Length);
        Assert.True(file.Window(_bytes.Length, 10).IsEmpty);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(7, 3)]
    [InlineData(4093, 64)]
    [InlineData(BinaryFile.ChunkSize, 64)]
    public void A_stream_owns_every_position_once_with_its_context_around_it(int chunkSize, int context)
    {
        using var file = BinaryFile.Open(_path, out _)!;
        var range = new FileRange(1000, chunkSize < 100 ? 5000 : _bytes.Length - 900); // past the end: cut there
        var end = Math.Min(range.Offset + range.Length, _bytes.Length);
        var next = range.Offset;
        using var reader = file.Stream(range, context, chunkSize);
        while (reader.Next(out var chunk))
        {
            Assert.True(chunk.SequenceEqual(_bytes.AsSpan((int)reader.Offset, chunk.Length)));
            Assert.Equal(next, reader.Offset + reader.From);
            var before = reader.Offset + reader.From - range.Offset;
            Assert.True(reader.From >= Math.Min(context, before), "an owned position without its context before it");
            Assert.True(reader.Last || chunk.Length - reader.To >= context, "an owned position without its context after it");
            next = reader.Offset + reader.To;
        }
        Assert.Equal(end, next);
    }

    [Fact]
    public void Directories_and_empty_files_are_told_apart()
    {
        Assert.Null(BinaryFile.Open(Path.GetTempPath(), out var why, out var directory));
        Assert.True(directory);
        Assert.Equal("a directory", why);
        var empty = _path + ".empty";
        File.WriteAllBytes(empty, Array.Empty<byte>());
        try
        {
            Assert.Null(BinaryFile.Open(empty, out why, out directory));
            Assert.False(directory);
            Assert.Equal("empty file", why);
        }
        finally
        {
            File.Delete(empty);
        }
    }
}
