using System.IO.Pipes;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Swarm;

/// <summary>
/// A small client for the Docker Engine API over a unix socket, a named pipe or TCP (with mutual TLS).
/// Paths are unversioned so the engine answers in its own API version. Bodies are never logged: they can
/// hold join tokens.
/// </summary>
public sealed class DockerEngineClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly OperationContext _context;

    public DockerEngineClient(DockerEndpoint endpoint, OperationContext? context = null)
    {
        Endpoint = endpoint;
        _context = context ?? OperationContext.None;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        Uri baseAddress;
        switch (endpoint.Transport)
        {
            case DockerTransport.Unix:
                handler.ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(endpoint.Target), ct).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                };
                baseAddress = new Uri("http://docker.local/");
                break;
            case DockerTransport.NamedPipe:
                handler.ConnectCallback = async (_, ct) =>
                {
                    var pipe = new NamedPipeClientStream(".", endpoint.Target, PipeDirection.InOut, PipeOptions.Asynchronous);
                    try
                    {
                        await pipe.ConnectAsync(ct).ConfigureAwait(false);
                        return pipe;
                    }
                    catch
                    {
                        await pipe.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }
                };
                baseAddress = new Uri("http://docker.local/");
                break;
            default:
                if (endpoint.UseTls)
                {
                    handler.SslOptions = TlsOptions(endpoint);
                }
                else
                {
                    // The engine API is root on that machine, and swarm join tokens travel in its bodies.
                    InsecureTransport.Permit(_context, endpoint.Address, "the Docker engine API is reached without TLS",
                        "join tokens and every request travel in the clear, and anyone on the path can read them, answer in the engine's place, or drive the engine");
                }
                baseAddress = new UriBuilder(endpoint.UseTls ? "https" : "http", endpoint.Target, endpoint.Port).Uri;
                break;
        }
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("FipsCluster", typeof(DockerEngineClient).Assembly.GetName().Version?.ToString(3)));
    }

    public DockerEndpoint Endpoint { get; }

    /// <summary>GET /swarm: the swarm as a manager sees it.</summary>
    public async Task<SwarmInspect> InspectSwarmAsync()
    {
        using var json = await SendAsync(HttpMethod.Get, "swarm", null).ConfigureAwait(false);
        return SwarmInspect.FromJson(json!.RootElement);
    }

    /// <summary>GET /version: the engine's version and the Go runtime it was built with (runtime.Version(), e.g. "go1.19.8").</summary>
    public async Task<(string Version, string GoVersion)> GetVersionAsync()
    {
        using var json = await SendAsync(HttpMethod.Get, "version", null).ConfigureAwait(false);
        var root = json!.RootElement;
        return (root.TryGetProperty("Version", out var v) ? v.GetString() ?? "" : "", root.TryGetProperty("GoVersion", out var g) ? g.GetString() ?? "" : "");
    }

    /// <summary>GET /info: the swarm state of this engine (inactive, pending, active, error, locked) and its node ID.</summary>
    public async Task<(string LocalNodeState, string? NodeId, string? Name)> GetSwarmStateAsync()
    {
        using var json = await SendAsync(HttpMethod.Get, "info", null).ConfigureAwait(false);
        var root = json!.RootElement;
        var swarm = root.TryGetProperty("Swarm", out var s) ? s : default;
        string? Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) ? p.GetString() : null;
        return (Text(swarm, "LocalNodeState") ?? "inactive", Text(swarm, "NodeID") is { Length: > 0 } id ? id : null, Text(root, "Name"));
    }

    /// <summary>GET /info and GET /version: who the engine says it is — its engine ID, host name, data root and version — for binding evidence to it.</summary>
    public async Task<EngineIdentity> GetIdentityAsync()
    {
        var (version, _) = await GetVersionAsync().ConfigureAwait(false);
        using var json = await SendAsync(HttpMethod.Get, "info", null).ConfigureAwait(false);
        var root = json!.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        return new EngineIdentity(Text("ID") ?? "", Text("Name"), Text("DockerRootDir"), version, Text("OperatingSystem"));
    }

    /// <summary>POST /swarm/init; returns the new manager's node ID.</summary>
    public async Task<string> InitSwarmAsync(string listenAddress, string? advertiseAddress)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ListenAddr"] = listenAddress,
            ["AdvertiseAddr"] = advertiseAddress ?? "",
            ["ForceNewCluster"] = false,
        });
        using var json = await SendAsync(HttpMethod.Post, "swarm/init", body).ConfigureAwait(false);
        return json?.RootElement.ValueKind == JsonValueKind.String ? json.RootElement.GetString() ?? "" : "";
    }

    /// <summary>The swarm addresses of the managers this engine knows (GET /info .Swarm.RemoteManagers).</summary>
    public async Task<IReadOnlyList<string>> GetRemoteManagersAsync()
    {
        using var json = await SendAsync(HttpMethod.Get, "info", null).ConfigureAwait(false);
        var managers = new List<string>();
        if (json!.RootElement.TryGetProperty("Swarm", out var swarm) && swarm.TryGetProperty("RemoteManagers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var manager in list.EnumerateArray())
            {
                if (manager.TryGetProperty("Addr", out var addr) && addr.GetString() is { Length: > 0 } text)
                {
                    managers.Add(text);
                }
            }
        }
        return managers;
    }

    /// <summary>POST /swarm/join. The token travels only in the request body, which is never logged.</summary>
    public async Task JoinSwarmAsync(string listenAddress, string? advertiseAddress, IReadOnlyList<string> managers, System.Security.SecureString token)
    {
        var body = Tokens.SecretText.Use(token, text => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ListenAddr"] = listenAddress,
            ["AdvertiseAddr"] = advertiseAddress ?? "",
            ["RemoteAddrs"] = managers,
            ["JoinToken"] = new string(text),
        }));
        using var _ = await SendAsync(HttpMethod.Post, "swarm/join", body).ConfigureAwait(false);
    }

    /// <summary>GET /nodes: every member as the managers see it.</summary>
    public async Task<IReadOnlyList<SwarmNodeInfo>> ListNodesAsync()
    {
        using var json = await SendAsync(HttpMethod.Get, "nodes", null).ConfigureAwait(false);
        var nodes = new List<SwarmNodeInfo>();
        foreach (var node in json!.RootElement.EnumerateArray())
        {
            string Path(params string[] names)
            {
                var e = node;
                foreach (var n in names)
                {
                    if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(n, out e))
                    {
                        return "";
                    }
                }
                return e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean().ToString() : "";
            }
            nodes.Add(new SwarmNodeInfo
            {
                Id = Path("ID"), Hostname = Path("Description", "Hostname"), Role = Path("Spec", "Role"), State = Path("Status", "State"),
                Availability = Path("Spec", "Availability"), Address = Path("Status", "Addr"), IsLeader = Path("ManagerStatus", "Leader") == "True",
            });
        }
        return nodes;
    }

    /// <summary>DELETE /nodes/{id}?force=true.</summary>
    public async Task RemoveNodeAsync(string nodeId, bool force)
    {
        using var _ = await SendAsync(HttpMethod.Delete, $"nodes/{Uri.EscapeDataString(nodeId)}{(force ? "?force=true" : "")}", null).ConfigureAwait(false);
    }

    /// <summary>POST /swarm/leave.</summary>
    public async Task LeaveSwarmAsync(bool force)
    {
        using var _ = await SendAsync(HttpMethod.Post, force ? "swarm/leave?force=true" : "swarm/leave", null).ConfigureAwait(false);
    }

    /// <summary>POST /swarm/update with the current spec, rotating the join tokens of the given roles.</summary>
    public async Task UpdateSwarmAsync(long version, string specJson, bool rotateWorkerToken, bool rotateManagerToken)
    {
        var path = FormattableString.Invariant(
            $"swarm/update?version={version}&rotateWorkerToken={(rotateWorkerToken ? "true" : "false")}&rotateManagerToken={(rotateManagerToken ? "true" : "false")}");
        using var _ = await SendAsync(HttpMethod.Post, path, specJson).ConfigureAwait(false);
    }

    private async Task<JsonDocument?> SendAsync(HttpMethod method, string path, string? body)
    {
        var ct = _context.Cancellation;
        ct.ThrowIfCancellationRequested();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        // The path is safe to show: query strings carry only versions and flags.
        _context.Debug($"Docker engine {Endpoint}: {method} /{path}");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FipsClusterException(ErrorIds.OperationTimedOut, FipsErrorCategory.OperationTimeout,
                $"The Docker engine at {Endpoint} did not answer {method} /{path} within {RequestTimeout.TotalSeconds:0} s.", Endpoint.Address);
        }
        catch (HttpRequestException ex) when (Operations.FailureClassifier.IsTlsFailure(ex))
        {
            // Reached, but not trusted (or not speaking TLS): a security failure, not an unreachable engine.
            throw Operations.FailureClassifier.Classify(ex, Endpoint.Address, $"The Docker engine at {Endpoint}");
        }
        catch (HttpRequestException ex)
        {
            throw new FipsClusterException(ErrorIds.DockerEngineUnreachable, FipsErrorCategory.ConnectionError,
                $"Cannot reach the Docker engine at {Endpoint}: {Innermost(ex).Message}", Endpoint.Address, ex)
            {
                RecommendedAction = "Check that dockerd is running and that -DockerHost (or DOCKER_HOST) names its socket or address.",
            };
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            _context.Debug($"Docker engine {Endpoint}: {(int)response.StatusCode} {response.StatusCode}");
            if (!response.IsSuccessStatusCode)
            {
                throw EngineError(response.StatusCode, EngineMessage(text), method, path);
            }
            return text.Length == 0 ? null : JsonDocument.Parse(text);
        }
    }

    private FipsClusterException EngineError(HttpStatusCode status, string message, HttpMethod method, string path)
    {
        var notManager = message.Contains("not a swarm manager", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not part of a swarm", StringComparison.OrdinalIgnoreCase);
        if (notManager)
        {
            return new FipsClusterException(ErrorIds.NotSwarmManager, FipsErrorCategory.InvalidOperation,
                $"The Docker engine at {Endpoint} is not a swarm manager: {message}", Endpoint.Address)
            {
                RecommendedAction = "Point -DockerHost at a manager of the swarm, or create the swarm first.",
            };
        }
        if (message.Contains("update out of sequence", StringComparison.OrdinalIgnoreCase))
        {
            return new FipsClusterException(ErrorIds.SwarmUpdateConflict, FipsErrorCategory.ResourceUnavailable,
                $"The swarm at {Endpoint} changed while it was being updated: {message}", Endpoint.Address);
        }
        var category = (int)status switch
        {
            400 => FipsErrorCategory.InvalidArgument,
            401 or 403 => FipsErrorCategory.PermissionDenied,
            404 => FipsErrorCategory.ObjectNotFound,
            409 => FipsErrorCategory.ResourceUnavailable,
            503 => FipsErrorCategory.ResourceUnavailable,
            _ => FipsErrorCategory.ProtocolError,
        };
        return new FipsClusterException(ErrorIds.DockerEngineError, category,
            $"The Docker engine at {Endpoint} refused {method} /{path.Split('?')[0]} ({(int)status}): {message}", Endpoint.Address);
    }

    private static string EngineMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var m))
            {
                return m.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
        }
        return body.Length > 200 ? body[..200] : body;
    }

    private static SslClientAuthenticationOptions TlsOptions(DockerEndpoint endpoint)
    {
        var dir = endpoint.CertPath ?? "";
        string ca = Path.Combine(dir, "ca.pem"), cert = Path.Combine(dir, "cert.pem"), key = Path.Combine(dir, "key.pem");
        foreach (var file in new[] { ca, cert, key })
        {
            if (!File.Exists(file))
            {
                throw new FipsClusterException(ErrorIds.DockerTlsConfigurationInvalid, FipsErrorCategory.InvalidArgument,
                    $"TLS to {endpoint} needs {Path.GetFileName(file)} in '{dir}', and it is not there.", dir)
                {
                    RecommendedAction = "Pass -DockerCertPath (or set DOCKER_CERT_PATH) to the folder with ca.pem, cert.pem and key.pem.",
                };
            }
        }
        var trust = new X509Certificate2Collection();
        trust.ImportFromPemFile(ca);
        var client = X509Certificate2.CreateFromPemFile(cert, key);
        return new SslClientAuthenticationOptions
        {
            TargetHost = endpoint.Target,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificates = new X509CertificateCollection { client },
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                // Trust only the engine's CA (ca.pem), as the docker CLI does; the host name must match.
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trust);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            },
        };
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex;
    }

    public void Dispose() => _http.Dispose();
}
