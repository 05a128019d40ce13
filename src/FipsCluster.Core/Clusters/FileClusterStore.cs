using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FipsCluster.Core.Clusters;

/// <summary>
/// The embedded store: one directory per cluster under $FIPSCLUSTER_HOME (else the per-user data folder), holding
/// cluster.json = {"mac": HMAC-SHA256(key, record), "record": {...}}. The MAC is over the record's exact bytes, so any
/// edit (a flipped FIPS flag, a swapped profile) is detected on every read. The key (32 random bytes) is created on
/// first use with mode 0600. Writes are atomic (temp file, flush to disk, rename) and serialized across processes
/// and runspaces by an exclusive lock file per cluster.
/// </summary>
public sealed partial class FileClusterStore : IClusterStore
{
    private const string RecordFile = "cluster.json";
    private const string LockFile = ".lock";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly string _clusters;
    private readonly Lazy<byte[]> _key;
    private readonly TimeSpan _lockTimeout;

    public FileClusterStore(string home, TimeSpan? lockTimeout = null)
    {
        Home = Path.GetFullPath(home);
        _clusters = Path.Combine(Home, "clusters");
        _key = new Lazy<byte[]>(LoadOrCreateKey);
        _lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
    }

    public string Home { get; }

    /// <summary>$FIPSCLUSTER_HOME, else the platform's per-user data folder (~/.local/share/FipsCluster, %LOCALAPPDATA%\FipsCluster).</summary>
    public static string DefaultHome =>
        Environment.GetEnvironmentVariable("FIPSCLUSTER_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "FipsCluster");

    /// <summary>Cluster names are DNS-label-like: no separators, no dots, nothing a path could be built from.</summary>
    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex NamePattern();

    public static string ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new FipsClusterException(ErrorIds.InvalidClusterName, FipsErrorCategory.InvalidArgument,
                $"'{name}' is not a valid cluster name: use 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit.", name);
        }
        return name;
    }

    private string Directory(string name) => Path.Combine(_clusters, ValidateName(name).ToLowerInvariant());

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
        return Read(dir, name) ?? throw NotFound(name);
    }

    public FipsClusterRecord Create(FipsClusterRecord record)
    {
        var dir = Directory(record.Name);
        System.IO.Directory.CreateDirectory(dir);
        using var guard = Lock(dir, record.Name);
        if (File.Exists(Path.Combine(dir, RecordFile)))
        {
            throw new FipsClusterException(ErrorIds.FipsClusterExists, FipsErrorCategory.InvalidOperation,
                $"A cluster named '{record.Name}' already exists.", record.Name);
        }
        var now = DateTimeOffset.UtcNow;
        var written = Copy(record, version: 1, created: record.CreatedAt == default ? now : record.CreatedAt, updated: now);
        Write(dir, written);
        return written;
    }

    public FipsClusterRecord Update(string name, Func<FipsClusterRecord, FipsClusterRecord> change)
    {
        var dir = Directory(name);
        if (!System.IO.Directory.Exists(dir))
        {
            throw NotFound(name);
        }
        using var guard = Lock(dir, name);
        var current = Read(dir, name) ?? throw NotFound(name);
        var changed = change(current);
        var written = Copy(changed, version: current.Version + 1, created: current.CreatedAt, updated: DateTimeOffset.UtcNow, name: current.Name);
        Write(dir, written);
        return written;
    }

    public bool Delete(string name)
    {
        var dir = Directory(name);
        if (!File.Exists(Path.Combine(dir, RecordFile)))
        {
            return false;
        }
        using (Lock(dir, name))
        {
            File.Delete(Path.Combine(dir, RecordFile));
        }
        System.IO.Directory.Delete(dir, recursive: true);
        return true;
    }

    private FipsClusterRecord? Read(string dir, string name)
    {
        var path = Path.Combine(dir, RecordFile);
        if (!File.Exists(path))
        {
            return null;
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FipsClusterException(ErrorIds.FipsClusterStoreUnavailable, FipsErrorCategory.ReadError, $"The record of '{name}' could not be read: {ex.Message}", name, ex);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var mac = Convert.FromBase64String(document.RootElement.GetProperty("mac").GetString() ?? "");
            var raw = Encoding.UTF8.GetBytes(document.RootElement.GetProperty("record").GetRawText());
            if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key.Value, raw)))
            {
                throw Tampered(name, path, "its MAC does not match its content");
            }
            return JsonSerializer.Deserialize<FipsClusterRecord>(raw, Json) ?? throw Tampered(name, path, "it is empty");
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw Tampered(name, path, "it is not a well-formed record");
        }
    }

    /// <summary>Temp file beside the target, flushed to disk, then renamed over it: a reader sees the old or the new record, never half of one.</summary>
    private void Write(string dir, FipsClusterRecord record)
    {
        var raw = JsonSerializer.SerializeToUtf8Bytes(record, Json);
        var mac = Convert.ToBase64String(HMACSHA256.HashData(_key.Value, raw));
        var temp = Path.Combine(dir, $".{RecordFile}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, OwnerOnly(new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough })))
            {
                stream.Write(Encoding.UTF8.GetBytes("{\n  \"mac\": \"" + mac + "\",\n  \"record\": "));
                stream.Write(raw);
                stream.Write("\n}\n"u8);
                stream.Flush(flushToDisk: true);
            }
            BeforeRename?.Invoke(temp);
            File.Move(temp, Path.Combine(dir, RecordFile), overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
        foreach (var stale in System.IO.Directory.EnumerateFiles(dir, $".{RecordFile}.*.tmp"))
        {
            TryDelete(stale); // left by a writer that died between write and rename
        }
    }

    /// <summary>Test hook: runs between the temp write and the rename (a crash there must leave the old record readable).</summary>
    internal Action<string>? BeforeRename { get; set; }

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
    private IDisposable Lock(string dir, string name)
    {
        var deadline = DateTime.UtcNow + _lockTimeout;
        var delay = 5;
        while (true)
        {
            try
            {
                return new FileStream(Path.Combine(dir, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
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
