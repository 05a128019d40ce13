using System.Management.Automation;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Tests a whole cluster: every member's host against the cluster's profile, and the cluster-level FIPS evidence.</summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsCluster", DefaultParameterSetName = RecordSet)]
[OutputType(typeof(ClusterComplianceReport), typeof(bool))]
public sealed class TestFipsClusterCommand : FipsVerdictCmdlet
{
    private const string RecordSet = "Record";
    private const string KubeconfigSet = "Kubeconfig";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>A live Kubernetes cluster, through its API.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KubeconfigSet)]
    [ValidateNotNullOrEmpty]
    public string Kubeconfig { get; set; } = "";

    [Parameter(ParameterSetName = KubeconfigSet)]
    public string? Context { get; set; }

    /// <summary>None (the API only) or Ssh: every node's host is also judged with Test-FipsNode on its InternalIP.</summary>
    [Parameter(ParameterSetName = KubeconfigSet)]
    [ValidateSet("None", "Ssh")]
    public string NodeCheck { get; set; } = "None";

    [Parameter(ParameterSetName = KubeconfigSet)]
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


    protected override void ProcessRecord()
    {
        if (ParameterSetName == KubeconfigSet)
        {
            try
            {
                var path = GetUnresolvedProviderPathFromPSPath(Kubeconfig);
                var nodeSsh = NodeCheck == "Ssh" ? SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy) : null;
                var report = RunCore(context => Core.Providers.Kubernetes.KubernetesClusterCompliance.TestAsync(path, Context, Profile ?? Core.Compliance.ComplianceProfiles.Default, context, nodeSsh, SshPort, ThrottleLimit));
                WriteVerdict(report, report.Compliant);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
            return;
        }
        var ssh = SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy);
        foreach (var name in Name)
        {
            try
            {
                var record = ClusterStoreAccess.Store.Get(name);
                var report = RunCore(context => SwarmClusterCompliance.TestAsync(record, ssh, ThrottleLimit, context));
                WriteVerdict(report, report.Compliant);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
        }
    }

}
