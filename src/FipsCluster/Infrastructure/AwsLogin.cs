using System.Management.Automation;
using FipsCluster.Core.Providers.Aws;

namespace FipsCluster.Infrastructure;

/// <summary>
/// How every cmdlet that reaches EC2 turns its parameters into a connection, as AWS.Tools does: -Credential holds the
/// access key ID (user name) and secret access key (password); without it -ProfileName, then the default chain.
/// </summary>
internal static class AwsLogin
{
    /// <summary>The region is the cluster record's (or New-FipsCluster's -Region); empty lets the provider fill it in.</summary>
    public static AwsConnection Build(PSCredential? credential, string? profileName, string? endpointUrl, string region = "") =>
        new() { Region = region, AccessKeyId = credential?.UserName, SecretAccessKey = credential?.Password, ProfileName = profileName, EndpointUrl = endpointUrl };
}
