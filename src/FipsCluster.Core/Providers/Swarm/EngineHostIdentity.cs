using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers.Swarm;

/// <summary>An engine ID as a host's own files show it, and the file it came from.</summary>
public sealed record HostEngineIdentity(string Id, string Source);

/// <summary>
/// Binds admission evidence to the engine that joins: the engine ID the engine reports (GET /info) must be the one
/// the evidence host's own files hold — &lt;DockerRootDir&gt;/engine-id for moby 23 and later (the data root as the
/// engine reports it), the "kid" of /etc/docker/key.json for earlier engines. Over SSH the file is read with the same
/// login (and verified host key) as the evidence, directly or with `sudo -n` (both files are root's, mode 0600); the
/// trust key itself never leaves the host, only its ID is printed. Without -ComputerName the evidence is this
/// machine's, which is acceptable only for an engine on a local socket whose ID is this machine's.
/// </summary>
public static partial class EngineHostIdentity
{
    public const string EngineIdFile = "engine-id";

    /// <summary>The trust key Docker engines before 23 take their ID from (their default --deprecated-key-path).</summary>
    public static string DefaultTrustKey => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "docker", "config", "key.json")
        : "/etc/docker/key.json";

    /// <summary>The file the engine's ID is kept in, on the engine's host.</summary>
    public static string IdFile(EngineIdentity engine, string? trustKey = null)
    {
        if (!engine.KeepsIdInDataRoot)
        {
            return trustKey ?? DefaultTrustKey;
        }
        var root = engine.DockerRootDir ?? "";
        // The engine reports this path; a hostile one could put anything in it. It goes into a file name (locally) and
        // a quoted shell word (over SSH): refuse anything but a plain absolute path.
        if (root.Length is 0 or > 4096 || !(root.StartsWith('/') || OperatingSystem.IsWindows() && Path.IsPathFullyQualified(root)) || root.Any(char.IsControl))
        {
            throw new FipsClusterException(ErrorIds.NodeIdentityUnavailable, FipsErrorCategory.InvalidData,
                $"The engine reports a data root that is not a plain absolute path, so its engine ID cannot be looked up.", engine.Name ?? engine.Id);
        }
        return (OperatingSystem.IsWindows() ? Path.Combine(root, EngineIdFile) : root.TrimEnd('/') + "/" + EngineIdFile);
    }

    /// <summary>This machine's engine ID for the engine's generation (read with this process's rights).</summary>
    public static HostEngineIdentity ReadLocal(EngineIdentity engine, string? trustKey = null)
    {
        var file = IdFile(engine, trustKey);
        string content;
        try
        {
            content = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Unavailable("this machine", file, "it does not exist here: the engine is not this machine's", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("this machine", file, $"it could not be read ({ex.Message}): it is root's, so run elevated, or give -ComputerName and an SSH login that can read it", ex);
        }
        return new HostEngineIdentity(Extract(engine, content) ?? throw Unavailable("this machine", file, "it holds no engine ID", null), file);
    }

    /// <summary>The evidence host's engine ID, read over SSH with the evidence's own login: one small script on stdin.</summary>
    public static async Task<HostEngineIdentity> ReadOverSshAsync(SshCommandRunner runner, HostEndpoint endpoint, EngineIdentity engine, CancellationToken cancellation)
    {
        var file = IdFile(engine);
        var script = Script(engine, file);
        var result = await runner.RunAsync(endpoint, new SshCommand("/bin/sh -s", "reading the engine ID") { Input = script }, cancellation).ConfigureAwait(false);
        var line = result.Output.Split('\n', 2)[0].Trim();
        if (line.StartsWith("id ", StringComparison.Ordinal) && line[3..].Trim() is { Length: > 0 } id && IdShape().IsMatch(id))
        {
            return new HostEngineIdentity(id, file);
        }
        throw Unavailable(endpoint.ToString(), file, line == "unreadable"
            ? "it is missing there, or readable by root only: log in as root, or give the login passwordless sudo (sudo -n cat)"
            : "it holds no engine ID", null);
    }

    /// <summary>
    /// The POSIX sh script the evidence host runs (on stdin, so nothing is on its command line): reads the file directly
    /// or with sudo -n and prints "id &lt;ID&gt;", or "unreadable". The path is one single-quoted word.
    /// </summary>
    internal static string Script(EngineIdentity engine, string file) => new StringBuilder()
        .Append("f=").Append(ShellQuote(file)).Append('\n')
        .Append("content=$(cat -- \"$f\" 2>/dev/null || sudo -n cat -- \"$f\" 2>/dev/null) || { echo unreadable; exit 0; }\n")
        .Append(engine.KeepsIdInDataRoot
            ? "printf 'id %s\\n' \"$(printf '%s' \"$content\" | head -c 256 | tr -d '\\r\\n')\"\n"
            // Only the key's ID is printed: the private key stays on the host (printf is a shell builtin: no argv).
            : "printf 'id %s\\n' \"$(printf '%s' \"$content\" | tr -d '\\n' | sed -n 's/.*\"kid\"[[:space:]]*:[[:space:]]*\"\\([A-Za-z0-9:]*\\)\".*/\\1/p' | head -c 256)\"\n")
        .ToString();

    /// <summary>The ID in an engine-id file (its whole content) or a trust key (its "kid").</summary>
    private static string? Extract(EngineIdentity engine, string content)
    {
        if (engine.KeepsIdInDataRoot)
        {
            return content.Trim() is { Length: > 0 } id && IdShape().IsMatch(id) ? id : null;
        }
        try
        {
            using var key = JsonDocument.Parse(content);
            return key.RootElement.TryGetProperty("kid", out var kid) && kid.GetString() is { } text && IdShape().IsMatch(text) ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Refuses evidence that is not provably the engine's: local evidence for an engine reached over the network, or an
    /// evidence host whose engine ID differs from the one the engine reports.
    /// </summary>
    public static void RequireSameMachine(DockerEndpoint endpoint, EngineIdentity engine, HostEngineIdentity? host, string evidenceHost)
    {
        if (host is null)
        {
            throw new FipsClusterException(ErrorIds.NodeIdentityMismatch, FipsErrorCategory.SecurityError,
                $"The evidence would be this machine's, but the engine at {endpoint} is reached over the network, so it is not provably this machine; nothing was joined.", endpoint.Address)
            {
                RecommendedAction = "Give -ComputerName (and an SSH login) for the engine's host, so the evidence is read there.",
            };
        }
        if (!string.Equals(host.Id, engine.Id, StringComparison.Ordinal))
        {
            throw new FipsClusterException(ErrorIds.NodeIdentityMismatch, FipsErrorCategory.SecurityError,
                $"The evidence host {evidenceHost} is not the machine of the engine at {endpoint}: the engine reports ID {engine.Id} (host name {engine.Name ?? "unknown"}), and {host.Source} on {evidenceHost} holds {host.Id}; nothing was joined.", endpoint.Address)
            {
                RecommendedAction = "Give -ComputerName for the host the engine runs on (and -DockerHost for the engine on the host you judge).",
            };
        }
    }

    private static FipsClusterException Unavailable(string host, string file, string why, Exception? inner) =>
        new(ErrorIds.NodeIdentityUnavailable, FipsErrorCategory.PermissionDenied,
            $"The engine ID could not be read on {host} from {file}: {why}. Without it the evidence cannot be tied to the engine; nothing was joined.", host, inner);

    private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Engine IDs: a UUID (moby 23+), or a trust key's ID (12 groups of 4 base-32 characters separated by ':').</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9:-]{0,254}$")]
    private static partial Regex IdShape();
}
