using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Security;
using FipsCluster.Core.Providers.Aws;

namespace FipsCluster.Infrastructure.ParameterBlocks;

/// <summary>
/// How every cmdlet that reaches EC2 names its account, as AWS.Tools does: -AccessKey/-SecretKey(/-SessionToken) or
/// -AwsCredential (access key ID as the user name, secret access key as the password), else -ProfileName, else the SDK's
/// default chain. Two ways to give keys at once are refused, not guessed.
/// </summary>
public sealed class AwsParameters : ParameterBlock
{
    [Parameter]
    [Credential]
    public PSCredential? AwsCredential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AccessKey { get; set; }

    [Parameter]
    public SecureString? SecretKey { get; set; }

    [Parameter]
    public SecureString? SessionToken { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    [Parameter]
    public SwitchParameter UseFipsEndpoint { get; set; }

    /// <summary>The connection these parameters describe; the region is -Region's (empty: Core's rule decides — the record's, then AWS_REGION).</summary>
    public AwsConnection ToConnection()
    {
        var credentialGiven = AwsCredential is { } credential && credential != PSCredential.Empty;
        if (credentialGiven && (AccessKey is not null || SecretKey is not null))
        {
            throw Conflict("-AwsCredential and -AccessKey/-SecretKey both give the access key pair: give one of the two.", "AwsCredential");
        }
        var accessKey = credentialGiven ? AwsCredential!.UserName : AccessKey;
        var secretKey = credentialGiven ? AwsCredential!.Password : SecretKey;
        if ((accessKey is null) != (secretKey is null))
        {
            throw Conflict(accessKey is null ? "-SecretKey needs its -AccessKey." : "-AccessKey needs its -SecretKey.", accessKey is null ? "SecretKey" : "AccessKey");
        }
        if (SessionToken is not null && accessKey is null)
        {
            throw Conflict("-SessionToken belongs to temporary keys: give it with -AccessKey/-SecretKey or -AwsCredential.", "SessionToken");
        }
        return new AwsConnection(Region ?? "", accessKey, secretKey, ProfileName, EndpointUrl)
        {
            SessionToken = SessionToken,
            UseFipsEndpoint = UseFipsEndpoint.IsPresent,
        };
    }

    private static FipsClusterException Conflict(string message, string parameter) =>
        new(ErrorIds.AwsCredentialsConflict, FipsErrorCategory.InvalidArgument, message, parameter)
        {
            RecommendedAction = "Give the keys one way: -AccessKey with -SecretKey (and -SessionToken), or -AwsCredential, or -ProfileName.",
        };
}

/// <summary>Tab completion of -Region from the AWS SDK's own region list.</summary>
public sealed class AwsRegionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return AwsRegions.All()
            .Where(r => r.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(r => new CompletionResult(r.Name, r.Name, CompletionResultType.ParameterValue, r.DisplayName));
    }
}
