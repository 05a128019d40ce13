using System.Management.Automation;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Tests a whole cluster: every member's host against the cluster's profile, and the cluster-level FIPS evidence.</summary>
/// <remarks>ShouldProcess guards the one state change: -NodeCheck DaemonSet creates (and deletes) a namespace and a pod per node.</remarks>
[Cmdlet(VerbsDiagnostic.Test, "FipsCluster", DefaultParameterSetName = RecordSet, SupportsShouldProcess = true)]
[OutputType(typeof(ClusterComplianceReport), typeof(bool))]
public sealed class TestFipsClusterCommand : FipsVerdictCmdlet, IInsecureTransportOptIn
{
    private const string RecordSet = "Record";
    private const string KubeconfigSet = "Kubeconfig";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = KubeconfigSet)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>A live Kubernetes cluster, through its API (with a record: the AWS cluster's API, judged against what the record pins).</summary>
    [Parameter(Mandatory = true, ParameterSetName = KubeconfigSet)]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    [Parameter]
    public string? Context { get; set; }

    /// <summary>-NodeCheck Ssh: which of each node's addresses to reach it at (its status.addresses type).</summary>
    [Parameter]
    [ValidateSet("InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS", "Hostname")]
    public string NodeAddressType { get; set; } = "InternalIP";

    /// <summary>None (the API only), Ssh (Test-FipsNode on every node's InternalIP) or DaemonSet (a pod on every node).</summary>
    [Parameter]
    [ValidateSet("None", "Ssh", "DaemonSet")]
    public string NodeCheck { get; set; } = "None";

    /// <summary>-NodeCheck DaemonSet: the image whose chroot starts the facts script (any image with chroot), by digest.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string NodeCheckImage { get; set; } = Core.Providers.Kubernetes.DaemonSetNodeProbe.DefaultImage;

    /// <summary>-NodeCheck DaemonSet: how long the pods may take to start, pull the image and report; also their activeDeadlineSeconds.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int NodeCheckTimeoutSeconds { get; set; } = 300;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int SshPort { get; set; } = 22;

    [Parameter(ParameterSetName = KubeconfigSet)]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? Profile { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public string? UserName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    [Parameter]
    public HostKeyPolicy HostKeyPolicy { get; set; } = HostKeyPolicy.Strict;

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    /// <summary>Accept plaintext or unverified transport (see <see cref="IInsecureTransportOptIn"/>), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureTransport { get; set; }


    protected override void ProcessRecordCore()
    {
        if (ParameterSetName == KubeconfigSet)
        {
            if (Name.Length == 0)
            {
                try
                {
                    TestKubernetes(Profile ?? Core.Compliance.ComplianceProfiles.Default, null);
                }
                catch (FipsClusterException ex)
                {
                    WriteItemFailure(ex);
                }
                return;
            }
        }
        var ssh = Kubeconfig is null ? SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy) : null;
        foreach (var name in Name)
        {
            try
            {
                var record = ClusterStoreAccess.Store.Get(name);
                if (record.AwsSpec is not null || Kubeconfig is not null)
                {
                    // A Kubernetes cluster's record: its API is the evidence, judged against the record's own profile and pins.
                    TestKubernetes(record.ProfileDefinition ?? Core.Compliance.ComplianceProfiles.Get(record.ComplianceProfile),
                        Core.Providers.Kubernetes.KubernetesClusterExpectations.FromRecord(record), record.AwsSpec?.SshPort);
                    continue;
                }
                var report = RunCore(context => SwarmClusterCompliance.TestAsync(record, ssh, ThrottleLimit, context));
                WriteVerdict(report, report.Compliant);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
        }
    }

    private void TestKubernetes(ComplianceProfile profile, Core.Providers.Kubernetes.KubernetesClusterExpectations? expected, int? recordedSshPort = null)
    {
        // A recorded AWS cluster's nodes listen where it was created to (-SshPort of New-FipsCluster), unless told otherwise.
        var sshPort = MyInvocation.BoundParameters.ContainsKey(nameof(SshPort)) ? SshPort : recordedSshPort ?? SshPort;
        if (Kubeconfig is null)
        {
            throw new FipsClusterException(ErrorIds.KubeconfigRequired, FipsErrorCategory.InvalidArgument,
                $"Cluster {expected?.ClusterName} runs Kubernetes: pass -Kubeconfig with its admin kubeconfig to test it through its API.", expected?.ClusterName);
        }
        var path = GetUnresolvedProviderPathFromPSPath(Kubeconfig);
        // -NodeCheck Ssh without a key must say so, not quietly judge the cluster without its nodes.
        var nodeSsh = NodeCheck != "Ssh" ? null : SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy)
            ?? throw new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
                "-NodeCheck Ssh needs an SSH key: -KeyFilePath, -Credential, or one in ~/.ssh (id_ecdsa, id_rsa, id_ed25519).", "KeyFilePath");
        var daemonSet = NodeCheck == "DaemonSet" ? new Core.Providers.Kubernetes.DaemonSetNodeCheck(NodeCheckImage, TimeSpan.FromSeconds(NodeCheckTimeoutSeconds)) : null;
        var report = RunCore(context => Core.Providers.Kubernetes.KubernetesClusterCompliance.TestAsync(path, Context, new Core.Providers.Kubernetes.KubernetesClusterTestOptions(profile)
        {
            NodeSsh = nodeSsh, SshPort = sshPort, ThrottleLimit = ThrottleLimit, DaemonSet = daemonSet, Expected = expected, NodeAddressType = NodeAddressType,
        }, context));
        WriteVerdict(report, report.Compliant);
    }
}
