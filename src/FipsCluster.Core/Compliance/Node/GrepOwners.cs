using System.Buffers;
using System.Text;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// The present files and their grep -H lines. A line "path:content" belongs to the longest present path that,
/// followed by ':', prefixes it. Found in time linear in the line (bounded by the longest present path): a
/// polynomial hash of every prefix, looked up at each ':' from the longest down, the one hit compared in full.
/// </summary>
internal sealed class GrepOwners
{
    private static readonly ulong Base = (ulong)Random.Shared.NextInt64() | 1; // per process: crafted collisions cannot be precomputed
    private readonly Dictionary<string, ArrayBufferWriter<byte>> _contents = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, string> _byHash = new();
    private readonly Dictionary<ulong, List<string>> _collisions = new(); // a second path with the same hash (rare)
    private readonly List<string> _order = new();
    private readonly List<(int Colon, ulong Hash)> _colons = new();
    private int _longest;

    /// <summary>The present files in the order the script named them, with their content (UTF-8, as it is kept).</summary>
    public IEnumerable<(string Path, byte[] Content)> Files => _order.Select(p => (p, _contents[p].WrittenSpan.ToArray()));

    public void Add(string path)
    {
        if (_contents.ContainsKey(path))
        {
            _contents[path].ResetWrittenCount();
            return;
        }
        _contents[path] = new ArrayBufferWriter<byte>(256);
        _order.Add(path);
        var hash = Hash(path);
        if (!_byHash.TryAdd(hash, path))
        {
            if (!_collisions.TryGetValue(hash, out var others))
            {
                _collisions[hash] = others = new List<string>(1);
            }
            others.Add(path);
        }
        _longest = Math.Max(_longest, path.Length);
    }

    public void Append(ReadOnlySpan<char> line)
    {
        _colons.Clear();
        ulong hash = 0;
        for (var i = 0; i < Math.Min(line.Length, _longest + 1); i++)
        {
            if (line[i] == ':' && i > 0)
            {
                _colons.Add((i, hash));
            }
            hash = unchecked(hash * Base + line[i]);
        }
        for (var c = _colons.Count - 1; c >= 0; c--)
        {
            var (colon, prefixHash) = _colons[c];
            if (!_byHash.TryGetValue(prefixHash, out var path))
            {
                continue;
            }
            if (Owns(path, line, colon))
            {
                return;
            }
            foreach (var other in _collisions.GetValueOrDefault(prefixHash) ?? Enumerable.Empty<string>())
            {
                if (Owns(other, line, colon))
                {
                    return;
                }
            }
        }
    }

    private bool Owns(string path, ReadOnlySpan<char> line, int colon)
    {
        if (path.Length != colon || !line.StartsWith(path, StringComparison.Ordinal))
        {
            return false;
        }
        // Encoded as it arrives: the facts keep files as bytes, so no text copy is made on the way.
        var content = _contents[path];
        Encoding.UTF8.GetBytes(line[(colon + 1)..], content);
        content.Write("\n"u8);
        return true;
    }

    private static ulong Hash(string text)
    {
        ulong hash = 0;
        foreach (var c in text)
        {
            hash = unchecked(hash * Base + c);
        }
        return hash;
    }
}
