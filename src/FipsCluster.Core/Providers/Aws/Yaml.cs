using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The one YAML emitter of the renderers (YamlDotNet), block style, stable output, with scalar types made explicit:
/// a scalar node left in the default style is a string, and one that a YAML 1.1 or 1.2 reader would take for something
/// else (true, on, no, 0755, 1e3, ~, a date…) is written double-quoted — kubectl (go-yaml, YAML 1.1), cloud-init
/// (PyYAML, YAML 1.1) and YAML 1.2 readers then all read a string. Numbers and booleans are made with
/// <see cref="Integer"/> and <see cref="Boolean"/>, the only way to write an unquoted non-string.
/// </summary>
internal static partial class Yaml
{
    /// <summary>
    /// Everything YAML 1.1 (PyYAML, go-yaml v2) or the 1.2 core schema resolves as null, bool, int, float, timestamp,
    /// merge or value: decimal and octal-looking numbers with '_' and exponents, 0x/0o/0b, base 60 (1:20), .inf and
    /// .nan, dates. An address such as 10.0.0.1:6443 is none of these and stays plain.
    /// </summary>
    [GeneratedRegex(@"^(?:|~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|=|<<"
        + @"|[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
        + @"|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO][0-7_]+|[-+]?0[bB][01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
        + @"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[^\n]*)?)\z")]
    private static partial Regex NotAString();

    /// <summary>Whether a plain (unquoted) scalar with this text would be read as something other than a string.</summary>
    public static bool ReadsAsNonString(string value) => NotAString().IsMatch(value);

    public static YamlScalarNode Integer(long value) => new(value.ToString(System.Globalization.CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    public static YamlScalarNode Boolean(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    /// <summary>A block of text (a script, a unit file, a nested YAML document) kept line by line.</summary>
    public static YamlScalarNode Literal(string text) => new(text) { Style = ScalarStyle.Literal };

    /// <summary>One document.</summary>
    public static string Write(YamlNode root) => WriteAll(new[] { root });

    /// <summary>Documents of one stream, separated by "---".</summary>
    public static string WriteAll(IEnumerable<YamlNode> roots)
    {
        var stream = new YamlStream();
        foreach (var root in roots)
        {
            MarkStrings(root);
            stream.Add(new YamlDocument(root));
        }
        using var writer = new StringWriter { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        // YamlStream ends every document with "...": the next "---" (or the end of the text) ends it as well.
        var lines = writer.ToString().Split('\n').Where(line => line != "...").ToList();
        return string.Join('\n', lines);
    }

    /// <summary>String scalars (default style) that a reader would type otherwise get quotes; explicit styles are kept.</summary>
    private static void MarkStrings(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar when scalar.Style == ScalarStyle.Any && scalar.Tag.IsEmpty && ReadsAsNonString(scalar.Value ?? ""):
                scalar.Style = ScalarStyle.DoubleQuoted;
                break;
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    MarkStrings(key);
                    MarkStrings(value);
                }
                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    MarkStrings(item);
                }
                break;
        }
    }
}
