using System.Management.Automation;
using System.Reflection;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>What every exported cmdlet owes a PowerShell user, checked by reflection and through Get-Help.</summary>
public sealed class ContractTests : IClassFixture<ModuleFixture>
{
    private static readonly string[] StateChangingVerbs =
    {
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Lock", "Move", "New", "Open", "Remove", "Rename", "Reset", "Set", "Unlock",
        "Update", "Install", "Uninstall", "Register", "Unregister", "Start", "Stop", "Restart", "Suspend", "Resume", "Enable", "Disable",
        "Publish", "Unpublish", "Initialize", "Invoke", "Sync", "Write", "Import", "Restore", "Backup", "Save", "Edit", "Grant", "Revoke",
        "Protect", "Unprotect", "Deploy", "Submit", "Approve", "Deny", "Join", "Merge", "Split", "Push", "Pop", "Send", "Connect",
        "Disconnect", "Mount", "Dismount", "Compress", "Expand", "ConvertTo", "Convert",
    };

    private static readonly string[] CommonParameters =
        { "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
          "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm" };

    private readonly PsSession _ps;

    public ContractTests(ModuleFixture fixture) => _ps = fixture.Session;

    private IReadOnlyList<CmdletInfo> Cmdlets()
        => _ps.Run("Get-Command -Module FipsCluster -CommandType Cmdlet").Objects<CmdletInfo>().ToList();

    private static HashSet<string> ApprovedVerbs() => new(
        new[] { typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic), typeof(VerbsLifecycle),
                typeof(VerbsOther), typeof(VerbsSecurity) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(f => (string)f.GetValue(null)!), StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Every_default_view_shows_properties_its_type_really_has()
    {
        // A misspelt PropertyName renders as an empty column without any error, so the views are checked against the types.
        var extended = System.Xml.Linq.XDocument.Load(Path.Combine(TestPaths.ModuleDirectory, "FipsCluster.Types.ps1xml")).Root!
            .Elements("Type").ToDictionary(t => (string)t.Element("Name")!,
                t => t.Element("Members")?.Elements().Where(m => m.Name != "MemberSet").Select(m => (string)m.Element("Name")!).ToHashSet() ?? new HashSet<string>());
        var views = System.Xml.Linq.XDocument.Load(Path.Combine(TestPaths.ModuleDirectory, "FipsCluster.Format.ps1xml")).Descendants("View").ToList();
        Assert.True(views.Count >= 10, $"only {views.Count} views");
        foreach (var view in views)
        {
            var typeName = (string)view.Element("ViewSelectedBy")!.Element("TypeName")!;
            var type = _ps.Run("[type]$args[0]", typeName).Objects<Type>().SingleOrDefault();
            Assert.True(type is not null, $"view {view.Element("Name")?.Value}: type {typeName} is not loaded by the module");
            var members = type!.GetProperties().Select(p => p.Name).Concat(extended.GetValueOrDefault(typeName) ?? new HashSet<string>()).ToHashSet();
            foreach (var property in view.Descendants("PropertyName").Select(p => p.Value))
            {
                Assert.True(members.Contains(property), $"view {view.Element("Name")?.Value}: {typeName} has no property {property}");
            }
        }
    }

    [Fact]
    public void Exports_exactly_the_manifest_list_and_every_cmdlet_class()
    {
        var exported = Cmdlets().Select(c => c.Name).OrderBy(n => n).ToList();
        var manifest = _ps.Run("(Import-PowerShellDataFile -Path $args[0]).CmdletsToExport", TestPaths.ModuleManifest);
        var listed = manifest.Terminating is null && manifest.Output.Count > 0
            ? manifest.Output.Select(o => o.ToString()).OrderBy(n => n).ToList()
            : _ps.Run("(Test-ModuleManifest -Path $args[0]).ExportedCmdlets.Keys", TestPaths.ModuleManifest).Output.Select(o => o.ToString()).OrderBy(n => n).ToList();
        Assert.Equal(listed, exported);
        var classes = Cmdlets().First().ImplementingType.Assembly.GetExportedTypes()
            .Select(t => t.GetCustomAttribute<CmdletAttribute>()).OfType<CmdletAttribute>()
            .Select(a => $"{a.VerbName}-{a.NounName}").OrderBy(n => n).ToList();
        Assert.Equal(classes, exported);
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_a_prefixed_noun_and_declares_its_output()
    {
        var approved = ApprovedVerbs();
        foreach (var cmdlet in Cmdlets())
        {
            Assert.True(approved.Contains(cmdlet.Verb), $"{cmdlet.Name}: '{cmdlet.Verb}' is not an approved verb");
            Assert.True(cmdlet.Noun.StartsWith("Fips", StringComparison.Ordinal) || cmdlet.Noun.StartsWith("Swarm", StringComparison.Ordinal), $"{cmdlet.Name}: noun lacks the Fips/Swarm prefix");
            Assert.True(cmdlet.ImplementingType.GetCustomAttributes<OutputTypeAttribute>().Any(), $"{cmdlet.Name}: no [OutputType]");
            Assert.NotEmpty(cmdlet.OutputType);
        }
    }

    [Fact]
    public void Every_cmdlet_that_can_change_state_supports_ShouldProcess()
    {
        foreach (var cmdlet in Cmdlets())
        {
            var attribute = cmdlet.ImplementingType.GetCustomAttribute<CmdletAttribute>()!;
            var noSideEffects = cmdlet.ImplementingType.GetCustomAttributes().FirstOrDefault(a => a.GetType().Name == "NoSideEffectsAttribute");
            if (noSideEffects is not null)
            {
                var reason = (string)noSideEffects.GetType().GetProperty("Reason")!.GetValue(noSideEffects)!;
                Assert.False(string.IsNullOrWhiteSpace(reason), $"{cmdlet.Name}: [NoSideEffects] needs a reason");
                Assert.False(attribute.SupportsShouldProcess, $"{cmdlet.Name}: claims no side effects but asks ShouldProcess");
                continue;
            }
            if (StateChangingVerbs.Contains(cmdlet.Verb))
            {
                Assert.True(attribute.SupportsShouldProcess, $"{cmdlet.Name}: changes state but does not support -WhatIf/-Confirm");
            }
            if (cmdlet.Parameters.ContainsKey("Force"))
            {
                Assert.True(attribute.SupportsShouldProcess, $"{cmdlet.Name}: has -Force without ShouldProcess");
            }
        }
    }

    [Fact]
    public void Every_cmdlet_has_help_with_synopsis_described_parameters_and_two_examples()
    {
        foreach (var cmdlet in Cmdlets())
        {
            var help = Assert.Single(_ps.Run("Get-Help -Name $args[0] -Full", cmdlet.Name).Output);
            var synopsis = help.Properties["Synopsis"]?.Value?.ToString()?.Trim() ?? "";
            Assert.False(string.IsNullOrEmpty(synopsis), $"{cmdlet.Name}: no synopsis");
            Assert.False(synopsis.StartsWith(cmdlet.Name, StringComparison.OrdinalIgnoreCase), $"{cmdlet.Name}: synopsis is only the generated syntax — MAML help not found");

            var description = Text(help.Properties["description"]?.Value);
            Assert.False(string.IsNullOrWhiteSpace(description), $"{cmdlet.Name}: no description");

            var examples = Items(Child(help, "examples"), "example");
            Assert.True(examples.Count >= 2, $"{cmdlet.Name}: {examples.Count} examples");

            var documented = Items(Child(help, "parameters"), "parameter")
                .ToDictionary(p => p.Properties["name"].Value.ToString()!, p => Text(p.Properties["description"]?.Value), StringComparer.OrdinalIgnoreCase);
            // DontShow parameters only carry pipeline input (Test-FipsNode's piped folders) and stay out of help.
            var shown = cmdlet.Parameters.Values.Where(p => !p.Attributes.OfType<ParameterAttribute>().All(a => a.DontShow)).Select(p => p.Name);
            foreach (var parameter in shown.Except(CommonParameters))
            {
                Assert.True(documented.TryGetValue(parameter, out var text) && !string.IsNullOrWhiteSpace(text),
                    $"{cmdlet.Name}: parameter -{parameter} is not described in help");
            }
        }
    }

    [Fact]
    public void About_topic_ships_with_the_module()
    {
        var about = string.Join("\n", _ps.Run("Get-Help about_FipsCluster").Output.Select(o => o.ToString()));
        Assert.Contains("SWMTKN-2-1", about);
        // The overview names every cmdlet, so a new one cannot be left out of it.
        var missing = Cmdlets().Select(c => c.Name).Where(name => !System.Text.RegularExpressions.Regex.IsMatch(about, $@"\b{name}\b")).ToList();
        Assert.True(missing.Count == 0, "about_FipsCluster does not name: " + string.Join(", ", missing));
    }

    private static PSObject? Child(PSObject help, string name) => help.Properties[name]?.Value as PSObject;

    private static List<PSObject> Items(PSObject? container, string name)
    {
        var value = container?.Properties[name]?.Value;
        return value switch
        {
            null => new List<PSObject>(),
            object[] array => array.Select(PSObject.AsPSObject).ToList(),
            PSObject ps when ps.BaseObject is object[] array => array.Select(PSObject.AsPSObject).ToList(),
            _ => new List<PSObject> { PSObject.AsPSObject(value) },
        };
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        object[] array => string.Join("\n", array.Select(Text)),
        PSObject { BaseObject: object[] array } => string.Join("\n", array.Select(Text)),
        PSObject ps when ps.Properties["Text"] is { } t => t.Value?.ToString() ?? "",
        _ => value.ToString() ?? "",
    };
}
