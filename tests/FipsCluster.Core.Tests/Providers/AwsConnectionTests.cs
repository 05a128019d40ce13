using Amazon.EC2.Model;
using Amazon.Runtime.Endpoints;
using FipsCluster.Core.Providers.Aws;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// Where EC2 is reached: a FIPS cluster goes through the region's FIPS endpoint where EC2 has one, as the SDK itself
/// resolves it (its endpoint rules, no network); the region is the cluster's, else the one given, else AWS_REGION.
/// </summary>
public sealed class AwsConnectionTests
{
    /// <summary>The host the SDK sends a DescribeInstances request to, for this connection's client configuration.</summary>
    private static string Host(AwsConnection connection) =>
        new Uri(Ec2ClientFactory.Config(connection).DetermineServiceOperationEndpoint(new ServiceOperationEndpointParameters(new DescribeInstancesRequest())).URL).Host;

    [Theory]
    [InlineData("us-east-1", "ec2-fips.us-east-1.amazonaws.com")]
    [InlineData("us-west-2", "ec2-fips.us-west-2.amazonaws.com")]
    [InlineData("ca-central-1", "ec2-fips.ca-central-1.amazonaws.com")]
    [InlineData("us-gov-west-1", "ec2.us-gov-west-1.amazonaws.com")] // GovCloud's EC2 endpoint is its FIPS endpoint
    public void A_FIPS_cluster_uses_the_regions_FIPS_endpoint_as_the_SDK_resolves_it(string region, string expected)
    {
        var connection = new AwsConnection { Region = region }.ForCluster(fips: true);
        Assert.True(connection.UseFipsEndpoint);
        Assert.Equal(expected, Host(connection));
    }

    [Theory]
    [InlineData("us-east-1", "ec2.us-east-1.amazonaws.com")]
    [InlineData("us-gov-west-1", "ec2.us-gov-west-1.amazonaws.com")]
    public void A_non_FIPS_cluster_uses_the_standard_endpoint_unless_asked(string region, string expected)
    {
        var connection = new AwsConnection { Region = region }.ForCluster(fips: false);
        Assert.False(connection.UseFipsEndpoint);
        Assert.Equal(expected, Host(connection));
        Assert.StartsWith("ec2-fips.", Host(connection with { Region = "us-east-1", UseFipsEndpoint = true }), StringComparison.Ordinal);
    }

    [Fact]
    public void A_region_without_an_EC2_FIPS_endpoint_keeps_the_standard_one()
    {
        // The SDK would build ec2-fips.eu-west-1.amazonaws.com, a name that does not exist.
        var connection = new AwsConnection { Region = "eu-west-1" }.ForCluster(fips: true);
        Assert.False(connection.UseFipsEndpoint);
        Assert.Equal("ec2.eu-west-1.amazonaws.com", Host(connection));
    }

    [Fact]
    public void An_endpoint_URL_is_used_as_given()
    {
        var connection = new AwsConnection { Region = "us-east-1", EndpointUrl = "http://127.0.0.1:4566" }.ForCluster(fips: true);
        Assert.False(connection.UseFipsEndpoint);
        Assert.Equal("127.0.0.1", Host(connection));
    }

    [Fact]
    public void The_region_is_the_clusters_and_another_given_one_is_refused()
    {
        Assert.Equal("us-gov-west-1", new AwsConnection().WithRegion("us-gov-west-1", "prod").Region);
        Assert.Equal("us-gov-west-1", new AwsConnection { Region = "US-GOV-WEST-1" }.WithRegion("us-gov-west-1", "prod").Region);
        Assert.Equal("eu-west-1", new AwsConnection { Region = "eu-west-1" }.WithRegion(null, "prod").Region);
        var refused = Assert.Throws<FipsClusterException>(() => new AwsConnection { Region = "eu-west-1" }.WithRegion("us-east-1", "prod"));
        Assert.Equal(ErrorIds.InvalidClusterSpec, refused.ErrorId);
        Assert.Contains("us-east-1", refused.Message);
    }

    [Fact]
    public void Without_a_region_AWS_REGION_is_used()
    {
        var before = Environment.GetEnvironmentVariable("AWS_REGION");
        try
        {
            Environment.SetEnvironmentVariable("AWS_REGION", "us-west-1");
            Assert.Equal("us-west-1", new AwsConnection().WithRegion("", "prod").Region);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_REGION", before);
        }
    }

    [Fact]
    public void Its_text_names_the_endpoint_and_never_a_secret()
    {
        var connection = new AwsConnection
        {
            Region = "us-east-1", AccessKeyId = "AKIAFIPSCLUSTERTEST",
            SecretAccessKey = FipsCluster.Core.Tokens.SecretText.ToSecureString("wJalrXUtnFEMI-secret"),
            SessionToken = FipsCluster.Core.Tokens.SecretText.ToSecureString("FwoGZXIvYXdzE-token"),
        }.ForCluster(fips: true);
        Assert.Equal("ec2-fips.us-east-1", connection.ToString());
        Assert.Equal(2, connection.Secrets.Count);
    }
}
