using System.Management.Automation;
using FipsCluster.Core.Providers;
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
        var options = new TestClusterOptions
        {
            Ssh = SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy),
            SshPort = MyInvocation.BoundParameters.ContainsKey(nameof(SshPort)) ? SshPort : null,
            ThrottleLimit = ThrottleLimit,
            Kubeconfig = Kubeconfig is null ? null : GetUnresolvedProviderPathFromPSPath(Kubeconfig),
            KubeContext = Context,
            NodeCheck = NodeCheck,
            DaemonSet = NodeCheck == "DaemonSet" ? new Core.Providers.Kubernetes.DaemonSetNodeCheck(NodeCheckImage, TimeSpan.FromSeconds(NodeCheckTimeoutSeconds)) : null,
            NodeAddressType = NodeAddressType,
            Profile = Profile,
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
