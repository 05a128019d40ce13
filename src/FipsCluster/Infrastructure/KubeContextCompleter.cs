using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using FipsCluster.Core.Providers.Kubernetes;

namespace FipsCluster.Infrastructure;

/// <summary>Tab completion of -Context from the kubeconfig given by -Kubeconfig, else KUBECONFIG, else ~/.kube/config.</summary>
public sealed class KubeContextCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        var given = fakeBoundParameters["Kubeconfig"] is { } kubeconfig ? (kubeconfig is PSObject ps ? ps.BaseObject : kubeconfig).ToString() : null;
        return Contexts(given).Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }

    // The engine's types stay out of the method PowerShell calls first (the load context resolves them on use).
    private static IReadOnlyList<string> Contexts(string? given) => KubeconfigContexts.Names(KubeconfigContexts.DefaultPath(given));
}
