using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Probes TLS endpoints (kube-apiserver 6443, kubelet 10250, etcd 2379…): accepted protocol versions and cipher suites, and the certificate chain.</summary>
[Cmdlet(VerbsDiagnostic.Test, "FipsTlsEndpoint")]
[OutputType(typeof(TlsEndpointReport), typeof(bool))]
public sealed class TestFipsTlsEndpointCommand : FipsVerdictCmdlet
{
    // As Test-FipsNode's -ComputerName: host names only, never an object's ToString(); objects by their first address property.
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CN", "Address", "IPAddress", "PrivateIpAddress", "PublicIpAddress", "HostName", "PrivateDnsName", "PublicDnsName")]
    [HostNameTransformation(typeof(TestFipsTlsEndpointCommand))]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 443;

    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSeconds { get; set; } = 5;

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }


    protected override void ProcessRecordCore()
    {
        foreach (var name in ComputerName)
        {
            HostEndpoint endpoint;
            try
            {
                endpoint = HostEndpoint.Parse(name, Port);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
                continue;
            }
            try
            {
                var report = RunCore(context => ArtifactChecks.TestTlsEndpointAsync(endpoint.Host, endpoint.Port, ComplianceProfile ?? ComplianceProfiles.Default, TimeSpan.FromSeconds(TimeoutSeconds), context));
                WriteVerdict(report, report.Status is CheckStatus.Pass);
            }
            catch (FipsClusterException ex)
            {
                WriteItemFailure(ex);
            }
        }
    }

}
