using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FipsCluster.Core.Clusters;

/// <summary>The store's index (clusters.index.json): the witness of every record's version and MAC, kept beside the records.</summary>
public sealed partial class FileClusterStore
{
    /// <summary>Null when the index vouches for the record; otherwise why not.</summary>
    private static string? Witness(StoreIndex? index, string key, Envelope envelope)
    {
        if (index is null)
        {
            // A store no version with an index has written yet: only records of earlier versions can be in it.
            return envelope.Format == 1 ? null : "the store's index (clusters.index.json) is missing, so its version cannot be confirmed";
        }
        if (!index.Clusters.TryGetValue(key, out var entry))
        {
            return "the store has no such record in its index (a removed cluster restored, or a record from another store)";
        }
        if (Matches(entry, envelope.Mac) || entry.Pending is { } pending && Matches(pending, envelope.Mac))
        {
            return null;
        }
        var expected = entry.Pending?.Version ?? entry.Version;
        return envelope.Record.Version < expected
            ? $"it is version {envelope.Record.Version}, and the store's index says version {expected}: an older copy was put back"
            : $"it is not the version {expected} the store's index names";
    }

    private static bool Matches(IndexEntry entry, string mac) =>
        entry.Mac is { } expected && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(mac));

    private byte[] IndexMac(byte[] raw)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key.Value);
        hmac.AppendData(Encoding.UTF8.GetBytes($"FipsCluster/store-index/{IndexFormat}\n"));
        hmac.AppendData(raw);
        return hmac.GetHashAndReset();
    }

    /// <summary>Reads, changes and writes the index under its lock; a store without one gets one, enrolling the records of earlier versions.</summary>
    private void ChangeIndex(string name, Action<Dictionary<string, IndexEntry>> change)
    {
        System.IO.Directory.CreateDirectory(Home);
        using var guard = Lock(Path.Combine(Home, IndexLockFile), name);
        var index = ReadIndex(name) ?? new StoreIndex { Clusters = Enroll() };
        var entries = new Dictionary<string, IndexEntry>(index.Clusters, StringComparer.Ordinal);
        change(entries);
        var raw = JsonSerializer.SerializeToUtf8Bytes(new StoreIndex { Clusters = new SortedDictionary<string, IndexEntry>(entries, StringComparer.Ordinal) }, Json);
        var mac = Convert.ToBase64String(IndexMac(raw));
        WriteAtomically(_index, json =>
        {
            json.WriteNumber("format", IndexFormat);
            json.WriteString("mac", mac);
            json.WritePropertyName("index");
            json.WriteRawValue(raw);
        }, null);
    }

    /// <summary>The index, verified; null when the store has none yet.</summary>
    private StoreIndex? ReadIndex(string name)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(_index);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FipsClusterException(ErrorIds.FipsClusterStoreUnavailable, FipsErrorCategory.ReadError, $"The store index {_index} could not be read: {ex.Message}", name, ex);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var raw = Encoding.UTF8.GetBytes(root.GetProperty("index").GetRawText());
            if (root.GetProperty("format").GetInt32() != IndexFormat
                || !CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(root.GetProperty("mac").GetString() ?? ""), IndexMac(raw)))
            {
                throw Tampered(name, _index, "the store's index was changed outside FipsCluster, so no record's version can be confirmed");
            }
            return JsonSerializer.Deserialize<StoreIndex>(raw, Json) ?? throw new JsonException("empty index");
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw Tampered(name, _index, "the store's index is not well-formed, so no record's version can be confirmed");
        }
    }

    /// <summary>
    /// The records of earlier versions of the module (format 1) that verify, as the first index of a store knows them.
    /// A format-2 record found here has lost its index, and stays unenrolled (refused) rather than trusted.
    /// </summary>
    private IDictionary<string, IndexEntry> Enroll()
    {
        var entries = new SortedDictionary<string, IndexEntry>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(_clusters))
        {
            return entries;
        }
        foreach (var dir in System.IO.Directory.EnumerateDirectories(_clusters))
        {
            var key = Path.GetFileName(dir);
            try
            {
                var bytes = File.ReadAllBytes(Path.Combine(dir, RecordFile));
                var envelope = Open(bytes, key, key, Path.Combine(dir, RecordFile));
                if (envelope.Format == 1)
                {
                    entries[key] = new IndexEntry { Version = envelope.Record.Version, Mac = envelope.Mac };
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FipsClusterException)
            {
                // No record, or one that does not verify: it stays out of the index, so it keeps reading as tampered.
            }
        }
        return entries;
    }

    /// <summary>The index file's content: per cluster directory, the committed version and MAC, and a write in progress.</summary>
    private sealed class StoreIndex
    {
        public IDictionary<string, IndexEntry> Clusters { get; init; } = new SortedDictionary<string, IndexEntry>(StringComparer.Ordinal);
    }

    private sealed class IndexEntry
    {
        public long Version { get; init; }

        /// <summary>The record's MAC as stored in its file; null for a cluster whose first write is pending.</summary>
        public string? Mac { get; init; }

        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public IndexEntry? Pending { get; init; }
    }
}
