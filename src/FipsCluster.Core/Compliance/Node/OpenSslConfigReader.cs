using System.Text.RegularExpressions;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>What the OpenSSL 3 configuration says about the FIPS provider (fips_module(7), config(5)).</summary>
public sealed record OpenSslConfigSummary(IReadOnlyList<string> Files, bool FipsActivated, bool DefaultActivated, bool DefaultPropertiesFips)
{
    /// <summary>Only FIPS implementations are fetched by default: default_properties = fips=yes, or fips active without the default provider.</summary>
    public bool FipsOnlyByDefault => FipsActivated && (DefaultPropertiesFips || !DefaultActivated);
}

/// <summary>Reads openssl.cnf and its .include files from the facts and resolves the provider sections.</summary>
public static partial class OpenSslConfigReader
{
    [GeneratedRegex(@"^\s*\.?include\s*=?\s*(.+?)\s*$")]
    private static partial Regex Include();

    public static OpenSslConfigSummary Read(NodeFacts facts)
    {
        // Each file is decoded once and read line by line in place: this runs for every node of a fleet scan.
        var files = new List<(string Path, byte[] Content, string Text)>();
        foreach (var root in LinuxFactCatalog.OpenSslConfigs)
        {
            if (facts.Exists(root))
            {
                Collect(facts, root, files, 0);
            }
        }
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (_, _, text) in files)
        {
            Parse(text, sections);
        }
        string? Value(string section, string key) =>
            sections.TryGetValue(section, out var values) && values.TryGetValue(key, out var v) ? v : null;
        bool Active(string? section) => section is not null && Value(section, "activate") is "1" or "yes" or "true";

        var init = Value("default", "openssl_conf");
        var providerSection = init is null ? null : Value(init, "providers");
        var algorithmSection = init is null ? null : Value(init, "alg_section");
        var fipsActive = providerSection is not null && Active(Value(providerSection, "fips"));
        // Naming a providers section turns off the implicit default provider unless it is listed and activated.
        var defaultActive = providerSection is null || Active(Value(providerSection, "default"));
        var defaultProperties = algorithmSection is null ? null : Value(algorithmSection, "default_properties");
        var fipsYes = defaultProperties is not null && defaultProperties.Replace(" ", "", StringComparison.Ordinal).Split(',').Contains("fips=yes");
        return new OpenSslConfigSummary(files.Select(f => f.Path).ToList(), fipsActive, defaultActive, fipsYes);
    }

    private static void Collect(NodeFacts facts, string path, List<(string Path, byte[] Content, string Text)> files, int depth)
    {
        if (depth > 4 || files.Exists(f => f.Path == path))
        {
            return;
        }
        if (!facts.Exists(path))
        {
            // An include of a directory pulls in its *.cnf files.
            foreach (var inDir in facts.FilesIn(path, ".cnf"))
            {
                Collect(facts, inDir.Path, files, depth + 1);
            }
            return;
        }
        // A path the node sent as an alias of another (/usr/lib/ssl/openssl.cnf of /etc/ssl's) shares its content: decoded once.
        var content = facts.File(path)!.Content;
        var text = files.Find(f => ReferenceEquals(f.Content, content)).Text ?? System.Text.Encoding.UTF8.GetString(content);
        files.Add((path, content, text));
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            // Only a line that mentions include can be one (the regex runs on few lines).
            if (line.Contains("include", StringComparison.Ordinal) && Include().Match(line.ToString()) is { Success: true } m)
            {
                var target = m.Groups[1].Value.Trim('"');
                Collect(facts, target.StartsWith('/') ? target : $"{Path.GetDirectoryName(path)}/{target}", files, depth + 1);
            }
        }
    }

    private static void Parse(string text, Dictionary<string, Dictionary<string, string>> sections)
    {
        var current = "default";
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw;
            var hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }
            line = line.Trim();
            if (line.Length == 0 || (line.Contains("include", StringComparison.Ordinal) && Include().IsMatch(line)))
            {
                continue;
            }
            if (line.Length >= 2 && line[0] == '[' && line[^1] == ']')
            {
                current = line[1..^1].Trim().ToString();
                continue;
            }
            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }
            if (!sections.TryGetValue(current, out var values))
            {
                sections[current] = values = new Dictionary<string, string>(StringComparer.Ordinal);
            }
            values[line[..eq].Trim().ToString()] = line[(eq + 1)..].Trim().Trim('"').ToString();
        }
    }
}

/// <summary>Parses `openssl list -providers`.</summary>
public static class OpenSslProviders
{
    public static bool FipsActive(string output, out string name)
    {
        name = "";
        string? block = null;
        string? blockName = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd();
            var indent = line.Length - line.TrimStart().Length;
            var text = line.Trim();
            if (indent == 2 && text.Length > 0 && !text.Contains(':', StringComparison.Ordinal))
            {
                block = text;
                blockName = null;
            }
            else if (block is not null && text.StartsWith("name:", StringComparison.Ordinal))
            {
                blockName = text[5..].Trim();
            }
            else if (block is not null && text.StartsWith("status:", StringComparison.Ordinal)
                     && (block == "fips" || (blockName?.Contains("FIPS", StringComparison.OrdinalIgnoreCase) ?? false))
                     && text[7..].Trim() == "active")
            {
                name = blockName ?? block;
                return true;
            }
        }
        return false;
    }
}

/// <summary>Reads the Ubuntu Pro client's status (the same JSON as `pro status --format json`).</summary>
public static class UbuntuProStatus
{
    public static IReadOnlyList<string> EnabledFipsServices(string json, out bool parsed)
    {
        parsed = false;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("services", out var services) || services.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                return Array.Empty<string>();
            }
            parsed = true;
            var enabled = new List<string>();
            foreach (var service in services.EnumerateArray())
            {
                var name = service.TryGetProperty("name", out var n) ? n.GetString() : null;
                var status = service.TryGetProperty("status", out var s) ? s.GetString() : null;
                if (name is "fips" or "fips-updates" && status == "enabled")
                {
                    enabled.Add(name);
                }
            }
            return enabled;
        }
        catch (System.Text.Json.JsonException)
        {
            return Array.Empty<string>();
        }
    }
}
