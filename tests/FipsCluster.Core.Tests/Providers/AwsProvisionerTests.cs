using System.Text;
using Amazon.EC2;
using Amazon.Runtime;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>Provisioning through the real AWSSDK.EC2 client against the EC2 Query stub, with a real cluster store.</summary>
public sealed class AwsProvisionerTests : IDisposable
{
    private readonly Ec2QueryStub _ec2 = new();
    private readonly AmazonEC2Client _client;
    private readonly string _home = Path.Combine(Path.GetTempPath(), "fc-aws-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly FileClusterStore _store;

    public AwsProvisionerTests()
    {
        _ec2.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-x86_64-FIPS", "Red Hat Enterprise Linux");
        _ec2.Images["ami-0aaaaaaaaaaaaaaaa"] = ("x86_64", "ubuntu-jammy-22.04-amd64-server", "Linux/UNIX");
        _client = new AmazonEC2Client(new BasicAWSCredentials("AKIAFIPSCLUSTERTEST", "not-a-real-secret"),
            new AmazonEC2Config { ServiceURL = _ec2.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 4 });
        _store = new FileClusterStore(_home);
    }

    public void Dispose()
    {
        _client.Dispose();
        _ec2.Dispose();
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private static AwsClusterSpec Spec(int controlPlanes = 3, int workers = 3, string ami = "ami-0123456789abcdef0", string version = "v1.29.6+fips.0") => new()
    {
        Name = "prod", Region = "us-east-1", Ami = ami, KubernetesVersion = version, KubernetesImageRepository = "docker.io/mesosphere",
        EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", ControlPlaneCount = controlPlanes, WorkerCount = workers, SshKeyName = "ops",
    };

    private Task<FipsClusterRecord?> Create(AwsClusterSpec spec, bool keepOnFailure = false, OperationContext? context = null) =>
        new AwsProvisioner(_client, _store).CreateAsync(spec, ComplianceProfiles.Default, keepOnFailure, context ?? OperationContext.None);

    private List<(string Action, IReadOnlyDictionary<string, string> Parameters)> Calls(string action) => _ec2.Requests.Where(r => r.Action == action).ToList();

    private int Mutating => _ec2.Requests.Count(r => Ec2QueryStub.MutatingActions.Contains(r.Action));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 3)]
    public async Task A_cluster_is_launched_with_the_AMI_tags_client_tokens_and_exactly_the_rendered_cloud_init(int controlPlanes, int workers)
    {
        var spec = Spec(controlPlanes, workers);
        var record = await Create(spec);
        Assert.NotNull(record);
        Assert.Equal(FipsClusterProvider.AWS, record!.Provider);
        Assert.True(record.Fips);
        var runs = Calls("RunInstances");
        Assert.Equal(workers > 0 ? 2 : 1, runs.Count);
        foreach (var (_, p) in runs)
        {
            var role = p["TagSpecification.1.Tag.3.Value"];
            Assert.Equal("ami-0123456789abcdef0", p["ImageId"]);
            Assert.Equal("ops", p["KeyName"]);
            Assert.StartsWith("fc-", p["ClientToken"]);
            Assert.EndsWith("-" + role, p["ClientToken"]);
            Assert.Equal((role == "control-plane" ? controlPlanes : workers).ToString(), p["MaxCount"]);
            var tags = p.Where(kv => kv.Key.StartsWith("TagSpecification.1.Tag.", StringComparison.Ordinal) && kv.Key.EndsWith(".Key", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Value, kv => p[kv.Key[..^4] + ".Value"]);
            Assert.Equal("prod", tags["fipscluster.io/cluster"]);
            Assert.Equal("true", tags["fipscluster.io/fips"]);
            // What is sent is byte-identical to Export-FipsClusterManifest -ManifestKind CloudInit.
            // (gzip-compressed for EC2's 16 KB limit, which cloud-init undoes).
            Assert.Equal(CloudInitRenderer.Render(spec, role == "control-plane" ? "ControlPlane" : "Worker"), Ec2QueryStub.UserDataText(p["UserData"]));
        }
        Assert.Equal(controlPlanes + workers, _ec2.Instances.Count);
        Assert.Equal(1 + controlPlanes + workers, record.Resources.Count);
        Assert.Equal(controlPlanes + workers, _store.Get("prod").Nodes.Count);
        // EC2 lists a launch in no promised order (the stub reverses it): the first control plane recorded — the one
        // bootstrapped over SSH — is launch index 0, the only one whose cloud-init runs kubeadm init.
        Assert.Equal(0, _ec2.LaunchIndex(_store.Get("prod").Nodes.First(n => n.Role == "ControlPlane").NodeId!));
    }

    [Theory]
    [InlineData("ami-0bbbbbbbbbbbbbbbb", "v1.29.6+fips.0", "does not exist")]
    [InlineData("ami-0aaaaaaaaaaaaaaaa", "v1.29.6+fips.0", "not a RHEL-family image")]
    [InlineData("ami-0123456789abcdef0", "v1.29.6", "X.Y.Z+fips.N")]
    public async Task Bad_AMIs_and_non_FIPS_versions_are_refused_before_any_mutating_call(string ami, string version, string reason)
    {
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Create(Spec(ami: ami, version: version)));
        Assert.Contains(reason, error.Message);
        Assert.Equal(0, Mutating);
    }

    [Fact]
    public async Task Throttling_is_retried_and_creates_nothing_twice()
    {
        _ec2.Throttle("RunInstances", 2);
        Assert.NotNull(await Create(Spec()));
        Assert.Equal(6, _ec2.Instances.Count);
        Assert.True(Calls("RunInstances").Count >= 4);
    }

    [Theory]
    [InlineData("capacity")] // EC2 refuses the workers: InsufficientInstanceCapacity on every retry
    [InlineData("network")]  // the workers' launch never gets an answer: the SDK retries, then gives up with a transport error
    public async Task A_failure_launching_the_last_instances_terminates_everything_created_and_deletes_the_group(string failure)
    {
        if (failure == "capacity")
        {
            _ec2.NoCapacityForRole = "worker";
        }
        else
        {
            _ec2.DropConnection = (action, p) => action == "RunInstances" && p.Values.Contains("worker");
        }
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Create(Spec()));
        Assert.Equal(ErrorIds.ProvisioningFailed, error.ErrorId);
        Assert.Contains(failure == "capacity" ? "InsufficientInstanceCapacity" : "rolled back", error.Message);
        Assert.Contains("rolled back", error.Message);
        Assert.Equal(3, _ec2.Instances.Count);
        Assert.All(_ec2.Instances.Values, i => Assert.Equal("terminated", i.State));
        Assert.Empty(_ec2.SecurityGroups);
        Assert.Empty(_store.Names());
    }

    [Fact]
    public async Task A_rollback_the_network_also_fails_names_what_it_left_behind()
    {
        _ec2.NoCapacityForRole = "worker";
        _ec2.DropConnection = (action, _) => action == "TerminateInstances";
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Create(Spec()));
        Assert.Equal(ErrorIds.ProvisioningFailed, error.ErrorId);
        Assert.Contains("InsufficientInstanceCapacity", error.Message);
        Assert.Contains("NOT removed", error.Message);
        foreach (var id in _ec2.Instances.Keys)
        {
            Assert.Contains(id, error.Message);
        }
        Assert.Contains(_ec2.SecurityGroups.Keys.Single(), error.Message);
    }

    [Fact]
    public async Task A_re_run_reuses_what_an_interrupted_run_left_and_a_finished_cluster_is_not_created_twice()
    {
        _ec2.NoCapacityForRole = "worker";
        await Assert.ThrowsAnyAsync<Exception>(() => Create(Spec(), keepOnFailure: true));
        Assert.Equal(3, _ec2.Instances.Count);
        _ec2.NoCapacityForRole = null;
        var record = await Create(Spec());
        Assert.NotNull(record);
        Assert.Equal(6, _ec2.Instances.Count); // the control plane came back through its ClientToken
        Assert.Single(_ec2.SecurityGroups);
        var again = await Assert.ThrowsAsync<FipsClusterException>(() => Create(Spec()));
        Assert.Equal(ErrorIds.FipsClusterExists, again.ErrorId);
        Assert.Equal(6, _ec2.Instances.Count);
    }

    [Fact]
    public async Task A_re_run_closes_the_ingress_an_earlier_attempt_opened_that_it_no_longer_asks_for()
    {
        static AwsClusterSpec WithIngress(string[] ssh, string[] api) => new()
        {
            Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", KubernetesImageRepository = "docker.io/mesosphere",
            EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", ControlPlaneCount = 1, WorkerCount = 1, SshKeyName = "ops",
            SshAllowedCidrs = ssh, ApiAllowedCidrs = api,
        };
        var wide = WithIngress(new[] { "0.0.0.0/0" }, new[] { "203.0.113.0/24", "2001:db8::/32" });
        _ec2.NoCapacityForRole = "worker";
        await Assert.ThrowsAnyAsync<Exception>(() => new AwsProvisioner(_client, _store) { AllowSshFromEverywhere = true }.CreateAsync(wide, ComplianceProfiles.Default, true, OperationContext.None));
        Assert.Contains(_ec2.Ingress, r => r.FromPort == 22 && r.Source == "0.0.0.0/0");
        _ec2.NoCapacityForRole = null;

        // The same cluster again, with SSH narrowed to one address and the IPv6 API network dropped.
        var narrow = WithIngress(new[] { "198.51.100.7" }, new[] { "203.0.113.0/24" });
        var warnings = new List<string>();
        Assert.NotNull(await new AwsProvisioner(_client, _store).CreateAsync(narrow, ComplianceProfiles.Default, false, new OperationContext { Warning = warnings.Add }));
        var outside = _ec2.Ingress.Where(r => !r.Source.StartsWith("sg-", StringComparison.Ordinal)).Select(r => (r.FromPort, r.Source)).Order().ToList();
        Assert.Equal(new[] { (22, "198.51.100.7/32"), (6443, "203.0.113.0/24") }, outside);
        Assert.Equal(new[] { "0.0.0.0/0", "2001:db8::/32" }, _ec2.RevokedIngress.Select(r => r.Source).Order());
        Assert.Single(Calls("RevokeSecurityGroupIngress")); // in one call
        Assert.Equal(5, _ec2.Ingress.Count(r => r.Source.StartsWith("sg-", StringComparison.Ordinal))); // the group's own rules stay
        var warning = Assert.Single(warnings, w => w.Contains("closed the ingress", StringComparison.Ordinal));
        Assert.Contains("tcp 22 from 0.0.0.0/0", warning);
        Assert.Contains("tcp 6443 from 2001:db8::/32", warning);
    }

    [Fact]
    public async Task By_default_the_group_admits_only_itself_and_the_user_data_holds_no_join_step()
    {
        var spec = Spec(1, 2);
        Assert.NotNull(await Create(spec));
        var group = Assert.Single(_ec2.SecurityGroups.Keys);
        Assert.Equal(new[] { 22, 2379, 2380, 6443, 10250 }, _ec2.Ingress.Select(r => r.FromPort).Order());
        Assert.All(_ec2.Ingress, r => Assert.Equal(group, r.Source));
        Assert.Single(Calls("AuthorizeSecurityGroupIngress"));
        // Nodes are joined over SSH: no join command, token or placeholder in any user data.
        foreach (var role in new[] { "ControlPlane", "Worker" })
        {
            foreach (var secretBearer in new[] { "kubeadm join", "--token", "discovery-token", "certificate-key", "join-command", "bootstrap-token" })
            {
                Assert.DoesNotContain(secretBearer, CloudInitRenderer.Render(spec, role), StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task The_API_and_SSH_are_opened_to_exactly_the_given_networks_in_the_one_authorize_call()
    {
        var spec = new AwsClusterSpec
        {
            Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", KubernetesImageRepository = "docker.io/mesosphere",
            EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere",
            ApiAllowedCidrs = new[] { "203.0.113.0/24", "2001:db8::/32" }, SshAllowedCidrs = new[] { "198.51.100.7" },
        };
        var record = await Create(spec);
        var authorize = Assert.Single(Calls("AuthorizeSecurityGroupIngress")).Parameters;
        Assert.Contains(authorize, kv => kv.Key.EndsWith(".IpRanges.1.CidrIp", StringComparison.Ordinal) && kv.Value == "203.0.113.0/24");
        Assert.Contains(authorize, kv => kv.Key.EndsWith(".Ipv6Ranges.1.CidrIpv6", StringComparison.Ordinal) && kv.Value == "2001:db8::/32");
        var outside = _ec2.Ingress.Where(r => !r.Source.StartsWith("sg-", StringComparison.Ordinal)).Select(r => (r.FromPort, r.ToPort, r.Source)).Order().ToList();
        Assert.Equal(new[] { (22, 22, "198.51.100.7/32"), (6443, 6443, "2001:db8::/32"), (6443, 6443, "203.0.113.0/24") }, outside);
        Assert.All(_ec2.Ingress, r => Assert.Equal("tcp", r.Protocol));
        Assert.Equal(new[] { "198.51.100.7" }, record!.AwsSpec!.SshAllowedCidrs); // recorded as given
    }

    [Theory]
    [InlineData("0.0.0.0/0", "whole Internet")]
    [InlineData("10.1.2.3/16", "did you mean 10.1.0.0/16")]
    [InlineData("10.0.0.0/33", "CIDR notation")]
    public async Task Bad_networks_and_SSH_from_everywhere_are_refused_before_any_mutating_call(string cidr, string reason)
    {
        var spec = new AwsClusterSpec
        {
            Name = "prod", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", KubernetesImageRepository = "docker.io/mesosphere",
            EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", SshAllowedCidrs = new[] { cidr },
        };
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Create(spec));
        Assert.Equal(ErrorIds.InvalidIngressCidr, error.ErrorId);
        Assert.Contains(reason, error.Message);
        Assert.Equal(0, Mutating);
        // -Force (AllowSshFromEverywhere) allows a /0, and says so.
        if (cidr == "0.0.0.0/0")
        {
            var warnings = new List<string>();
            var record = await new AwsProvisioner(_client, _store) { AllowSshFromEverywhere = true }
                .CreateAsync(spec, ComplianceProfiles.Default, false, new OperationContext { Warning = warnings.Add });
            Assert.NotNull(record);
            Assert.Contains(warnings, w => w.Contains("whole Internet", StringComparison.Ordinal));
            Assert.Contains(_ec2.Ingress, r => r.FromPort == 22 && r.Source == "0.0.0.0/0");
        }
    }

    [Fact]
    public async Task WhatIf_makes_no_mutating_call()
    {
        var record = await Create(Spec(), context: new OperationContext { ShouldProcess = (_, _) => false });
        Assert.Null(record);
        Assert.Equal(0, Mutating);
        Assert.Single(Calls("DescribeImages"));
    }
    [Fact]
    public async Task An_arm64_cluster_boots_an_arm64_AMI_on_Graviton_instances_and_the_plan_names_every_default()
    {
        _ec2.Images["ami-0fedcba9876543210"] = ("arm64", "RHEL-9.4.0_HVM-arm64-FIPS", "Red Hat Enterprise Linux");
        var spec = new AwsClusterSpec
        {
            Name = "graviton", Region = "us-east-1", Ami = "ami-0fedcba9876543210", Architecture = "arm64", KubernetesVersion = "v1.31.2+fips.0",
            EtcdVersion = "3.5.15+fips.0", ControlPlaneCount = 1, WorkerCount = 2,
        };
        var plans = new List<string>();
        var verbose = new List<string>();
        Assert.Null(await Create(spec, context: new OperationContext { ShouldProcess = (_, action) => { plans.Add(action); return false; }, Verbose = verbose.Add }));
        var plan = Assert.Single(plans);
        Assert.Contains("1 control-plane (m7g.xlarge) + 2 worker (m7g.2xlarge) arm64 instances", plan);
        Assert.Contains("defaults: Kubernetes images: docker.io/mesosphere (DKP's published FIPS builds, tag v1.31.2_fips.0", plan);
        Assert.Contains(verbose, v => v.Contains("default etcd image: docker.io/mesosphere", StringComparison.Ordinal));

        var record = await Create(spec);
        Assert.NotNull(record);
        var runs = Calls("RunInstances").ToDictionary(r => r.Parameters["TagSpecification.1.Tag.3.Value"], r => r.Parameters);
        Assert.Equal("m7g.xlarge", runs["control-plane"]["InstanceType"]);
        Assert.Equal("m7g.2xlarge", runs["worker"]["InstanceType"]);
        // The record keeps the spec as provisioned, defaults filled: later nodes and manifests use the same.
        var stored = _store.Get("graviton").AwsSpec!;
        Assert.Equal("m7g.2xlarge", stored.WorkerInstanceType);
        Assert.Equal("docker.io/mesosphere", stored.KubernetesImageRepository);
        Assert.Contains("imageRepository: docker.io/mesosphere", Ec2QueryStub.UserDataText(runs["control-plane"]["UserData"]));
        Assert.Contains("apiVersion: kubeadm.k8s.io/v1beta4", Ec2QueryStub.UserDataText(runs["control-plane"]["UserData"]));
    }

    [Fact]
    public async Task An_x86_64_AMI_is_refused_for_an_arm64_cluster_before_any_mutating_call()
    {
        var spec = new AwsClusterSpec
        {
            Name = "graviton", Region = "us-east-1", Ami = "ami-0123456789abcdef0", Architecture = "arm64", KubernetesVersion = "v1.31.2+fips.0", EtcdVersion = "3.5.15+fips.0",
        };
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Create(spec));
        Assert.Equal(ErrorIds.InvalidClusterSpec, error.ErrorId);
        Assert.Contains("is x86_64, but arm64 was requested", error.Message);
        Assert.Equal(0, Mutating);
    }

    [Theory]
    [InlineData("arm64", "m5.xlarge", "runs x86_64, not arm64: choose arm64 instance types (Graviton families")]
    [InlineData("x86_64", "t4g.medium", "runs arm64, not x86_64")]
    [InlineData("x86_64", "m9z.large", "do not exist: [m9z.large] in us-east-1 (InvalidInstanceType)")]
    public async Task Instance_types_that_do_not_run_the_architecture_or_do_not_exist_are_refused_before_any_mutating_call(string architecture, string workerType, string reason)
    {
        _ec2.Images["ami-0fedcba9876543210"] = ("arm64", "RHEL-9.4.0_HVM-arm64-FIPS", "Red Hat Enterprise Linux");
        var spec = new AwsClusterSpec
        {
            Name = "prod", Region = "us-east-1", Ami = architecture == "arm64" ? "ami-0fedcba9876543210" : "ami-0123456789abcdef0", Architecture = architecture,
            KubernetesVersion = "v1.31.2+fips.0", EtcdVersion = "3.5.15+fips.0", WorkerInstanceType = workerType, WorkerCount = 1,
        };
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Create(spec));
        Assert.Equal(ErrorIds.InvalidClusterSpec, error.ErrorId);
        Assert.Contains(workerType, error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Equal(0, Mutating);
        var asked = Assert.Single(Calls("DescribeInstanceTypes")).Parameters;
        Assert.Equal(architecture == "arm64" ? "m7g.xlarge" : "m5.xlarge", asked["InstanceType.1"]);
        Assert.Equal(workerType, asked["InstanceType.2"]);
    }
}
