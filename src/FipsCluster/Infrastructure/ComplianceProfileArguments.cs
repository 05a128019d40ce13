using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using FipsCluster.Core.Compliance;

namespace FipsCluster.Infrastructure;

/// <summary>Lets -Profile take a built-in profile's name as well as a profile object.</summary>
public sealed class ComplianceProfileTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is string name)
        {
            try
            {
                return ComplianceProfiles.Get(name);
            }
            catch (FipsClusterException ex)
            {
                throw new ArgumentTransformationMetadataException(ex.Message, ex);
            }
        }
        return value;
    }
}

/// <summary>Tab completion of built-in profile names.</summary>
public sealed class ComplianceProfileCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ComplianceProfiles.BuiltIn
            .Where(p => p.Name.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(p => new CompletionResult(p.Name, p.Name, CompletionResultType.ParameterValue, p.Description));
}
