using System.Management.Automation;

namespace FipsCluster.Infrastructure;

/// <summary>
/// A cmdlet whose connections may be plaintext or unverified (a Docker engine on tcp:// without TLS, a kubeconfig
/// server on http:// or with insecure-skip-tls-verify, an http:// EC2 endpoint whose console vouches for host keys):
/// they are refused unless the user gives -AllowInsecureTransport, which <see cref="FipsCmdlet.RunCore{T}"/> passes to
/// the core (Core's InsecureTransport decides and warns). One switch name for every such cmdlet.
/// </summary>
internal interface IInsecureTransportOptIn
{
    SwitchParameter AllowInsecureTransport { get; }
}
