using System.Text;
using System.Text.RegularExpressions;

namespace FipsCluster.Core.Remediation;

/// <summary>
/// Text edits of the places kernel arguments live (a BLS entry's options line, grubenv's kernelopts, /etc/default/grub's
/// GRUB_CMDLINE_LINUX), each adding fips=1 (replacing another fips= value) and a boot= token when none is there, as
/// grubby --update-kernel=ALL --args does. Every edit returns the text unchanged when nothing is missing.
/// </summary>
public static partial class KernelArguments
{
    /// <summary>The arguments FIPS mode needs: fips=1, and boot=&lt;device of /boot&gt; when /boot is a separate filesystem.</summary>
    public static IReadOnlyList<string> ForFips(string? bootDevice) =>
        bootDevice is null ? new[] { "fips=1" } : new[] { "fips=1", "boot=" + bootDevice };

    /// <summary>A space-separated argument list with <paramref name="wanted"/> added (fips= replaced, boot= kept when present).</summary>
    public static string Add(string arguments, IReadOnlyList<string> wanted)
    {
        var tokens = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (var argument in wanted)
        {
            var key = argument[..(argument.IndexOf('=') + 1)];
            if (key == "boot=")
            {
                if (!tokens.Any(t => t.StartsWith("boot=", StringComparison.Ordinal)))
                {
                    tokens.Add(argument);
                }
                continue;
            }
            if (tokens.Count(t => t.StartsWith(key, StringComparison.Ordinal) || t == key.TrimEnd('=')) == 1 && tokens.Contains(argument))
            {
                continue;
            }
            tokens.RemoveAll(t => t.StartsWith(key, StringComparison.Ordinal) || t == key.TrimEnd('='));
            tokens.Add(argument);
        }
        return string.Join(' ', tokens);
    }

    private static bool Has(string arguments, IReadOnlyList<string> wanted) => Add(arguments, wanted) == string.Join(' ', arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Whether a BLS entry takes its options from grubenv's $kernelopts (RHEL 8), so that grubenv is what must change.</summary>
    public static bool UsesKernelopts(string entry) =>
        entry.Split('\n').Any(l => IsOptionsLine(l) && l.Contains("$kernelopts", StringComparison.Ordinal));

    private static bool IsOptionsLine(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith("options", StringComparison.Ordinal) && (trimmed.Length == 7 || char.IsWhiteSpace(trimmed[7]));
    }

    /// <summary>A BLS entry (boot/loader/entries/*.conf) whose options lines carry the arguments; an entry without one gets one.</summary>
    public static string EditBootEntry(string entry, IReadOnlyList<string> wanted)
    {
        var lines = entry.Split('\n').ToList();
        var found = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!IsOptionsLine(lines[i]))
            {
                continue;
            }
            found = true;
            var indent = lines[i][..(lines[i].Length - lines[i].TrimStart().Length)];
            var arguments = lines[i].TrimStart()[7..].Trim();
            if (!Has(arguments, wanted))
            {
                lines[i] = indent + "options " + Add(arguments, wanted);
            }
        }
        if (!found)
        {
            var end = lines.Count > 0 && lines[^1].Length == 0 ? lines.Count - 1 : lines.Count;
            lines.Insert(end, "options " + string.Join(' ', wanted));
        }
        return string.Join('\n', lines);
    }

    /// <summary>GRUB's environment block size: grub2-editenv keeps the file at exactly 1024 bytes, padded with '#'.</summary>
    public const int GrubEnvSize = 1024;

    /// <summary>
    /// grubenv with kernelopts carrying the arguments, re-padded to <see cref="GrubEnvSize"/> bytes as grub2-editenv writes
    /// it; null when there is no kernelopts line (nothing to edit) or the block would overflow.
    /// </summary>
    public static string? EditGrubEnv(string grubenv, IReadOnlyList<string> wanted, out bool overflow)
    {
        overflow = false;
        var lines = grubenv.Split('\n').Where(l => l.Length > 0 && !l.All(c => c == '#')).ToList();
        var index = lines.FindIndex(l => l.StartsWith("kernelopts=", StringComparison.Ordinal));
        if (index < 0)
        {
            return null;
        }
        var current = lines[index]["kernelopts=".Length..];
        if (Has(current, wanted))
        {
            return grubenv;
        }
        lines[index] = "kernelopts=" + Add(current, wanted);
        if (lines.Count == 0 || lines[0] != "# GRUB Environment Block")
        {
            lines.Insert(0, "# GRUB Environment Block");
        }
        var body = string.Join('\n', lines) + "\n";
        var length = Encoding.UTF8.GetByteCount(body);
        if (length > GrubEnvSize)
        {
            overflow = true;
            return null;
        }
        return body + new string('#', GrubEnvSize - length);
    }

    [GeneratedRegex(@"^(\s*GRUB_CMDLINE_LINUX=)([""']?)(.*?)\2\s*$")]
    private static partial Regex GrubCmdline();

    /// <summary>/etc/default/grub with GRUB_CMDLINE_LINUX carrying the arguments (the line grub2-mkconfig builds kernel options from); appended when missing.</summary>
    public static string EditDefaultGrub(string text, IReadOnlyList<string> wanted)
    {
        var lines = text.Split('\n').ToList();
        var found = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (GrubCmdline().Match(lines[i]) is not { Success: true } match)
            {
                continue;
            }
            found = true;
            var arguments = match.Groups[3].Value;
            if (!Has(arguments, wanted))
            {
                var quote = match.Groups[2].Value.Length == 0 ? "\"" : match.Groups[2].Value;
                lines[i] = match.Groups[1].Value + quote + Add(arguments, wanted) + quote;
            }
        }
        if (!found)
        {
            var end = lines.Count > 0 && lines[^1].Length == 0 ? lines.Count - 1 : lines.Count;
            lines.Insert(end, $"GRUB_CMDLINE_LINUX=\"{string.Join(' ', wanted)}\"");
        }
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^(UUID|LABEL|PARTUUID|PARTLABEL)=\S+$|^/dev/\S+$")]
    private static partial Regex DeviceSpec();

    /// <summary>
    /// The device of a separate /boot as /etc/fstab names it (UUID=…, LABEL=…, /dev/…), what dracut's boot= accepts; null
    /// when fstab mounts nothing on /boot (it is on the root filesystem) or names it in a form boot= cannot take.
    /// </summary>
    public static string? BootDeviceFromFstab(string? fstab)
    {
        foreach (var raw in (fstab ?? "").Split('\n'))
        {
            var line = raw.Split('#', 2)[0].Trim();
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[1].TrimEnd('/') == "/boot" && DeviceSpec().IsMatch(fields[0]))
            {
                return fields[0];
            }
        }
        return null;
    }
}
