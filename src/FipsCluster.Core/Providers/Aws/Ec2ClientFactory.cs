using System.Security;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using FipsCluster.Core.Tokens;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>How to reach EC2, in types the cmdlet layer may name (no AWS SDK type crosses into the module's default load context).</summary>
public sealed record AwsConnection(string Region, string? AccessKeyId, SecureString? SecretAccessKey, string? ProfileName, string? EndpointUrl);

/// <summary>An EC2 client as AWS.Tools users expect: explicit keys, a named profile, or the default credential chain; -EndpointUrl for other endpoints.</summary>
public static class Ec2ClientFactory
{
    public static IAmazonEC2 Create(AwsConnection connection) =>
        Create(connection.Region, connection.AccessKeyId, connection.SecretAccessKey, connection.ProfileName, connection.EndpointUrl);

    public static IAmazonEC2 Create(string region, string? accessKeyId, SecureString? secretAccessKey, string? profileName, string? endpointUrl)
    {
        var config = new AmazonEC2Config { MaxErrorRetry = 5 };
        if (endpointUrl is { Length: > 0 })
        {
            config.ServiceURL = endpointUrl;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        if (accessKeyId is { Length: > 0 } && secretAccessKey is not null)
        {
            return SecretText.Use(secretAccessKey, secret => new AmazonEC2Client(new BasicAWSCredentials(accessKeyId, new string(secret)), config));
        }
        if (profileName is { Length: > 0 })
        {
            if (!new CredentialProfileStoreChain().TryGetAWSCredentials(profileName, out var credentials))
            {
                throw new FipsClusterException(ErrorIds.AwsCredentialsUnavailable, FipsErrorCategory.AuthenticationError, $"There is no AWS profile named '{profileName}'.", profileName);
            }
            return new AmazonEC2Client(credentials, config);
        }
        return new AmazonEC2Client(config); // the default credential chain (environment, profile, instance role)
    }
}
