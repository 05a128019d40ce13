using System.Security;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using FipsCluster.Core.Tokens;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>How to reach EC2, in types the cmdlet layer may name (no AWS SDK type crosses into the module's default load context).</summary>
public sealed record AwsConnection(string Region, string? AccessKeyId, SecureString? SecretAccessKey, string? ProfileName, string? EndpointUrl)
{
    /// <summary>The session token of temporary credentials (with the access key pair).</summary>
    public SecureString? SessionToken { get; init; }

    /// <summary>Asks for the region's FIPS endpoints whatever the cluster's mode (a FIPS cluster uses them anyway where the region has them).</summary>
    public bool UseFipsEndpoint { get; init; }
}

/// <summary>An EC2 client as AWS.Tools users expect: explicit keys, a named profile, or the default credential chain; -EndpointUrl for other endpoints.</summary>
public static class Ec2ClientFactory
{
    public static IAmazonEC2 Create(AwsConnection connection) =>
        Create(connection.Region, connection.AccessKeyId, connection.SecretAccessKey, connection.ProfileName, connection.EndpointUrl);

    /// <summary>
    /// Runs <paramref name="work"/> with a client for the connection and disposes it; whatever EC2 (or the way to it)
    /// throws arrives classified and names the endpoint, e.g. "EC2 at http://127.0.0.1:1: The endpoint cannot be reached".
    /// </summary>
    public static async Task<T> UseAsync<T>(AwsConnection connection, Func<IAmazonEC2, Task<T>> work, CancellationToken cancellation)
    {
        using var ec2 = Create(connection);
        try
        {
            return await work(ec2).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not FipsClusterException && !(ex is OperationCanceledException && cancellation.IsCancellationRequested))
        {
            var where = connection.EndpointUrl is { Length: > 0 } url ? url : $"ec2.{connection.Region}";
            throw Operations.FailureClassifier.Classify(ex, where, $"EC2 at {where}", connection.SecretAccessKey is { } secret ? new[] { secret } : null);
        }
    }

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
            return SecretText.Use(secretAccessKey, secret => new Ec2Client(new BasicAWSCredentials(accessKeyId, new string(secret)), config));
        }
        if (profileName is { Length: > 0 })
        {
            if (!new CredentialProfileStoreChain().TryGetAWSCredentials(profileName, out var credentials))
            {
                throw new FipsClusterException(ErrorIds.AwsCredentialsUnavailable, FipsErrorCategory.AuthenticationError, $"There is no AWS profile named '{profileName}'.", profileName);
            }
            return new Ec2Client(credentials, config);
        }
        try
        {
            return new Ec2Client(config); // the default credential chain (environment, profile, web identity, instance role)
        }
        catch (AmazonClientException ex)
        {
            throw new FipsClusterException(ErrorIds.AwsCredentialsUnavailable, FipsErrorCategory.AuthenticationError,
                "No AWS credentials were found: none in -Credential or -ProfileName, the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables, the default profile, a web identity or an instance role.",
                "Credential", ex)
            {
                RecommendedAction = "Give -Credential (access key ID as user name, secret access key as password) or -ProfileName, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
            };
        }
    }

    /// <summary>
    /// The SDK's EC2 client with one change to its standard retries (throttling, 5xx and dropped connections are still
    /// retried with backoff): an endpoint that refused the connection, a name that does not exist or a certificate that is
    /// not trusted fails at once, since asking again cannot change the answer and five backoffs made a dead -EndpointUrl
    /// take 11-18 s.
    /// </summary>
    private sealed class Ec2Client : AmazonEC2Client
    {
        public Ec2Client(AWSCredentials credentials, AmazonEC2Config config)
            : base(credentials, config)
        {
        }

        /// <summary>The default credential chain; throws AmazonClientException when it finds nothing.</summary>
        public Ec2Client(AmazonEC2Config config)
            : base(config)
        {
        }

        protected override void CustomizeRuntimePipeline(Amazon.Runtime.Internal.RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            pipeline.ReplaceHandler<Amazon.Runtime.Internal.RetryHandler>(new Amazon.Runtime.Internal.RetryHandler(new DefinitiveFailuresNotRetried(Config)));
        }
    }

    private sealed class DefinitiveFailuresNotRetried : Amazon.Runtime.Internal.StandardRetryPolicy
    {
        public DefinitiveFailuresNotRetried(IClientConfig config)
            : base(config)
        {
        }

        public override bool RetryForException(IExecutionContext executionContext, Exception exception) =>
            !IsDefinitive(exception) && base.RetryForException(executionContext, exception);

        public override Task<bool> RetryForExceptionAsync(IExecutionContext executionContext, Exception exception) =>
            IsDefinitive(exception) ? Task.FromResult(false) : base.RetryForExceptionAsync(executionContext, exception);

        /// <summary>
        /// Answers that another attempt would repeat: connection refused, no such host, a certificate that is not trusted.
        /// Temporary DNS failures (TryAgain), resets and timeouts are still retried.
        /// </summary>
        private static bool IsDefinitive(Exception exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                if (e is System.Security.Authentication.AuthenticationException
                    or System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused or System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData })
                {
                    return true;
                }
            }
            return false;
        }
    }
}
