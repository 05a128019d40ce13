// Compiles cmdlet help: prose from en-US/<Verb-Noun>.md, syntax and parameter metadata from the compiled
// cmdlets, so the two can never drift apart. Fails (exit 1) when a cmdlet or parameter is undocumented or a
// cmdlet has fewer than two examples, which makes missing help a build error. Also writes the generated about
// topic about_FipsCluster_Checks (rendered by the engine from its own check catalogue) next to the MAML.
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Xml.Linq;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: FipsCluster.HelpCompiler <staged-module-dir>/FipsCluster.dll <help-markdown-dir> <out-maml.xml>");
    return 2;
}
var modulePath = Path.GetFullPath(args[0]);
// The staged layout: the engine and every third-party assembly sit in dependencies/ next to the module.
var dependencies = Path.Combine(Path.GetDirectoryName(modulePath)!, "dependencies");
AssemblyLoadContext.Default.Resolving += (context, name) =>
    Path.Combine(dependencies, name.Name + ".dll") is var candidate && File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
var assembly = Assembly.LoadFrom(modulePath);
var problems = new List<string>();
var commands = new List<XElement>();
// Parameter blocks (SSH login, AWS account) are described once, in en-US/_<Block>.md; a cmdlet's page may say more.
var blockHelp = Directory.GetFiles(args[1], "_*.md").Select(f => HelpMarkdown.Parse(File.ReadAllText(f)))
    .SelectMany(d => d.Parameters).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
foreach (var type in assembly.GetExportedTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() is not null).OrderBy(t => t.Name))
{
    var cmdlet = type.GetCustomAttribute<CmdletAttribute>()!;
    var name = $"{cmdlet.VerbName}-{cmdlet.NounName}";
    var file = Path.Combine(args[1], name + ".md");
    if (!File.Exists(file))
    {
        problems.Add($"{name}: no help file {file}");
        continue;
    }
    var doc = HelpMarkdown.Parse(File.ReadAllText(file));
    commands.Add(Maml.Command(type, cmdlet, name, doc, blockHelp, problems));
}
if (problems.Count > 0)
{
    foreach (var p in problems)
    {
        Console.Error.WriteLine($"error FCHELP: {p}");
    }
    return 1;
}
var root = new XElement(Maml.Msh + "helpItems", new XAttribute("schema", "maml"), commands);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[2]))!);
new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(args[2]);
Console.WriteLine($"Help for {commands.Count} cmdlets written to {args[2]}");

var topicPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(args[2]))!, CheckTopic.FileName);
File.WriteAllText(topicPath, CheckTopic.Render(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
Console.WriteLine($"Check catalogue topic written to {topicPath}");
return 0;

/// <summary>The engine's CheckCatalogTopic, reached by name: the engine is not referenced, it is loaded from the staged module.</summary>
internal static class CheckTopic
{
    public const string FileName = "about_FipsCluster_Checks.help.txt";

    public static string Render()
    {
        var engine = Assembly.Load("FipsCluster.Core");
        var topic = engine.GetType("FipsCluster.Core.Compliance.CheckCatalogTopic", throwOnError: true)!;
        var fileName = (string)topic.GetField("FileName")!.GetValue(null)!;
        if (fileName != FileName)
        {
            throw new InvalidOperationException($"The engine names the topic {fileName}, the help compiler {FileName}.");
        }
        return (string)topic.GetMethod("Render", Type.EmptyTypes)!.Invoke(null, null)!;
    }
}

/// <summary>A cmdlet help page in platyPS markdown: ## sections, ### entries.</summary>
internal sealed class HelpMarkdown
{
    public string Synopsis = "";
    public string Description = "";
    public List<(string Title, string Code, string Remarks)> Examples = new();
    public Dictionary<string, string> Parameters = new(StringComparer.OrdinalIgnoreCase);
    public List<(string Type, string Text)> Inputs = new();
    public List<(string Type, string Text)> Outputs = new();
    public string Notes = "";
    public List<string> Links = new();

    public static HelpMarkdown Parse(string text)
    {
        var doc = new HelpMarkdown();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string? section = null, entry = null;
        var buffer = new List<string>();
        var inFence = false;
        void Flush()
        {
            var body = string.Join("\n", buffer).Trim();
            buffer.Clear();
            switch (section)
            {
                case "SYNOPSIS": doc.Synopsis = body; break;
                case "DESCRIPTION": doc.Description = body; break;
                case "NOTES": doc.Notes = body; break;
                case "RELATED LINKS": doc.Links.AddRange(body.Split('\n').Select(l => l.Trim().TrimStart('-', ' ')).Where(l => l.Length > 0)); break;
                case "EXAMPLES" when entry is not null: doc.Examples.Add(SplitExample(entry, body)); break;
                case "PARAMETERS" when entry is not null: doc.Parameters[entry.TrimStart('-')] = body; break;
                case "INPUTS" when entry is not null: doc.Inputs.Add((entry, body)); break;
                case "OUTPUTS" when entry is not null: doc.Outputs.Add((entry, body)); break;
            }
        }
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = line[3..].Trim().ToUpperInvariant();
                entry = null;
            }
            else if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                entry = line[4..].Trim();
            }
            else if (section is not null)
            {
                buffer.Add(line);
            }
        }
        Flush();
        return doc;
    }

    private static (string, string, string) SplitExample(string title, string body)
    {
        var code = new StringBuilder();
        var remarks = new StringBuilder();
        var inFence = false;
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }
            (inFence ? code : remarks).AppendLine(line);
        }
        return (title, code.ToString().Trim(), remarks.ToString().Trim());
    }
}

internal static class Maml
{
    public static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace M = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace C = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace D = "http://schemas.microsoft.com/maml/dev/2004/10";
    private const string AllSets = "__AllParameterSets";

    private sealed record Param(string Name, Type Type, ParameterAttribute Attribute, string[] Aliases, string[] ValidValues, bool IsSwitch);

    public static XElement Command(Type type, CmdletAttribute cmdlet, string name, HelpMarkdown doc, IReadOnlyDictionary<string, string> blockHelp, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(doc.Synopsis)) problems.Add($"{name}: no SYNOPSIS");
        if (string.IsNullOrWhiteSpace(doc.Description)) problems.Add($"{name}: no DESCRIPTION");
        if (doc.Examples.Count < 2) problems.Add($"{name}: {doc.Examples.Count} examples; at least 2 are required");
        for (var i = 0; i < doc.Examples.Count; i++)
        {
            // Get-Help -Examples reads as a sequence: "Example 1: ...", "Example 2: ...", in order.
            if (!doc.Examples[i].Title.StartsWith($"Example {i + 1}: ", StringComparison.Ordinal))
            {
                problems.Add($"{name}: example {i + 1} is titled '{doc.Examples[i].Title}'; examples are titled 'Example N: ...', numbered 1..n in order");
            }
        }

        var parameters = new List<Param>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // DontShow parameters carry pipeline input only (e.g. Test-FipsNode's piped folders): not part of the documented syntax.
            foreach (var attribute in property.GetCustomAttributes<ParameterAttribute>().Where(a => !a.DontShow))
            {
                parameters.Add(new Param(property.Name, property.PropertyType, attribute,
                    property.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames).ToArray(),
                    property.GetCustomAttributes<ValidateSetAttribute>().SelectMany(v => v.ValidValues).ToArray(),
                    property.PropertyType == typeof(SwitchParameter)));
            }
        }
        var ownDocumented = doc.Parameters.Keys.ToList();
        // Dynamic parameters: the cmdlet's parameter blocks, as PowerShell itself asks for them.
        if (Activator.CreateInstance(type) is IDynamicParameters dynamic && dynamic.GetDynamicParameters() is RuntimeDefinedParameterDictionary blocks)
        {
            foreach (var parameter in blocks.Values)
            {
                foreach (var attribute in parameter.Attributes.OfType<ParameterAttribute>().Where(a => !a.DontShow))
                {
                    parameters.Add(new Param(parameter.Name, parameter.ParameterType, attribute,
                        parameter.Attributes.OfType<AliasAttribute>().SelectMany(a => a.AliasNames).ToArray(),
                        parameter.Attributes.OfType<ValidateSetAttribute>().SelectMany(v => v.ValidValues).ToArray(),
                        parameter.ParameterType == typeof(SwitchParameter)));
                }
                if (blockHelp.TryGetValue(parameter.Name, out var shared))
                {
                    doc.Parameters.TryAdd(parameter.Name, shared);
                }
            }
        }
        if (cmdlet.SupportsShouldProcess)
        {
            parameters.Add(new Param("WhatIf", typeof(SwitchParameter), new ParameterAttribute(), new[] { "wi" }, Array.Empty<string>(), true));
            parameters.Add(new Param("Confirm", typeof(SwitchParameter), new ParameterAttribute(), new[] { "cf" }, Array.Empty<string>(), true));
            doc.Parameters.TryAdd("WhatIf", "Shows what would happen if the cmdlet runs. The cmdlet is not run and nothing changes.");
            doc.Parameters.TryAdd("Confirm", "Prompts you for confirmation before running the cmdlet.");
        }
        foreach (var p in parameters.Select(p => p.Name).Distinct())
        {
            if (!doc.Parameters.TryGetValue(p, out var text) || string.IsNullOrWhiteSpace(text))
            {
                problems.Add($"{name}: parameter -{p} is not described");
            }
        }
        foreach (var documented in ownDocumented.Where(k => parameters.All(p => !p.Name.Equals(k, StringComparison.OrdinalIgnoreCase))))
        {
            problems.Add($"{name}: help describes -{documented}, which the cmdlet does not have");
        }

        var sets = parameters.Select(p => p.Attribute.ParameterSetName).Where(s => s != AllSets).Distinct().ToList();
        // The default set comes first, even when no parameter names it (Test-FipsNode without arguments tests this machine).
        if (cmdlet.DefaultParameterSetName is { } def)
        {
            sets.Remove(def);
            sets.Insert(0, def);
        }
        if (sets.Count == 0) sets.Add(AllSets);
        var syntax = sets.Select(set => new XElement(C + "syntaxItem",
            new XElement(M + "name", name),
            parameters.Where(p => p.Attribute.ParameterSetName == set || p.Attribute.ParameterSetName == AllSets)
                .GroupBy(p => p.Name).Select(g => g.FirstOrDefault(p => p.Attribute.ParameterSetName == set) ?? g.First())
                .OrderBy(p => p.Attribute.Position < 0 ? int.MaxValue : p.Attribute.Position).ThenBy(p => !p.Attribute.Mandatory)
                .Select(p => Parameter(p, doc, withDetails: false))));

        var unique = parameters.GroupBy(p => p.Name).Select(g => g.First()).OrderBy(p => p.Name == "WhatIf" || p.Name == "Confirm").ThenBy(p => p.Name);
        return new XElement(C + "command",
            new XAttribute(XNamespace.Xmlns + "maml", M), new XAttribute(XNamespace.Xmlns + "command", C), new XAttribute(XNamespace.Xmlns + "dev", D),
            new XElement(C + "details",
                new XElement(C + "name", name),
                new XElement(C + "verb", cmdlet.VerbName),
                new XElement(C + "noun", cmdlet.NounName),
                Paras(M + "description", doc.Synopsis)),
            Paras(M + "description", doc.Description),
            new XElement(C + "syntax", syntax),
            new XElement(C + "parameters", unique.Select(p => Parameter(p, doc, withDetails: true))),
            new XElement(C + "inputTypes", doc.Inputs.Select(i => new XElement(C + "inputType",
                new XElement(D + "type", new XElement(M + "name", i.Type)), Paras(M + "description", i.Text)))),
            new XElement(C + "returnValues", doc.Outputs.Select(o => new XElement(C + "returnValue",
                new XElement(D + "type", new XElement(M + "name", o.Type)), Paras(M + "description", o.Text)))),
            new XElement(M + "alertSet", new XElement(M + "alert", ParaList(doc.Notes))),
            new XElement(C + "examples", doc.Examples.Select(e => new XElement(C + "example",
                new XElement(M + "title", $"-------------------------- {e.Title} --------------------------"),
                new XElement(D + "code", e.Code),
                new XElement(D + "remarks", ParaList(e.Remarks))))),
            new XElement(C + "relatedLinks", doc.Links.Select(l => new XElement(M + "navigationLink",
                new XElement(M + "linkText", l), new XElement(M + "uri")))));
    }

    private static XElement Parameter(Param p, HelpMarkdown doc, bool withDetails)
    {
        var pipeline = (p.Attribute.ValueFromPipeline, p.Attribute.ValueFromPipelineByPropertyName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var element = new XElement(C + "parameter",
            new XAttribute("required", p.Attribute.Mandatory ? "true" : "false"),
            new XAttribute("variableLength", p.Type.IsArray ? "true" : "false"),
            new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", p.Attribute.Position < 0 ? "named" : p.Attribute.Position.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new XAttribute("aliases", p.Aliases.Length == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(M + "name", p.Name),
            Paras(M + "description", doc.Parameters.GetValueOrDefault(p.Name, "")));
        if (p.ValidValues.Length > 0)
        {
            element.Add(new XElement(C + "parameterValueGroup", p.ValidValues.Select(v =>
                new XElement(C + "parameterValue", new XAttribute("required", "false"), new XAttribute(C + "variableLength", "false"), v))));
        }
        if (!p.IsSwitch)
        {
            element.Add(new XElement(C + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), TypeName(p.Type)));
        }
        element.Add(new XElement(D + "type", new XElement(M + "name", p.Type.FullName), new XElement(M + "uri")));
        element.Add(new XElement(D + "defaultValue", "None"));
        return element;
    }

    private static string TypeName(Type type) => type == typeof(object) ? "Object" : type.Name;

    private static XElement Paras(XName name, string text) => new(name, ParaList(text));

    private static IEnumerable<XElement> ParaList(string text)
        => text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => new XElement(M + "para", string.Join(" ", p.Split('\n').Select(l => l.Trim()))));
}
