using System.Security.Cryptography;
using System.Text.Json;

namespace FipsCluster.Core.Clusters;

/// <summary>The store's files: atomic writes, lock files, owner-only modes and the MAC key.</summary>
public sealed partial class FileClusterStore
{
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
}
