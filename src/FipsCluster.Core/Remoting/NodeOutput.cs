namespace FipsCluster.Core.Remoting;

/// <summary>
/// Reads what a node sends into memory, never more than a limit (<see cref="NodeReadLimits"/>): past it the read
/// stops at once and the node's error is <see cref="ErrorIds.NodeOutputTooLarge"/>. Memory held per read is the
/// limit at most, whatever the node sends.
/// </summary>
internal static class NodeOutput
{
    private const int ChunkBytes = 64 * 1024;
    private const int InitialBytes = 16 * 1024;

    /// <summary>
    /// Reads <paramref name="stream"/> to its end, or until <paramref name="complete"/> says the bytes read so far are
    /// all that is needed (it sees the whole buffer and the length of the last chunk). Throws
    /// <see cref="ErrorIds.NodeOutputTooLarge"/> when more than <paramref name="limit"/> bytes arrive first.
    /// </summary>
    public static async Task<ArraySegment<byte>> ReadAsync(Stream stream, int limit, string node, string what, CancellationToken cancellation,
        Func<byte[], int, int, bool>? complete = null)
    {
        var buffer = new Buffer(limit);
        while (true)
        {
            var read = await stream.ReadAsync(buffer.Free(), cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }
            if (!buffer.Advance(read))
            {
                throw NodeReadLimits.TooLarge(node, what, limit);
            }
            if (complete is not null && complete(buffer.Bytes, buffer.Length, read))
            {
                return buffer.ToArray();
            }
        }
    }

    /// <summary>
    /// Drains a stream whose reads block (SSH.NET's command pipes have no asynchronous read) on a thread of its own, so
    /// a fleet of slow nodes never holds thread-pool threads. The bytes read by every drain sharing
    /// <paramref name="budget"/> count against it; the first drain past it calls <paramref name="exceeded"/> (which
    /// closes the source, ending the other drains) and returns null.
    /// </summary>
    public static Task<ArraySegment<byte>?> DrainAsync(Stream stream, Budget budget, Action exceeded, Action<byte[], int, int>? observe = null) =>
        Task.Factory.StartNew<ArraySegment<byte>?>(() =>
        {
            var buffer = new Buffer(budget.Limit);
            try
            {
                int read;
                while ((read = stream.Read(buffer.Free().Span)) > 0)
                {
                    if (!budget.Take(read) || !buffer.Advance(read))
                    {
                        exceeded();
                        return null;
                    }
                    observe?.Invoke(buffer.Bytes, buffer.Length, read);
                }
            }
            catch (ObjectDisposedException)
            {
                // The source was closed under the read (the connection ended): what arrived is all there is.
            }
            return buffer.ToArray();
        }, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    /// <summary>
    /// Whether <paramref name="line"/> lies in the last <paramref name="read"/> bytes of <paramref name="buffer"/>[..<paramref name="length"/>]
    /// (or straddles them): output followed chunk by chunk is searched in constant time per chunk.
    /// </summary>
    public static bool InLastChunk(byte[] buffer, int length, int read, ReadOnlySpan<byte> line)
    {
        var from = Math.Max(0, length - read - line.Length);
        return buffer.AsSpan(from, length - from).IndexOf(line) >= 0;
    }

    /// <summary>A byte limit shared by several streams of one node (stdout and stderr).</summary>
    public sealed class Budget(int limit)
    {
        private long _used;

        public int Limit => limit;

        public bool IsExceeded => Volatile.Read(ref _used) > limit;

        public bool Take(int bytes) => Interlocked.Add(ref _used, bytes) <= limit;
    }

    /// <summary>A growable buffer that never grows past its limit (plus one chunk, to notice the excess).</summary>
    private sealed class Buffer(int limit)
    {
        // Small first: most of a fleet's outputs are a few KiB (a pod log of digests is ~12 KiB compressed).
        public byte[] Bytes { get; private set; } = new byte[Math.Min(InitialBytes, limit + 1)];

        public int Length { get; private set; }

        public Memory<byte> Free()
        {
            if (Length == Bytes.Length)
            {
                var larger = new byte[(int)Math.Min((long)limit + 1, 2L * Bytes.Length)];
                Bytes.AsSpan(0, Length).CopyTo(larger);
                Bytes = larger;
            }
            // One chunk at a time, however large the buffer has grown: what a read can take past a limit (or a budget
            // shared by a node's streams) is bounded by the chunk, not by the buffer's size.
            return Bytes.AsMemory(Length, Math.Min(ChunkBytes, Bytes.Length - Length));
        }

        /// <summary>Counts <paramref name="read"/> more bytes; false once past the limit.</summary>
        public bool Advance(int read)
        {
            Length += read;
            return Length <= limit;
        }

        /// <summary>What was read (no copy: the buffer is not used afterwards).</summary>
        public ArraySegment<byte> ToArray() => new(Bytes, 0, Length);
    }
}
