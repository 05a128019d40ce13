using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// The build-info windows of one scan, by SHA-256: a fleet of identical component binaries sends each window once.
/// The first node to offer a digest is asked for it; nodes that offer it meanwhile wait for that node's answer, and
/// ask for it themselves only when that node could not deliver. A window enters the cache only when its bytes hash to
/// the digest (a node cannot plant a window for other nodes' binaries).
/// </summary>
public sealed class BuildInfoWindowCache
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<byte[]?>> _windows = new(StringComparer.Ordinal);

    /// <summary>The window with this digest, when a node has delivered it.</summary>
    public byte[]? Known(string digest) =>
        _windows.TryGetValue(digest, out var entry) && entry.Task.IsCompletedSuccessfully ? entry.Task.Result : null;

    /// <summary>
    /// Known: null and the bytes are in <see cref="Known"/>. Otherwise either this caller now owns the digest (it must
    /// ask its node and then <see cref="Deliver"/> or <see cref="Abandon"/>), or the task of the node that owns it.
    /// </summary>
    public (bool Owner, Task<byte[]?>? Pending) Claim(string digest)
    {
        while (true)
        {
            var mine = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var entry = _windows.GetOrAdd(digest, mine);
            if (entry == mine)
            {
                return (true, null);
            }
            if (!entry.Task.IsCompleted)
            {
                return (false, entry.Task);
            }
            if (entry.Task.Result is not null)
            {
                return (false, null);
            }
            // Abandoned by its owner: take it over.
            if (_windows.TryUpdate(digest, mine, entry))
            {
                return (true, null);
            }
        }
    }

    /// <summary>The owner's node sent these bytes under <paramref name="digest"/>: kept when they hash to it; false otherwise.</summary>
    public bool Deliver(string digest, byte[] bytes)
    {
        if (!_windows.TryGetValue(digest, out var entry) || Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant() != digest)
        {
            return false;
        }
        return entry.TrySetResult(bytes);
    }

    /// <summary>The owner could not deliver (its node failed, timed out or sent other bytes): waiting nodes ask their own.</summary>
    public void Abandon(string digest)
    {
        if (_windows.TryGetValue(digest, out var entry))
        {
            entry.TrySetResult(null);
        }
    }
}
