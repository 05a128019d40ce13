using System.IO.Compression;
using System.Text;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// What crosses a node-check pod's log, which the API server relays byte for byte: the facts script's output,
/// gzip-compressed and base64-encoded between two plain marker lines when the node has working gzip and base64 (base64
/// never contains '@', so the end marker cannot occur inside), plain otherwise. Read back with hard bounds: at most
/// <see cref="NodeReadLimits.FactsBytes"/> of log, and as much again once decompressed — a node that sends a
/// decompression bomb is that node's <see cref="ErrorIds.NodeOutputTooLarge"/>, not the scanner's memory.
/// </summary>
public static class PodFactsLog
{
    /// <summary>The plain line before the compressed output.</summary>
    public const string CompressedStart = "@@FC z";

    /// <summary>The plain line after it.</summary>
    public const string CompressedEnd = "@@FC zend";

    private static readonly byte[] StartLine = Encoding.ASCII.GetBytes(CompressedStart + "\n");
    private static readonly byte[] StartAfterNoise = Encoding.ASCII.GetBytes("\n" + CompressedStart + "\n");
    private static readonly byte[] EndLine = Encoding.ASCII.GetBytes("\n" + CompressedEnd + "\n");

    /// <summary>
    /// The container's shell text around <paramref name="script"/>: the script becomes a function, run through
    /// <c>gzip -c | base64</c> when both work on the node (its stderr, noise for the facts, is dropped so it cannot
    /// interleave with the encoding), as it is otherwise. The script appears once.
    /// </summary>
    public static string Compressed(string script) =>
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH\n"
        + "F() {\n" + script + "}\n"
        + "if [ -n \"$(echo x | gzip -c 2>/dev/null | base64 2>/dev/null)\" ]; then echo '" + CompressedStart + "'; F 2>/dev/null | gzip -c | base64; echo '" + CompressedEnd + "'; else F; fi\n";

    /// <summary>Whether the log read so far is complete: the script's own end marker (plain) or the compressed output's end line.</summary>
    public static bool EndsInChunk(byte[] buffer, int length, int read) =>
        ShellFactScript.EndsInChunk(buffer, length, read) || NodeOutput.InLastChunk(buffer, length, read, EndLine);

    /// <summary>
    /// The facts script's output in <paramref name="log"/>: decompressed when it came compressed. Throws
    /// <see cref="ErrorIds.NodeOutputTooLarge"/> when it decompresses to more than one node's facts, and
    /// <see cref="ErrorIds.NodeFactsMalformed"/> when the compressed part is not base64 of gzip.
    /// </summary>
    public static string Text(ReadOnlySpan<byte> log, string node)
    {
        // The start line opens the log, or follows lines the runtime wrote before the script (noise, as for plain output).
        var start = log.StartsWith(StartLine) ? StartLine.Length : log.IndexOf(StartAfterNoise) is var at and >= 0 ? at + StartAfterNoise.Length : -1;
        if (start < 0)
        {
            return Encoding.UTF8.GetString(log);
        }
        var body = log[start..];
        var end = body.IndexOf(EndLine);
        if (end < 0)
        {
            // Cut short: what decompresses is judged as output that ended early (never complete, so never compliant).
            end = body.Length;
        }
        return Decompress(body[..end], node);
    }

    /// <summary>Base64 (whitespace ignored) of gzip, inflated to at most one node's facts.</summary>
    private static string Decompress(ReadOnlySpan<byte> base64, string node)
    {
        // Whitespace dropped, decoded in place, inflated into one array sized by the gzip trailer (the output's length,
        // checked against the limit as it arrives, not trusted): every node of a fleet scan comes through here.
        var gzip = new byte[base64.Length];
        var compacted = 0;
        foreach (var b in base64)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                gzip[compacted++] = b;
            }
        }
        if (System.Buffers.Text.Base64.DecodeFromUtf8InPlace(gzip.AsSpan(0, compacted), out var decoded) != System.Buffers.OperationStatus.Done)
        {
            throw Malformed(node, "it is not base64");
        }
        var sized = decoded >= 18 ? BitConverter.ToUInt32(gzip, decoded - 4) : 0u; // ISIZE: the input's length mod 2^32
        var output = new byte[(int)Math.Min(Math.Max(sized, 4096u) + 1, (uint)NodeReadLimits.FactsBytes + 1)]; // + 1: room to read the end
        var length = 0;
        try
        {
            using var inflated = new GZipStream(new MemoryStream(gzip, 0, decoded), CompressionMode.Decompress);
            int read;
            while ((read = inflated.Read(output, length, output.Length - length)) > 0)
            {
                length += read;
                if (length > NodeReadLimits.FactsBytes)
                {
                    throw NodeReadLimits.TooLarge(node, "its pod log, decompressed,", NodeReadLimits.FactsBytes);
                }
                if (length == output.Length)
                {
                    Array.Resize(ref output, (int)Math.Min(2L * output.Length, NodeReadLimits.FactsBytes + 1L));
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw Malformed(node, ex.Message);
        }
        return Encoding.UTF8.GetString(output, 0, length);
    }

    private static FipsClusterException Malformed(string node, string why) =>
        new(ErrorIds.NodeFactsMalformed, FipsErrorCategory.InvalidData, $"{node}: its compressed pod log is not base64 of gzip ({why}): the node's facts cannot be judged.", node);

    /// <summary>A parked node's facts output, kept compressed while it waits (a few KiB each, whatever the node count).</summary>
    public static byte[] Pack(string text)
    {
        var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return packed.ToArray();
    }

    /// <summary>The output <see cref="Pack"/> kept (its own bytes: bounded when packed).</summary>
    public static string Unpack(byte[] packed)
    {
        using var gzip = new GZipStream(new MemoryStream(packed), CompressionMode.Decompress);
        using var text = new StreamReader(gzip, Encoding.UTF8);
        return text.ReadToEnd();
    }
}
