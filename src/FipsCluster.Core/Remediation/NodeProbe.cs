using System.Globalization;

namespace FipsCluster.Core.Remediation;

/// <summary>
/// What Enable-FipsMode asks a running Linux node besides its facts: who the login is (root, or can sudo without a
/// password), which of the tools that enable FIPS mode exist, whether it is an image-mode (ostree/bootc) host, the
/// device of a separate /boot, its boot id (a reboot changes it) and, on Ubuntu, the Pro client's status.
/// </summary>
internal sealed class NodeProbe
{
    public const string Script = """
        echo "uid $(id -u)"
        for t in fips-mode-setup update-crypto-policies grubby dracut pro systemctl; do
          if command -v "$t" >/dev/null 2>&1; then echo "tool $t"; fi
        done
        if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then echo "sudo ok"; fi
        if [ -e /run/ostree-booted ]; then echo "ostree"; fi
        r=$(stat -c %d / 2>/dev/null); b=$(stat -c %d /boot 2>/dev/null)
        if [ -n "$b" ] && [ "$r" != "$b" ]; then echo "bootdev $(findmnt -n -o UUID --target /boot 2>/dev/null)"; fi
        echo "bootid $(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"
        if command -v pro >/dev/null 2>&1; then echo "pro $(pro status --format json 2>/dev/null | tr -d '\n')"; fi
        """;

    public int Uid { get; private init; } = -1;

    public bool SudoWorks { get; private init; }

    public bool Ostree { get; private init; }

    public IReadOnlySet<string> Tools { get; private init; } = new HashSet<string>();

    /// <summary>boot=&lt;this&gt; for a separate /boot (UUID=…), or null when /boot is on the root filesystem (or its UUID is unknown).</summary>
    public string? BootDevice { get; private init; }

    public string BootId { get; private init; } = "";

    /// <summary>`pro status --format json`, or null without the Pro client.</summary>
    public string? ProStatus { get; private init; }

    public bool IsRoot => Uid == 0;

    public bool Has(string tool) => Tools.Contains(tool);

    /// <summary>The command as it must run: as is for root, through 'sudo -n' otherwise.</summary>
    public string Privileged(string command) => IsRoot ? command : "sudo -n " + command;

    public static NodeProbe Parse(string output)
    {
        var tools = new HashSet<string>(StringComparer.Ordinal);
        int uid = -1;
        bool sudo = false, ostree = false;
        string? boot = null, pro = null;
        var bootId = "";
        foreach (var line in output.Split('\n'))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (key, value) = space < 0 ? (line.Trim(), "") : (line[..space], line[(space + 1)..].Trim());
            switch (key)
            {
                case "uid":
                    uid = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
                    break;
                case "tool":
                    tools.Add(value);
                    break;
                case "sudo":
                    sudo = value == "ok";
                    break;
                case "ostree":
                    ostree = true;
                    break;
                case "bootdev":
                    boot = value.Length > 0 ? "UUID=" + value : null;
                    break;
                case "bootid":
                    bootId = value;
                    break;
                case "pro":
                    pro = value;
                    break;
            }
        }
        return new NodeProbe { Uid = uid, SudoWorks = sudo, Ostree = ostree, Tools = tools, BootDevice = boot, BootId = bootId, ProStatus = pro };
    }
}
