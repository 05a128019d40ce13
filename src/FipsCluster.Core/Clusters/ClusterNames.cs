using System.Text.RegularExpressions;

namespace FipsCluster.Core.Clusters;

/// <summary>
/// The one rule for the name of a new cluster, whatever its provider: a DNS-1123 label, because the name becomes
/// Kubernetes object names, label values and kubeadm's clusterName (and Cluster API refuses anything else), and a
/// directory of the store. Records created before the rule existed keep their names (see <see cref="IsStorable"/>).
/// </summary>
public static partial class ClusterNames
{
    public const string Rule = "a DNS-1123 label: 1-63 characters, lower-case letters, digits and '-', starting and ending with a letter or digit";

    // \z, not $: $ also matches before a final newline, which would let "prod\n" through.
    [GeneratedRegex(@"^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\z")]
    private static partial Regex Dns1123Label();

    /// <summary>
    /// What earlier versions accepted (letters of either case, digits, '-', '_'): such records stay readable, updatable
    /// and removable, and their directories can never be built into a path elsewhere.
    /// </summary>
    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\z")]
    private static partial Regex Storable();

    public static bool IsValid(string? name) => name is not null && Dns1123Label().IsMatch(name);

    /// <summary>A name a record may have been stored under (the rule of earlier versions, which the current rule narrows).</summary>
    public static bool IsStorable(string? name) => name is not null && Storable().IsMatch(name);

    /// <summary>Refuses a name for a new cluster unless it follows <see cref="Rule"/>; the error names the rule.</summary>
    public static string Validate(string name)
    {
        if (!IsValid(name))
        {
            var hint = IsStorable(name) && IsValid(name.ToLowerInvariant().Replace('_', '-')) ? $" (e.g. '{name.ToLowerInvariant().Replace('_', '-')}')" : "";
            throw new FipsClusterException(ErrorIds.InvalidClusterName, FipsErrorCategory.InvalidArgument,
                $"'{name}' is not a valid cluster name: it must be {Rule}{hint}.", name);
        }
        return name;
    }
}
