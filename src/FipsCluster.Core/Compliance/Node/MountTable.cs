namespace FipsCluster.Core.Compliance.Node;

/// <summary>One line of /proc/self/mountinfo (proc(5)): device, mount point and source.</summary>
public sealed record MountEntry(string Device, string MountPoint, string FileSystem, string Source);

public static class MountTable
{
    /// <summary>Parses mountinfo; the fields after the " - " separator are filesystem type and source.</summary>
    public static IReadOnlyList<MountEntry> Parse(string? mountInfo)
    {
        var entries = new List<MountEntry>();
        foreach (var line in (mountInfo ?? "").Split('\n'))
        {
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }
            var head = line[..separator].Split(' ');
            var tail = line[(separator + 3)..].Split(' ');
            if (head.Length < 5 || tail.Length < 2)
            {
                continue;
            }
            entries.Add(new MountEntry(head[2], Unescape(head[4]), tail[0], Unescape(tail[1])));
        }
        return entries;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string text) =>
        text.Contains('\\') ? System.Text.RegularExpressions.Regex.Replace(text, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString()) : text;
}
