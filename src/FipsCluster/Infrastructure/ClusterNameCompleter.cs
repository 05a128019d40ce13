using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace FipsCluster.Infrastructure;

/// <summary>Tab completion of cluster names from the store (names only: no record is read or verified).</summary>
public sealed class ClusterNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        IReadOnlyList<string> names;
        try
        {
            names = ClusterStoreAccess.Store.Names();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FipsClusterException)
        {
            return Array.Empty<CompletionResult>(); // an unreadable store completes nothing rather than failing the prompt
        }
        return names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }
}
