namespace FipsCluster.Core.Operations;

/// <summary>
/// The one rule for connections that are not protected by verified TLS — a Docker engine on tcp:// without TLS, a
/// kubeconfig server on http:// or with insecure-skip-tls-verify, an EC2 endpoint on http:// whose console output would
/// vouch for host keys: refused (<see cref="ErrorIds.InsecureTransportRefused"/>) unless the user asked for it with
/// -AllowInsecureTransport, and then a warning says what travels exposed. Loopback is no exception: any local user or
/// container can listen on or reach a loopback port, and a tunnel makes a remote service look local.
/// Unix sockets and named pipes are not network transports (file permissions guard them) and never come here.
/// </summary>
public static class InsecureTransport
{
    /// <summary>
    /// Lets the connection go ahead only when <see cref="OperationContext.AllowInsecureTransport"/> is set, warning once per
    /// endpoint and operation. <paramref name="flaw"/> says what is missing ("no TLS"), <paramref name="exposed"/> what that
    /// exposes. Neither may hold a secret.
    /// </summary>
    public static void Permit(OperationContext context, string endpoint, string flaw, string exposed)
    {
        if (!context.AllowInsecureTransport)
        {
            throw new FipsClusterException(ErrorIds.InsecureTransportRefused, FipsErrorCategory.SecurityError,
                $"{endpoint}: {flaw}, so {exposed}. Refused: use TLS, or pass -AllowInsecureTransport to accept this explicitly.", endpoint)
            {
                RecommendedAction = "Reach the service over verified TLS (tcp:// with -DockerTlsVerify, an https:// server with its CA, an https:// -EndpointUrl); "
                    + "only on a network you control, pass -AllowInsecureTransport.",
            };
        }
        if (context.InsecureEndpointsWarned.TryAdd(endpoint, true))
        {
            context.Warning($"-AllowInsecureTransport: {endpoint}: {flaw}, so {exposed}.");
        }
    }
}
