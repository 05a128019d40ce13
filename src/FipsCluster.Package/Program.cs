// Writes the package's NuGet manifest (.nuspec) from the module manifest, so FipsCluster.psd1 stays the only home
// of the version, description, tags, URLs and release notes. The tags are the ones the PowerShell Gallery gives a
// module: PSModule, PSEdition_<edition>, PSIncludes_Cmdlet, and PSCmdlet_<name> plus PSCommand_<name> for every
// exported cmdlet (Find-PSResource -CommandName searches the latter), PSIncludes_DscResource and PSDscResource_<name>
// for every exported DSC resource (Find-PSResource -DscResourceName).
using System.Collections;
using System.Management.Automation.Language;
using System.Xml.Linq;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: FipsCluster.Package <module.psd1> <out.nuspec>");
    return 2;
}
try
{
    var manifest = ModuleManifest.Read(args[0]);
    var nuspec = Nuspec.From(manifest, Path.GetFileNameWithoutExtension(args[0]));
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    nuspec.Save(args[1]);
    Console.WriteLine($"{args[1]} written from {args[0]}");
    return 0;
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"{args[0]}: error FCPACK: {e.Message}");
    return 1;
}

/// <summary>A module manifest read as PowerShell reads a data file: parsed, never executed.</summary>
internal static class ModuleManifest
{
    public static Hashtable Read(string path)
    {
        var ast = Parser.ParseFile(Path.GetFullPath(path), out _, out var errors);
        if (errors.Length > 0)
        {
            throw new InvalidDataException(errors[0].Message);
        }
        if (ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false) is not HashtableAst table)
        {
            throw new InvalidDataException("no hashtable");
        }
        return (Hashtable)table.SafeGetValue();
    }

    public static string[] Strings(Hashtable table, string key) => table[key] switch
    {
        null => Array.Empty<string>(),
        string one => new[] { one },
        object[] many => many.Select(o => o.ToString()!).ToArray(),
        var other => throw new InvalidDataException($"{key} is a {other.GetType().Name}, not strings"),
    };

    public static string Required(Hashtable table, string key) =>
        table[key] is string { Length: > 0 } value ? value : throw new InvalidDataException($"{key} is missing");
}

internal static class Nuspec
{
    private static readonly XNamespace Ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";

    public static XDocument From(Hashtable manifest, string id)
    {
        var psData = (manifest["PrivateData"] as Hashtable)?["PSData"] as Hashtable ?? new Hashtable();
        var cmdlets = ModuleManifest.Strings(manifest, "CmdletsToExport");
        if (cmdlets.Any(c => c.Contains('*')))
        {
            // The gallery's command tags (and Find-PSResource -CommandName) need the names themselves.
            throw new InvalidDataException("CmdletsToExport must list the cmdlets by name, not by wildcard");
        }
        var dscResources = ModuleManifest.Strings(manifest, "DscResourcesToExport");
        if (dscResources.Any(c => c.Contains('*')))
        {
            throw new InvalidDataException("DscResourcesToExport must list the resources by name, not by wildcard");
        }
        var version = ModuleManifest.Required(manifest, "ModuleVersion");
        if (psData["Prerelease"] is string { Length: > 0 } prerelease)
        {
            version += "-" + prerelease;
        }
        var tags = new[] { "PSModule" }
            .Concat(ModuleManifest.Strings(psData, "Tags"))
            .Concat(ModuleManifest.Strings(manifest, "CompatiblePSEditions").Select(e => "PSEdition_" + e))
            .Concat(cmdlets.Length > 0 ? new[] { "PSIncludes_Cmdlet" } : Array.Empty<string>())
            .Concat(cmdlets.Select(c => "PSCmdlet_" + c))
            .Concat(cmdlets.Select(c => "PSCommand_" + c))
            .Concat(dscResources.Length > 0 ? new[] { "PSIncludes_DscResource" } : Array.Empty<string>())
            .Concat(dscResources.Select(r => "PSDscResource_" + r))
            .Distinct(StringComparer.OrdinalIgnoreCase);

        XElement? Optional(string element, object? value) =>
            value is string { Length: > 0 } text ? new XElement(Ns + element, text) : null;

        var metadata = new XElement(Ns + "metadata",
            new XElement(Ns + "id", id),
            new XElement(Ns + "version", version),
            new XElement(Ns + "authors", ModuleManifest.Required(manifest, "Author")),
            Optional("owners", manifest["CompanyName"]),
            new XElement(Ns + "requireLicenseAcceptance", psData["RequireLicenseAcceptance"] is true ? "true" : "false"),
            // licenseUrl, not <license>: PowerShellGet and PSResourceGet show this URL as the LicenseUri (with <license>
            // NuGet would write a placeholder link instead). The license text itself travels as LICENSE in the module.
            Optional("licenseUrl", psData["LicenseUri"]),
            Optional("projectUrl", psData["ProjectUri"]),
            Optional("iconUrl", psData["IconUri"]),
            new XElement(Ns + "description", ModuleManifest.Required(manifest, "Description")),
            Optional("releaseNotes", psData["ReleaseNotes"]),
            Optional("copyright", manifest["Copyright"]),
            new XElement(Ns + "tags", string.Join(' ', tags)));
        // The package root is the module folder: Install-PSResource extracts it as <Modules>/<id>/<version>/.
        var files = new XElement(Ns + "files", new XElement(Ns + "file", new XAttribute("src", "**"), new XAttribute("target", "")));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement(Ns + "package", metadata, files));
    }
}
