using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FipsCluster.Core.Clusters;

/// <summary>
/// The embedded store: one directory per cluster under $FIPSCLUSTER_HOME (else the per-user data folder), holding
/// cluster.json = {"format": 2, "mac": …, "record": {...}}, and one index of the store (clusters.index.json) that names
/// the version and MAC of every record. Both are MACed (HMAC-SHA256) with a 32-byte key created on first use (mode
/// 0600), which is what binds a record to this store.
/// <para>A record's MAC covers the name of the directory it lives in and the record's exact bytes (its name and
/// version among them): a record copied over another cluster's, or renamed, is refused. The index is the monotonic
/// witness outside the record file: a record whose MAC is not the one the index names (an older copy put back, a
/// record of a removed cluster restored, a record from another store) is refused too. Writes go intent-first: the index
/// names the new MAC as pending, then the record is written, then the index commits it. A crash between any two steps
/// leaves a record the index accepts (the committed or the pending one), so an honest store never reads as tampered.</para>
/// <para>Records written by earlier versions of the module (no "format", MAC over the record alone) are read as long as
/// the store has no index; the first write by this version creates the index and enrolls every such record that
/// verifies, and each record is rewritten in the new format on its own next write.</para>
/// <para>Writes are atomic (temp file, flush to disk, rename) and serialized across processes and runspaces by an
/// exclusive lock file per cluster (and one for the index, always taken after the cluster's).</para>
/// </summary>
public sealed partial class FileClusterStore : IClusterStore
{
    private const string RecordFile = "cluster.json";
    private const string IndexFile = "clusters.index.json";
    private const string LockFile = ".lock";
    private const string IndexLockFile = ".index.lock";
    private const int RecordFormat = 2;
    private const int IndexFormat = 1;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly JsonWriterOptions EnvelopeWriter = new() { Indented = true };
    private readonly string _clusters;
    private readonly string _index;
    private readonly Lazy<byte[]> _key;
    private readonly TimeSpan _lockTimeout;

    public FileClusterStore(string home, TimeSpan? lockTimeout = null)
    {
        Home = Path.GetFullPath(home);
        _clusters = Path.Combine(Home, "clusters");
        _index = Path.Combine(Home, IndexFile);
        _key = new Lazy<byte[]>(LoadOrCreateKey);
        _lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
    }

    public string Home { get; }

    /// <summary>$FIPSCLUSTER_HOME, else the platform's per-user data folder (~/.local/share/FipsCluster, %LOCALAPPDATA%\FipsCluster).</summary>
    public static string DefaultHome =>
        Environment.GetEnvironmentVariable("FIPSCLUSTER_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "FipsCluster");

    /// <summary>
    /// The directory of a stored name. New records follow <see cref="ClusterNames.Rule"/> (checked in <see cref="Create"/>);
    /// a name stored by an earlier version (upper case, '_') is still found, so its record stays readable and removable.
    /// Anything else could build a path and is refused.
    /// </summary>
    private static string StoredName(string name)
    {
        if (!ClusterNames.IsStorable(name))
        {
            throw new FipsClusterException(ErrorIds.InvalidClusterName, FipsErrorCategory.InvalidArgument,
                $"'{name}' is not a valid cluster name: it must be {ClusterNames.Rule}.", name);
        }
        return name;
    }

    private string Directory(string name) => Path.Combine(_clusters, StoredName(name).ToLowerInvariant());

    public IReadOnlyList<string> Names()
    {
        if (!System.IO.Directory.Exists(_clusters))
        {
            return Array.Empty<string>();
        }
        return System.IO.Directory.EnumerateDirectories(_clusters)
            .Where(d => File.Exists(Path.Combine(d, RecordFile)))
            .Select(d => Path.GetFileName(d))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public FipsClusterRecord Get(string name)
    {
        var dir = Directory(name);
        return Read(dir, name)?.Record ?? throw NotFound(name);
    }

    public FipsClusterRecord Create(FipsClusterRecord record)
    {
        var dir = Directory(ClusterNames.Validate(record.Name));
        System.IO.Directory.CreateDirectory(dir);
        using var guard = Lock(Path.Combine(dir, LockFile), record.Name);
        if (File.Exists(Path.Combine(dir, RecordFile)))
        {
            throw new FipsClusterException(ErrorIds.FipsClusterExists, FipsErrorCategory.InvalidOperation,
                $"A cluster named '{record.Name}' already exists.", record.Name);
        }
        var now = DateTimeOffset.UtcNow;
        var written = Copy(record, version: 1, created: record.CreatedAt == default ? now : record.CreatedAt, updated: now);
        // A stale index entry (a removal that crashed before the index forgot it) is replaced.
        Write(dir, written, committed: null);
        return written;
    }

    public FipsClusterRecord Update(string name, Func<FipsClusterRecord, FipsClusterRecord> change)
    {
        var dir = Directory(name);
        if (!System.IO.Directory.Exists(dir))
        {
            throw NotFound(name);
        }
        using var guard = Lock(Path.Combine(dir, LockFile), name);
        var current = Read(dir, name) ?? throw NotFound(name);
        var changed = change(current.Record);
        var written = Copy(changed, version: current.Record.Version + 1, created: current.Record.CreatedAt, updated: DateTimeOffset.UtcNow, name: current.Record.Name);
        Write(dir, written, committed: new IndexEntry { Version = current.Record.Version, Mac = current.Mac });
        return written;
    }

    public bool Delete(string name)
    {
        var dir = Directory(name);
        if (!File.Exists(Path.Combine(dir, RecordFile)))
        {
            return false;
        }
        var key = Path.GetFileName(dir);
        using (Lock(Path.Combine(dir, LockFile), name))
        {
            File.Delete(Path.Combine(dir, RecordFile));
            // After the record: a crash in between leaves an index entry without a record, which reads as not found
            // and is replaced by the next Create.
            ChangeIndex(name, entries => entries.Remove(key));
        }
        System.IO.Directory.Delete(dir, recursive: true);
        return true;
    }

    /// <summary>A verified record and the MAC it carries (what the index names).</summary>
    private sealed record VerifiedRecord(FipsClusterRecord Record, string Mac);

    /// <summary>
    /// Reads and verifies a record: its MAC (over the directory's name and its bytes), its name against the directory,
    /// and its MAC against the store index. Without a lock: when the index disagrees, the record is read again, and
    /// only a record that stayed the same while the index disagreed with it is tampered (a writer may have moved on
    /// between the two reads).
    /// </summary>
    private VerifiedRecord? Read(string dir, string name)
    {
        var path = Path.Combine(dir, RecordFile);
        var key = Path.GetFileName(dir);
        for (var attempt = 0; ; attempt++)
        {
            var bytes = ReadRecordBytes(path, name);
            if (bytes is null)
            {
                return null;
            }
            var envelope = Open(bytes, key, name, path);
            var index = ReadIndex(name);
            var refusal = Witness(index, key, envelope);
            if (refusal is null)
            {
                return new VerifiedRecord(envelope.Record, envelope.Mac);
            }
            var again = ReadRecordBytes(path, name);
            if (again is not null && again.AsSpan().SequenceEqual(bytes) || attempt >= 10)
            {
                throw Tampered(name, path, refusal);
            }
        }
    }

    private static byte[]? ReadRecordBytes(string path, string name)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FipsClusterException(ErrorIds.FipsClusterStoreUnavailable, FipsErrorCategory.ReadError, $"The record of '{name}' could not be read: {ex.Message}", name, ex);
        }
    }

    /// <summary>A record file whose MAC verified: its format (1 = written by an earlier version of the module), MAC and content.</summary>
    private sealed record Envelope(int Format, string Mac, FipsClusterRecord Record);

    private Envelope Open(byte[] bytes, string key, string name, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var format = root.TryGetProperty("format", out var f) ? f.GetInt32() : 1;
            var macText = root.GetProperty("mac").GetString() ?? "";
            var mac = Convert.FromBase64String(macText);
            var raw = Encoding.UTF8.GetBytes(root.GetProperty("record").GetRawText());
            var expected = format switch
            {
                1 => HMACSHA256.HashData(_key.Value, raw),
                RecordFormat => RecordMac(key, raw),
                _ => throw Tampered(name, path, $"its format {format} is not one this version of FipsCluster writes"),
            };
            if (!CryptographicOperations.FixedTimeEquals(mac, expected))
            {
                throw Tampered(name, path, format == 1
                    ? "its MAC does not match its content"
                    : "its MAC does not match its content and the cluster it is stored as (a record edited, or copied from another cluster or store)");
            }
            var record = JsonSerializer.Deserialize<FipsClusterRecord>(raw, Json) ?? throw Tampered(name, path, "it is empty");
            if (!string.Equals(record.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                throw Tampered(name, path, $"it is the record of cluster '{record.Name}', copied over this one");
            }
            return new Envelope(format, macText, record);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw Tampered(name, path, "it is not a well-formed record");
        }
    }

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

    private byte[] RecordMac(string key, byte[] raw)
    {
        // Domain-separated from the index's MAC and from the format-1 MAC (which had no prefix).
        var prefix = Encoding.UTF8.GetBytes($"FipsCluster/cluster-record/{RecordFormat}\n{key}\n");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key.Value);
        hmac.AppendData(prefix);
        hmac.AppendData(raw);
        return hmac.GetHashAndReset();
    }

    private byte[] IndexMac(byte[] raw)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key.Value);
        hmac.AppendData(Encoding.UTF8.GetBytes($"FipsCluster/store-index/{IndexFormat}\n"));
        hmac.AppendData(raw);
        return hmac.GetHashAndReset();
    }

    /// <summary>
    /// Writes a record in three steps, each atomic: the index names its MAC as pending (beside the committed one the
    /// record had), the record file is replaced, the index commits it. The caller holds the cluster's lock.
    /// </summary>
    private void Write(string dir, FipsClusterRecord record, IndexEntry? committed)
    {
        var key = Path.GetFileName(dir);
        var raw = JsonSerializer.SerializeToUtf8Bytes(record, Json);
        var mac = Convert.ToBase64String(RecordMac(key, raw));
        ChangeIndex(record.Name, entries => entries[key] = new IndexEntry
        {
            Version = committed?.Version ?? 0,
            Mac = committed?.Mac,
            Pending = new IndexEntry { Version = record.Version, Mac = mac },
        });
        CrashPoint?.Invoke("pending");
        WriteAtomically(Path.Combine(dir, RecordFile), json =>
        {
            json.WriteNumber("format", RecordFormat);
            json.WriteString("mac", mac);
            json.WritePropertyName("record");
            json.WriteRawValue(raw);
        }, BeforeRename);
        CrashPoint?.Invoke("written");
        ChangeIndex(record.Name, entries => entries[key] = new IndexEntry { Version = record.Version, Mac = mac });
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

    /// <summary>
    /// A JSON document written by Utf8JsonWriter to a temp file beside the target (0600 from creation), flushed to
    /// disk, then renamed over it: a reader sees the old or the new file, never half of one.
    /// </summary>
    private static void WriteAtomically(string path, Action<Utf8JsonWriter> body, Action<string>? beforeRename)
    {
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        var temp = Path.Combine(dir, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, OwnerOnly(new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough })))
            {
                using (var json = new Utf8JsonWriter(stream, EnvelopeWriter))
                {
                    json.WriteStartObject();
                    body(json);
                    json.WriteEndObject();
                }
                stream.Write("\n"u8);
                stream.Flush(flushToDisk: true);
            }
            beforeRename?.Invoke(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
        foreach (var stale in System.IO.Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
        {
            TryDelete(stale); // left by a writer that died between write and rename
        }
    }

    /// <summary>Test hook: runs between the record's temp write and its rename (a crash there must leave the old record readable).</summary>
    internal Action<string>? BeforeRename { get; set; }

    /// <summary>Test hook: runs after the index names the new record as pending ("pending") and after the record is written ("written").</summary>
    internal Action<string>? CrashPoint { get; set; }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>An exclusive lock file (flock on Unix, a share-none handle on Windows), held across processes and threads; waits with backoff.</summary>
    private IDisposable Lock(string lockPath, string name)
    {
        var deadline = DateTime.UtcNow + _lockTimeout;
        var delay = 5;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(delay, delay * 2));
                delay = Math.Min(delay * 2, 100);
            }
            catch (IOException ex)
            {
                throw new FipsClusterException(ErrorIds.FipsClusterStoreBusy, FipsErrorCategory.ResourceUnavailable,
                    $"The record of '{name}' stayed locked for {_lockTimeout.TotalSeconds:0} s.", name, ex);
            }
        }
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

    /// <summary>Mode 0600 from creation on Unix (no window in which the file is readable by others).</summary>
    private static FileStreamOptions OwnerOnly(FileStreamOptions options)
    {
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return options;
    }

    private byte[] LoadOrCreateKey()
    {
        System.IO.Directory.CreateDirectory(Home);
        var path = Path.Combine(Home, "store.key");
        try
        {
            var key = new byte[32];
            RandomNumberGenerator.Fill(key);
            using var stream = new FileStream(path, OwnerOnly(new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write }));
            stream.Write(key);
            stream.Flush(flushToDisk: true);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; wait for its 32 bytes.
            for (var i = 0; i < 100; i++)
            {
                var existing = File.ReadAllBytes(path);
                if (existing.Length == 32)
                {
                    return existing;
                }
                Thread.Sleep(10);
            }
            throw new FipsClusterException(ErrorIds.FipsClusterStoreUnavailable, FipsErrorCategory.InvalidData, $"The store key {path} is not 32 bytes.", path);
        }
    }

    private static FipsClusterRecord Copy(FipsClusterRecord r, long version, DateTimeOffset created, DateTimeOffset updated, string? name = null) => new()
    {
        Name = name ?? r.Name,
        Provider = r.Provider,
        Fips = r.Fips,
        ComplianceProfile = r.ComplianceProfile,
        ComplianceProfileHash = r.ComplianceProfileHash,
        ProfileDefinition = r.ProfileDefinition,
        AwsSpec = r.AwsSpec,
        Resources = r.Resources,
        Endpoints = r.Endpoints,
        EngineClusterId = r.EngineClusterId,
        RootCaDigest = r.RootCaDigest,
        Description = r.Description,
        Tags = r.Tags,
        CreationEvidence = r.CreationEvidence,
        Nodes = r.Nodes,
        Waivers = r.Waivers,
        CreatedAt = created,
        UpdatedAt = updated,
        Version = version,
    };

    private static FipsClusterException NotFound(string name) =>
        new(ErrorIds.FipsClusterNotFound, FipsErrorCategory.ObjectNotFound, $"There is no cluster named '{name}'.", name);

    private static FipsClusterException Tampered(string name, string path, string why) =>
        new(ErrorIds.FipsClusterRecordTampered, FipsErrorCategory.SecurityError,
            $"The record of cluster '{name}' ({path}) was changed outside FipsCluster: {why}. Its FIPS mode and profile can no longer be trusted; restore it from a backup or remove it.", name)
        { RecommendedAction = "Restore the record from a backup, or Remove-FipsCluster and create the cluster again." };
}
