using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Gets the built-in compliance profiles, or loads one from a YAML file.</summary>
[Cmdlet(VerbsCommon.Get, "FipsComplianceProfile", DefaultParameterSetName = NameSet)]
[OutputType(typeof(ComplianceProfile))]
public sealed class GetFipsComplianceProfileCommand : FipsCmdlet
{
    private const string NameSet = "Name";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    // By value only: by property name it took every file's Name (Get-ChildItem *.yaml gave "no profile 'site.yaml'"),
    // because PowerShell tries the default set's parameters, by their own name, before -Path's FullName alias.
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Profile files, with wildcards as the FileSystem cmdlets' -Path.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Profile files taken as written; Get-ChildItem *.yaml output binds here by PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    protected override void ProcessRecordCore()
    {
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            var literal = ParameterSetName == LiteralPathSet;
            foreach (var path in (literal ? LiteralPath : Path).SelectMany(p => Resolve(p, literal)))
            {
                try
                {
                    WriteObject(ComplianceProfiles.Load(path));
                }
                catch (FipsClusterException ex)
                {
                    WriteFailure(ex);
                }
            }
            return;
        }
        foreach (var name in Name ?? new[] { "*" })
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var matches = ComplianceProfiles.BuiltIn.Where(p => pattern.IsMatch(p.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                try
                {
                    ComplianceProfiles.Get(name);
                }
                catch (FipsClusterException ex)
                {
                    WriteFailure(ex);
                }
            }
            WriteObject(matches, enumerateCollection: true);
        }
    }

    private IReadOnlyList<string> Resolve(string path, bool literal)
    {
        var resolved = ProviderPaths.ResolveExisting(this, path, literal, ErrorIds.ComplianceProfileNotFound, "compliance profile file");
        if (resolved.Failure is { } failure)
        {
            WriteFailure(failure);
        }
        return resolved.Paths;
    }
}
