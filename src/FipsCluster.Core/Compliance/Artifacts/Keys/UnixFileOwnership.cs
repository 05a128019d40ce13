using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>Who owns a file and how many names it has, as statx(2) reports them (Linux).</summary>
internal sealed record UnixFileStatus(uint Owner, uint Group, UnixFileMode Mode, uint Links, ulong Inode);

/// <summary>
/// What .NET does not expose: a file's owner, group and link count (statx), changing the owner of an open file
/// (fchown) and a second name for a file (link). Linux only: statx's layout is the same on every architecture, unlike
/// struct stat. Elsewhere <see cref="Supported"/> is false and callers keep only the mode.
/// </summary>
internal static class UnixFileOwnership
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>The file itself (a symbolic link is not followed).</summary>
    public static UnixFileStatus Status(string path) => Stat(AtFdCwd, path, AtSymlinkNoFollow, path);

    /// <summary>The file behind an open handle (its link count drops to 0 once its last name is gone).</summary>
    public static UnixFileStatus Status(SafeFileHandle handle, string path)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Stat((int)handle.DangerousGetHandle(), "", AtEmptyPath, path);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static UnixFileStatus Stat(int directory, string path, int flags, string shownPath)
    {
        // struct statx: stx_mask u32 @0, stx_blksize u32 @4, stx_attributes u64 @8, stx_nlink u32 @16, stx_uid u32 @20,
        // stx_gid u32 @24, stx_mode u16 @28, spare u16 @30, stx_ino u64 @32 … 256 bytes in all.
        var buffer = new byte[256];
        if (NativeStatx(directory, path, flags, StatxBasicStats, buffer) != 0)
        {
            throw new IOException($"statx '{shownPath}' failed: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
        }
        return new UnixFileStatus(
            BitConverter.ToUInt32(buffer, 20),
            BitConverter.ToUInt32(buffer, 24),
            (UnixFileMode)(BitConverter.ToUInt16(buffer, 28) & 0xFFF),
            BitConverter.ToUInt32(buffer, 16),
            BitConverter.ToUInt64(buffer, 32));
    }

    /// <summary>fchown on an open file; throws UnauthorizedAccessException when this user may not give it that owner.</summary>
    public static void ChangeOwner(SafeFileHandle handle, uint owner, uint group, string path)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (NativeFchown((int)handle.DangerousGetHandle(), owner, group) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                var message = $"cannot give '{path}' owner {owner} and group {group}: {Marshal.GetPInvokeErrorMessage(errno)}";
                throw errno == 1 ? new UnauthorizedAccessException(message) : new IOException(message, errno); // 1 = EPERM
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>link(2): a second name for the same file (same owner, group, mode, ACLs and content).</summary>
    public static void Link(string existing, string newName)
    {
        if (NativeLink(existing, newName) != 0)
        {
            throw new IOException($"link '{existing}' -> '{newName}' failed: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
        }
    }

    public static uint EffectiveUser => NativeGeteuid();

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int NativeStatx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static extern int NativeFchown(int fd, uint owner, uint group);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int NativeLink([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string newName);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint NativeGeteuid();
}
