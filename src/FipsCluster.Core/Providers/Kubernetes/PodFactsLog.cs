using System.IO.Compression;
using System.Security.Cryptography;
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
        return Decompress(body[..end].ToArray(), node);
    }

    /// <summary>Base64 (whitespace ignored) of gzip, inflated to at most one node's facts.</summary>
    private static string Decompress(byte[] base64, string node)
    {
        using var decoded = new CryptoStream(new MemoryStream(base64), new FromBase64Transform(FromBase64TransformMode.IgnoreWhiteSpaces), CryptoStreamMode.Read);
        using var inflated = new GZipStream(decoded, CompressionMode.Decompress);
        var output = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = inflated.Read(chunk)) > 0)
            {
                if (output.Length + read > NodeReadLimits.FactsBytes)
                {
                    throw NodeReadLimits.TooLarge(node, "its pod log, decompressed,", NodeReadLimits.FactsBytes);
                }
                output.Write(chunk, 0, read);
            }
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            throw new FipsClusterException(ErrorIds.NodeFactsMalformed, FipsErrorCategory.InvalidData,
                $"{node}: its compressed pod log is not base64 of gzip ({ex.Message}): the node's facts cannot be judged.", node);
        }
        return Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
    }

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
