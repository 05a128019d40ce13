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

    private byte[] RecordMac(string key, byte[] raw)
    {
        // Domain-separated from the index's MAC and from the format-1 MAC (which had no prefix).
        var prefix = Encoding.UTF8.GetBytes($"FipsCluster/cluster-record/{RecordFormat}\n{key}\n");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key.Value);
        hmac.AppendData(prefix);
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
