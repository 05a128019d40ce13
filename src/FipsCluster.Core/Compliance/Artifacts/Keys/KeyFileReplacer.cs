using System.Security.Cryptography;
using static FipsCluster.Core.Compliance.Artifacts.Keys.PrivateKeyCodec;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// How <see cref="PrivateKeyConverter"/> puts the new key in the old one's place without a moment where neither is
/// whole: a temporary file beside it with the original's owner and mode, an optional backup as a hard link, an atomic
/// rename, and the original's blocks scrubbed when no name is left to them.
/// </summary>
internal static class KeyFileReplacer
{
    /// <summary>
    /// The replace: a temp file (0600 from creation) in the target's directory, given the original's owner and group
    /// (fchown) and mode (never wider: the same permission bits, without setuid/setgid/sticky), flushed, read back and
    /// checked to be the same key; the backup, when asked for, as a hard link to the original; then an atomic rename.
    /// Afterwards the original file, when no name is left to it, is overwritten with zeros (best effort: on
    /// copy-on-write file systems and SSDs the old blocks may survive).
    /// </summary>
    internal static string? Replace(string target, byte[] content, AsymmetricAlgorithm key, char[]? passphrase, bool backup, bool force, Action<string> warning)
    {
        var directory = Path.GetDirectoryName(target)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        string? backupPath = null;
        FileStream? original = null;
        try
        {
            var status = Original(target);
            var mode = status?.Mode ?? (OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(target));
            mode &= (UnixFileMode)0x1FF; // the permission bits only: never setuid, setgid or sticky on a key
            if (status is { Links: > 1 } && !force)
            {
                throw HardLinked(target, status); // a link made since the check before the conversion
            }
            if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                warning($"'{target}' is readable or writable by every user (mode {ModeText(mode)}); the converted key keeps that mode. Restrict it: chmod o-rwx '{target}'.");
            }
            using (var stream = CreateNew(temp))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
                if (status is not null && (status.Owner != UnixFileOwnership.EffectiveUser || status.Group != UnixFileOwnership.Status(stream.SafeFileHandle, temp).Group))
                {
                    UnixFileOwnership.ChangeOwner(stream.SafeFileHandle, status.Owner, status.Group, target);
                }
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, mode);
                }
                stream.Flush(flushToDisk: true);
            }
            ReadBack(temp, content, key, passphrase, target);
            if (backup)
            {
                backupPath = Backup(target, status, mode);
            }
            if (status is { Links: 1 })
            {
                original = TryOpenForScrub(target, status);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            original?.Dispose();
            throw new FipsClusterException(ErrorIds.PrivateKeyWriteFailed,
                e is UnauthorizedAccessException ? FipsErrorCategory.PermissionDenied : FipsErrorCategory.WriteError,
                $"The converted key could not be written to '{target}': {e.Message}. The original is unchanged.", target, e)
            {
                RecommendedAction = e is UnauthorizedAccessException ? "Run as the key's owner or as root: the converted key keeps the original's owner and group." : null,
            };
        }
        catch
        {
            original?.Dispose();
            throw;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
        if (original is not null)
        {
            using (original)
            {
                Scrub(original, target);
            }
        }
        return backupPath;
    }

    /// <summary>
    /// Other names of the key file would keep the original after the rename: refused before any work unless forced
    /// (then a warning says so).
    /// </summary>
    internal static void CheckHardLinks(string target, bool force, Action<string>? warning)
    {
        UnixFileStatus? status;
        try
        {
            status = Original(target);
        }
        catch (IOException)
        {
            return; // the write reports what is wrong with the file
        }
        if (status is not { Links: > 1 })
        {
            return;
        }
        if (!force)
        {
            throw HardLinked(target, status);
        }
        warning?.Invoke($"'{target}' has {status.Links - 1} other name(s) (hard links); they keep the original key (-Force).");
    }

    internal static FipsClusterException HardLinked(string target, UnixFileStatus status) =>
        new(ErrorIds.PrivateKeyHardLinked, FipsErrorCategory.InvalidOperation,
            $"'{target}' has {status.Links - 1} other name(s) (hard links): they would keep the original key after the conversion. Nothing was written.", target)
        {
            RecommendedAction = "Find the other names (find / -xdev -samefile <path>) and remove them, or convert them too; -Force converts this name and leaves the others as they are.",
        };

    /// <summary>The original's owner, group, mode and link count (Linux); null where they cannot be read this way.</summary>
    internal static UnixFileStatus? Original(string target) => UnixFileOwnership.Supported ? UnixFileOwnership.Status(target) : null;

    internal static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new FileStream(path, options);
    }

    /// <summary>What is on disk, not what is in memory, must be the same key before it replaces the original.</summary>
    internal static void ReadBack(string temp, byte[] content, AsymmetricAlgorithm key, char[]? passphrase, string target)
    {
        var onDisk = File.ReadAllBytes(temp);
        try
        {
            if (!onDisk.AsSpan().SequenceEqual(content))
            {
                throw new FipsClusterException(ErrorIds.PrivateKeyWriteFailed, FipsErrorCategory.InvalidResult,
                    $"The converted key for '{target}' did not read back from disk as written; nothing was replaced.", target);
            }
            Verify(onDisk, key, passphrase, target);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(onDisk);
        }
    }

    /// <summary>
    /// The original under a second name: a hard link keeps it exactly (owner, group, mode, ACLs, content). Where links
    /// cannot be made, a copy created 0600 and then given the original's owner, group and mode.
    /// </summary>
    internal static string Backup(string target, UnixFileStatus? status, UnixFileMode mode)
    {
        var backupPath = BackupPath(target);
        if (UnixFileOwnership.Supported)
        {
            try
            {
                UnixFileOwnership.Link(target, backupPath);
                return backupPath;
            }
            catch (IOException) when (!File.Exists(backupPath))
            {
                // A file system without hard links: copy below.
            }
        }
        var bytes = File.ReadAllBytes(target);
        try
        {
            using var stream = CreateNew(backupPath);
            stream.Write(bytes);
            if (status is not null && (status.Owner != UnixFileOwnership.EffectiveUser || status.Group != UnixFileOwnership.Status(stream.SafeFileHandle, backupPath).Group))
            {
                UnixFileOwnership.ChangeOwner(stream.SafeFileHandle, status.Owner, status.Group, backupPath);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
            }
            stream.Flush(flushToDisk: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
        return backupPath;
    }

    /// <summary>A handle to the original, to overwrite it once the rename has taken its last name; null when it cannot be opened for writing.</summary>
    internal static FileStream? TryOpenForScrub(string target, UnixFileStatus status)
    {
        try
        {
            var stream = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            if (UnixFileOwnership.Status(stream.SafeFileHandle, target).Inode != status.Inode)
            {
                stream.Dispose(); // replaced meanwhile: not the file that was judged
                return null;
            }
            return stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Zeros over the original's content, only when no name is left to it (a link count of 0).</summary>
    internal static void Scrub(FileStream original, string target)
    {
        try
        {
            if (UnixFileOwnership.Status(original.SafeFileHandle, target).Links != 0)
            {
                return;
            }
            var zeros = new byte[4096];
            original.Position = 0;
            for (var left = original.Length; left > 0; left -= zeros.Length)
            {
                original.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
            original.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Best effort: the original has no name any more either way.
        }
    }

    internal static string ModeText(UnixFileMode mode) => "0" + System.Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    internal static string BackupPath(string target)
    {
        var candidate = target + ".bak";
        for (var i = 1; File.Exists(candidate) || Directory.Exists(candidate); i++)
        {
            candidate = $"{target}.bak.{i}";
        }
        return candidate;
    }
}
