using Amazon.EC2;
using Amazon.Runtime;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Tests.Providers;
using Xunit;

namespace FipsCluster.Core.Tests.Clusters;

/// <summary>
/// One name rule (DNS-1123 label) for every new cluster, whatever creates it — the Swarm service, the AWS
/// provisioner, the spec validator behind Export-FipsClusterManifest, the store itself — with one error that names the
/// rule. Records stored under the earlier, wider rule stay readable, changeable and removable.
/// </summary>
public sealed class ClusterNamesTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "fc-names-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    public static readonly TheoryData<string> Refused = new()
    {
        "", "my_cluster", "Prod", "PROD", "-prod", "prod-", "a.b", "a b", "prod\n", "../etc", new string('a', 64), "ünïcode",
    };

    [Theory]
    [InlineData("prod")]
    [InlineData("on")]
    [InlineData("0755")]
    [InlineData("a")]
    [InlineData("1e3")]
    [InlineData("dkp-fips-01")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void DNS_1123_labels_are_accepted(string name)
    {
        Assert.True(ClusterNames.IsValid(name));
        Assert.Equal(name, ClusterNames.Validate(name));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Anything_else_is_refused_with_an_error_that_names_the_rule(string name)
    {
        Assert.False(ClusterNames.IsValid(name));
        var error = Assert.Throws<FipsClusterException>(() => ClusterNames.Validate(name));
        Assert.Equal(ErrorIds.InvalidClusterName, error.ErrorId);
        Assert.Equal(FipsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("DNS-1123 label", error.Message);
        Assert.Contains("lower-case letters, digits and '-'", error.Message);
    }

    [Fact]
    public void The_error_suggests_the_label_an_old_style_name_becomes()
    {
        Assert.Contains("(e.g. 'my-cluster')", Assert.Throws<FipsClusterException>(() => ClusterNames.Validate("My_Cluster")).Message);
    }

    private static FipsClusterRecord Record(string name) => new()
    {
        Name = name, Provider = FipsClusterProvider.Swarm, Fips = true, ComplianceProfile = "FIPS-140-3", ComplianceProfileHash = "sha256:abc",
        Endpoints = new[] { "unix:///var/run/docker.sock" }, Description = "test",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Every_way_of_creating_a_cluster_refuses_the_same_names(string name)
    {
        var store = new FileClusterStore(_home);
        Assert.Equal(ErrorIds.InvalidClusterName, Assert.Throws<FipsClusterException>(() => store.Create(Record(name))).ErrorId);

        var swarm = await Assert.ThrowsAsync<FipsClusterException>(() => new ClusterService(store).CreateAsync(new NewSwarmClusterOptions
        {
            Name = name, Engine = DockerEndpoint.Resolve("tcp://127.0.0.1:1"), Profile = ComplianceProfiles.Default,
        }, OperationContext.None));
        Assert.Equal(ErrorIds.InvalidClusterName, swarm.ErrorId);

        var spec = new AwsClusterSpec { Name = name, Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", EtcdVersion = "3.5.10+fips.0" };
        Assert.Equal(ErrorIds.InvalidClusterName, Assert.Throws<FipsClusterException>(() => AwsClusterSpecValidator.Validate(spec)).ErrorId);
        using var ec2 = new Ec2QueryStub();
        using var client = new AmazonEC2Client(new BasicAWSCredentials("AKIAFIPSCLUSTERTEST", "not-a-real-secret"), new AmazonEC2Config { ServiceURL = ec2.Url, AuthenticationRegion = "us-east-1" });
        var aws = await Assert.ThrowsAsync<FipsClusterException>(() => new AwsProvisioner(client, store).CreateAsync(spec, ComplianceProfiles.Default, false, OperationContext.None));
        Assert.Equal(ErrorIds.InvalidClusterName, aws.ErrorId);
        Assert.Empty(ec2.Requests); // refused before any AWS call

        Assert.Empty(store.Names());
    }

    [Fact]
    public void A_record_stored_under_the_earlier_rule_is_still_read_changed_and_removed()
    {
        // As an earlier version wrote it (letters of either case and '_' were allowed then): format 1, MAC over the bytes.
        var store = new FileClusterStore(_home);
        new PreIndexStore(_home).Write("old_lab", new { name = "Old_Lab", provider = "Swarm", fips = true, complianceProfile = "FIPS-140-3", version = 1 });

        Assert.Equal("Old_Lab", store.Get("Old_Lab").Name);
        Assert.Equal("later", store.Update("Old_Lab", r => new FipsClusterRecord
        {
            Name = r.Name, Provider = r.Provider, Fips = r.Fips, ComplianceProfile = r.ComplianceProfile, Description = "later",
        }).Description);
        Assert.Equal("later", new FileClusterStore(_home).Get("Old_Lab").Description);
        // A new cluster cannot take such a name, not even this one's.
        Assert.Equal(ErrorIds.InvalidClusterName, Assert.Throws<FipsClusterException>(() => store.Create(Record("Old_Lab"))).ErrorId);
        Assert.True(store.Delete("Old_Lab"));
        Assert.Empty(store.Names());
    }
}
