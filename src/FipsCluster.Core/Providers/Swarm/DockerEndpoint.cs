using System.Runtime.InteropServices;

namespace FipsCluster.Core.Providers.Swarm;

public enum DockerTransport
{
    Unix,
    Tcp,
    NamedPipe,
}

/// <summary>
/// Where a Docker engine listens and how to talk to it, resolved the way the docker CLI resolves it:
/// an explicit host, else <c>DOCKER_HOST</c>, else the platform's local socket; TLS with
/// <c>DOCKER_TLS_VERIFY</c>/<c>DOCKER_CERT_PATH</c> (ca.pem, cert.pem, key.pem).
/// </summary>
public sealed record DockerEndpoint
{
    public const string DefaultUnixSocket = "unix:///var/run/docker.sock";
    public const string DefaultNamedPipe = "npipe:////./pipe/docker_engine";

    public required string Address { get; init; }
    public required DockerTransport Transport { get; init; }

    /// <summary>Socket path (unix), pipe name (npipe) or host (tcp).</summary>
    public required string Target { get; init; }

    public int Port { get; init; }
    public bool UseTls { get; init; }

    /// <summary>Folder holding ca.pem, cert.pem and key.pem when TLS is used.</summary>
    public string? CertPath { get; init; }

    public override string ToString() => Address;

    public static DockerEndpoint Resolve(string? host, string? certPath = null, bool tlsVerify = false)
    {
        var address = !string.IsNullOrWhiteSpace(host) ? host.Trim()
            : Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } fromEnv ? fromEnv.Trim()
            : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? DefaultNamedPipe : DefaultUnixSocket;
        var useTls = tlsVerify || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY"));
        var certs = certPath
            ?? Environment.GetEnvironmentVariable("DOCKER_CERT_PATH")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw Invalid(address, "it is not a URI such as unix:///var/run/docker.sock or tcp://host:2376");
        }
        switch (uri.Scheme)
        {
            case "unix":
                if (string.IsNullOrEmpty(uri.AbsolutePath) || uri.AbsolutePath == "/")
                {
                    throw Invalid(address, "it names no socket path");
                }
                return new DockerEndpoint { Address = address, Transport = DockerTransport.Unix, Target = Uri.UnescapeDataString(uri.AbsolutePath) };
            case "npipe":
                // Parsed by hand: URI normalization would drop the "." of //./pipe/.
                var pipe = address["npipe:".Length..].TrimStart('/').Replace('\\', '/');
                const string pipePrefix = "./pipe/";
                if (!pipe.StartsWith(pipePrefix, StringComparison.OrdinalIgnoreCase) || pipe.Length == pipePrefix.Length)
                {
                    throw Invalid(address, "a named pipe is written npipe:////./pipe/<name>");
                }
                return new DockerEndpoint { Address = address, Transport = DockerTransport.NamedPipe, Target = pipe[pipePrefix.Length..] };
            case "tcp":
            case "http":
            case "https":
                if (string.IsNullOrEmpty(uri.Host))
                {
                    throw Invalid(address, "it names no host");
                }
                var tls = useTls || uri.Scheme == "https";
                var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 2376 : 2375) : uri.Port;
                return new DockerEndpoint
                {
                    Address = address,
                    Transport = DockerTransport.Tcp,
                    Target = uri.Host,
                    Port = port,
                    UseTls = tls,
                    CertPath = tls ? certs : null,
                };
            case "ssh":
                throw Invalid(address, "ssh:// engine addresses are not supported; forward the engine socket or use tcp:// with TLS");
            default:
                throw Invalid(address, $"the scheme '{uri.Scheme}' is not one of unix, npipe, tcp");
        }
    }

    private static FipsClusterException Invalid(string address, string why)
        => new(ErrorIds.InvalidDockerHost, FipsErrorCategory.InvalidArgument, $"The Docker host '{address}' cannot be used: {why}.", address);
}
