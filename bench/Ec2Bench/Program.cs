// EC2 API calls and wall time of provisioning a 3+3 FIPS cluster (real AWSSDK.EC2 client, in-process EC2 Query
// server on loopback, a real cluster store), cold and warm, plus the same with two throttled RunInstances calls.
// Usage: Ec2Bench [runs=5]
using System.Diagnostics;
using Amazon.EC2;
using Amazon.Runtime;
using FipsCluster;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Testing;

var runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
var spec = new AwsClusterSpec
{
    Name = "bench", Region = "us-east-1", Ami = "ami-0123456789abcdef0", KubernetesVersion = "v1.29.6+fips.0", KubernetesImageRepository = "docker.io/mesosphere",
    EtcdVersion = "3.5.10+fips.0", EtcdImageRepository = "docker.io/mesosphere", ControlPlaneCount = 3, WorkerCount = 3,
};

(double Ms, Dictionary<string, int> Calls) Provision(int throttle)
{
    using var ec2 = new Ec2QueryStub();
    ec2.Images[spec.Ami] = ("x86_64", "RHEL-9.4.0_HVM-x86_64-FIPS", "Red Hat Enterprise Linux");
    ec2.Throttle("RunInstances", throttle);
    var home = Path.Combine(Path.GetTempPath(), "fc-ec2bench-" + Guid.NewGuid().ToString("N")[..6]);
    using var client = new AmazonEC2Client(new BasicAWSCredentials("AKIAFIPSCLUSTERTEST", "not-a-real-secret"),
        new AmazonEC2Config { ServiceURL = ec2.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 5 });
    var clock = Stopwatch.StartNew();
    new AwsProvisioner(client, new FileClusterStore(home)).CreateAsync(spec, ComplianceProfiles.Default, false, OperationContext.None).GetAwaiter().GetResult();
    var ms = clock.Elapsed.TotalMilliseconds;
    Directory.Delete(home, recursive: true);
    return (ms, ec2.Requests.GroupBy(r => r.Action).ToDictionary(g => g.Key, g => g.Count()));
}

var cold = Provision(0);
var warm = Enumerable.Range(0, runs).Select(_ => Provision(0)).ToList();
var throttled = Provision(2);
Console.WriteLine($"Provision a 3+3 FIPS cluster on EC2 (real AWSSDK.EC2 client, in-process EC2 Query server), {runs} warm runs");
Console.WriteLine($"{"run",-40} {"ms",8} {"EC2 calls",10}  by action");
void Row(string name, (double Ms, Dictionary<string, int> Calls) r) =>
    Console.WriteLine($"{name,-40} {r.Ms,8:F1} {r.Calls.Values.Sum(),10}  {string.Join(", ", r.Calls.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}");
Row("first (cold: JIT, connection)", cold);
var median = warm.OrderBy(w => w.Ms).ElementAt(warm.Count / 2);
Row("warm median", median);
Row("RunInstances throttled twice", throttled);
