using Amazon.EC2;
using Amazon.Runtime;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>The AMI check through the real AWSSDK.EC2 client against the EC2 Query stub.</summary>
public sealed class AmiCheckTests : IDisposable
{
    private readonly Ec2QueryStub _ec2 = new();
    private readonly AmazonEC2Client _client;

    public AmiCheckTests()
    {
        _ec2.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-20240605-x86_64-FIPS", "Red Hat Enterprise Linux");
        _ec2.Images["ami-0fedcba9876543210"] = ("arm64", "RHEL-9.4.0_HVM-arm64", "Red Hat Enterprise Linux");
        _ec2.Images["ami-0aaaaaaaaaaaaaaaa"] = ("x86_64", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server", "Linux/UNIX");
        _client = new AmazonEC2Client(new BasicAWSCredentials("AKIAFIPSCLUSTERTEST", "not-a-real-secret"),
            new AmazonEC2Config { ServiceURL = _ec2.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 4 });
    }

    public void Dispose()
    {
        _client.Dispose();
        _ec2.Dispose();
    }

    private static AwsClusterSpec Spec(string ami, bool fips = true, string architecture = "x86_64") => new()
    {
        Name = "prod", Region = "us-east-1", Ami = ami, Architecture = architecture, KubernetesVersion = "v1.29.6+fips.0", Fips = fips,
    };

    [Fact]
    public async Task A_RHEL_AMI_of_the_requested_architecture_passes()
    {
        var image = await AmiCheck.VerifyAsync(_client, Spec("ami-0123456789abcdef0"), OperationContext.None);
        Assert.Equal("ami-0123456789abcdef0", image.ImageId);
        var (action, parameters) = Assert.Single(_ec2.Requests);
        Assert.Equal("DescribeImages", action);
        Assert.Equal("ami-0123456789abcdef0", parameters["ImageId.1"]);
    }

    [Theory]
    [InlineData("ami-0bbbbbbbbbbbbbbbb", "x86_64", "does not exist")]
    [InlineData("ami-0fedcba9876543210", "x86_64", "is arm64, but x86_64 was requested")]
    [InlineData("ami-0aaaaaaaaaaaaaaaa", "x86_64", "is not a RHEL-family image")]
    public async Task Missing_mismatched_or_non_RHEL_AMIs_are_refused_for_a_FIPS_cluster(string ami, string architecture, string reason)
    {
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => AmiCheck.VerifyAsync(_client, Spec(ami, architecture: architecture), OperationContext.None));
        Assert.Equal(ErrorIds.InvalidClusterSpec, error.ErrorId);
        Assert.Contains(reason, error.Message);
        Assert.All(_ec2.Requests, r => Assert.Equal("DescribeImages", r.Action)); // nothing but the read
    }

    [Fact]
    public async Task A_non_FIPS_cluster_only_warns_about_a_non_RHEL_AMI()
    {
        var warnings = new List<string>();
        await AmiCheck.VerifyAsync(_client, Spec("ami-0aaaaaaaaaaaaaaaa", fips: false), new OperationContext { Warning = warnings.Add });
        Assert.Contains(warnings, w => w.Contains("not a RHEL-family image"));
    }

    [Fact]
    public async Task Throttling_is_retried_by_the_SDK()
    {
        _ec2.Throttle("DescribeImages", 2);
        await AmiCheck.VerifyAsync(_client, Spec("ami-0123456789abcdef0"), OperationContext.None);
        Assert.Equal(3, _ec2.Requests.Count(r => r.Action == "DescribeImages"));
    }
}
