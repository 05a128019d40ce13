using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>Tests a whole cluster: every member's host against the cluster's profile, and the cluster-level FIPS evidence.</summary>
/// <remarks>ShouldProcess guards the one state change: -NodeCheck DaemonSet creates (and deletes) a namespace and a pod per node.</remarks>
[Cmdlet(VerbsDiagnostic.Test, "FipsCluster", DefaultParameterSetName = RecordSet, SupportsShouldProcess = true)]
[OutputType(typeof(ClusterComplianceReport), typeof(bool))]
public sealed class TestFipsClusterCommand : FipsVerdictCmdlet, IInsecureTransportOptIn
{
    private const string RecordSet = "Record";
    private const string KubeconfigSet = "Kubeconfig";

    private readonly SshParameters _ssh;

    public TestFipsClusterCommand() => _ssh = Blocks.Add<SshParameters>();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = KubeconfigSet)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>A live Kubernetes cluster, through its API (with a record: the AWS cluster's API, judged against what the record pins).</summary>
    [Parameter(Mandatory = true, ParameterSetName = KubeconfigSet)]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KubeContextCompleter))]
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

    /// <summary>A cluster without a record (-Kubeconfig alone): the profile to judge it with. A recorded cluster is judged with its own.</summary>
    [Parameter(ParameterSetName = KubeconfigSet)]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    /// <summary>Accept plaintext or unverified transport (see <see cref="IInsecureTransportOptIn"/>), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureTransport { get; set; }


    protected override void ProcessRecordCore()
    {
        var options = new TestClusterOptions
        {
            Ssh = _ssh.ToOptions(this),
            SshPort = _ssh.GivenSshPort,
            ThrottleLimit = ThrottleLimit,
            Kubeconfig = Kubeconfig is null ? null : GetUnresolvedProviderPathFromPSPath(Kubeconfig),
            KubeContext = Context,
            NodeCheck = NodeCheck,
            DaemonSet = NodeCheck == "DaemonSet" ? new Core.Providers.Kubernetes.DaemonSetNodeCheck(NodeCheckImage, TimeSpan.FromSeconds(NodeCheckTimeoutSeconds)) : null,
            NodeAddressType = NodeAddressType,
            Profile = ComplianceProfile,
        };
        // The Kubeconfig set without a name tests the cluster the kubeconfig reaches, with no record.
        foreach (var name in Name.Length == 0 ? new string?[] { null } : Name)
        {
            try
            {
                var report = RunCore(context => new ClusterService(ClusterStoreAccess.Store).TestAsync(name, options, context));
                WriteVerdict(report, report.Compliant);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
        }
    }
}
