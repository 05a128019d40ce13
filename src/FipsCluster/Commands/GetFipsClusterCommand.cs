using System.Management.Automation;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Gets cluster records (verified against their MAC): FIPS mode, profile, nodes, waivers.</summary>
[Cmdlet(VerbsCommon.Get, "FipsCluster")]
[OutputType(typeof(FipsClusterRecord))]
public sealed class GetFipsClusterCommand : FipsCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("ClusterName")]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecordCore()
    {
        var store = ClusterStoreAccess.Store;
        foreach (var name in Name ?? new[] { "*" })
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var names = WildcardPattern.ContainsWildcardCharacters(name) ? store.Names().Where(pattern.IsMatch).ToList() : new List<string> { name };
            foreach (var match in names)
            {
                try
                {
                    WriteObject(store.Get(match));
                }
                catch (FipsClusterException ex)
                {
                    WriteFailure(ex);
                }
            }
        }
    }
}
