using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Reflection;
using System.Security;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using FipsCluster.Core.Tokens;
using k8s.Autorest;
using Renci.SshNet.Common;

namespace FipsCluster.Core.Operations;

/// <summary>
/// Turns whatever a service let escape into the module's one exception type, with an id from <see cref="ErrorIds"/> and a
/// category that fits: a refused connection, a failed DNS lookup or an unreachable host is ConnectionError; a TLS failure
/// is SecurityError; the SDKs' credential and authorization errors are AuthenticationError or PermissionDenied; timeouts
/// are OperationTimeout; missing or forbidden files are ObjectNotFound or PermissionDenied; anything else is
/// <see cref="ErrorIds.UnexpectedError"/> naming the exception type — never NotSpecified.
/// This is the one place that knows the third-party exception types: they load in the module's private context, so the
/// cmdlet layer cannot name them. Messages keep the original's words but never a secret the caller names, nor a join
/// token's secret; an original whose messages held one is not kept as the InnerException.
/// </summary>
public static partial class FailureClassifier
{
    /// <summary>
    /// The classified exception. A <see cref="FipsClusterException"/> is returned as it is (services already chose its id).
    /// <paramref name="subject"/> (what was being done or reached, e.g. "node1" or "the Kubernetes API at https://…")
    /// prefixes the message; <paramref name="secrets"/> are the caller's secrets, masked wherever a message holds them.
    /// </summary>
    public static FipsClusterException Classify(Exception exception, object? target = null, string? subject = null, IReadOnlyCollection<SecureString>? secrets = null)
    {
        var root = Unwrap(exception);
        if (root is FipsClusterException known)
        {
            return known;
        }
        var (id, category, text, foundTarget) = Describe(root);
        var redactor = new Redactor(secrets);
        var message = redactor.Redact(subject is { Length: > 0 } ? $"{subject}: {text}" : text);
        // The original stays reachable (InnerException) for diagnosis, unless one of its messages held a secret.
        var leaks = Chain(root).Any(e => redactor.Holds(e.Message));
        return new FipsClusterException(id, category, message, target ?? foundTarget, leaks ? null : root)
        {
            RecommendedAction = Advice(id),
        };
    }

    /// <summary>
    /// The same failure with <paramref name="secrets"/> masked in its message, and without the original (which may quote
    /// them too); the instance itself when its messages hold none.
    /// </summary>
    public static FipsClusterException Mask(FipsClusterException exception, IReadOnlyCollection<SecureString> secrets)
    {
        var redactor = new Redactor(secrets);
        if (!Chain(exception).Any(e => redactor.Holds(e.Message)))
        {
            return exception;
        }
        return new FipsClusterException(exception.ErrorId, exception.Category, redactor.Redact(exception.Message), exception.Target)
        {
            RecommendedAction = exception.RecommendedAction,
        };
    }

    /// <summary>A connection refused, a name that does not resolve, an unreachable host or network, or a reset connection.</summary>
    public static bool IsUnreachable(Exception exception) => Describe(Unwrap(exception)).Id == ErrorIds.EndpointUnreachable;

    /// <summary>The TLS handshake failed (an untrusted or invalid certificate, no common protocol, a peer that does not speak TLS).</summary>
    public static bool IsTlsFailure(Exception exception) => Describe(Unwrap(exception)).Id == ErrorIds.TlsHandshakeFailed;

    private static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    exception = aggregate.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                default:
                    return exception;
            }
        }
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static T? Find<T>(Exception exception) where T : Exception => Chain(exception).OfType<T>().FirstOrDefault();

    private static (string Id, FipsErrorCategory Category, string Message, object? Target) Describe(Exception exception)
    {
        switch (exception)
        {
            case FipsClusterException known:
                return (known.ErrorId, known.Category, known.Message, known.Target);

            // AWS SDK: credentials it could not find, requests the service refused.
            case AmazonServiceException service:
                return Aws(service);
            case AmazonClientException client when client.Message.Contains("credential", StringComparison.OrdinalIgnoreCase):
                return (ErrorIds.AwsCredentialsUnavailable, FipsErrorCategory.AuthenticationError,
                    "No AWS credentials were found (-Credential, -ProfileName, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the shared credentials file, or an instance role). "
                    + FirstLine(client.Message), null);
            case AmazonClientException client when Find<HttpRequestException>(client) is null && Find<SocketException>(client) is null:
                return (ErrorIds.AwsRequestFailed, FipsErrorCategory.InvalidOperation, $"The AWS SDK refused the request: {FirstLine(client.Message)}", null);

            // KubernetesClient: the API answered with an error status, or the kubeconfig is unusable.
            case HttpOperationException api:
                return Kubernetes(api);
            case k8s.Exceptions.KubeConfigException kubeconfig:
                return (ErrorIds.InvalidKubeconfig, FipsErrorCategory.InvalidArgument, $"The kubeconfig cannot be used: {kubeconfig.Message}", null);
            case k8s.KubernetesException status:
                return (ErrorIds.KubernetesApiError, CategoryOf((int?)status.Status?.Code), $"The Kubernetes API refused the request: {status.Status?.Message ?? status.Message}", null);

            // SSH.NET, for the paths that do not go through SshCommandRunner's own mapping.
            case SshAuthenticationException auth:
                return (ErrorIds.SshAuthenticationFailed, FipsErrorCategory.AuthenticationError, $"SSH authentication failed: {auth.Message}", null);
            case SshOperationTimeoutException timeout:
                return (ErrorIds.OperationTimedOut, FipsErrorCategory.OperationTimeout, $"SSH timed out: {timeout.Message}", null);
            case SshPassPhraseNullOrEmptyException:
                return (ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument, "The SSH key is encrypted: give its passphrase.", null);
            case SshConnectionException or ProxyException:
                return (ErrorIds.SshConnectionFailed, FipsErrorCategory.ConnectionError, $"The SSH connection failed: {exception.Message}", null);
            case SshException ssh:
                return (ErrorIds.SshConnectionFailed, FipsErrorCategory.ProtocolError, $"SSH failed: {ssh.Message}", null);
        }

        // The network, under whichever wrapper: TLS first (its failures also arrive as IOExceptions), then sockets.
        if (Find<AuthenticationException>(exception) is { } tls)
        {
            return (ErrorIds.TlsHandshakeFailed, FipsErrorCategory.SecurityError, $"The TLS handshake failed: {Innermost(tls).Message}", null);
        }
        if (Find<HttpRequestException>(exception) is { } http)
        {
            return Http(http);
        }
        if (Find<SocketException>(exception) is { } socket)
        {
            return Socket(socket);
        }

        switch (exception)
        {
            // The module's own installation: an assembly missing from dependencies/, or one of another version.
            case FileNotFoundException { FileName: { } assembly } when assembly.Contains(", Version=", StringComparison.Ordinal):
            case FileLoadException or BadImageFormatException or TypeLoadException or MissingMemberException:
                return (ErrorIds.DependencyLoadFailed, FipsErrorCategory.NotInstalled,
                    $"A component of the FipsCluster module could not be loaded: {exception.Message} Reinstall the module.", null);
            case TimeoutException or OperationCanceledException:
                // Cancellation by the user is handled before classification: a cancellation that reaches here is a time limit.
                return (ErrorIds.OperationTimedOut, FipsErrorCategory.OperationTimeout, $"The operation timed out: {exception.Message}", null);
            case FileNotFoundException file:
                return (ErrorIds.PathNotFound, FipsErrorCategory.ObjectNotFound, file.Message, file.FileName);
            case DirectoryNotFoundException directory:
                return (ErrorIds.PathNotFound, FipsErrorCategory.ObjectNotFound, directory.Message, null);
            case UnauthorizedAccessException denied:
                return (ErrorIds.PathAccessDenied, FipsErrorCategory.PermissionDenied, denied.Message, null);
            case IOException io:
                return (ErrorIds.FileOperationFailed, FipsErrorCategory.ResourceUnavailable, io.Message, null);
        }
        return (ErrorIds.UnexpectedError, UnexpectedCategory(exception), $"Unexpected {exception.GetType().FullName}: {exception.Message}", null);
    }

    private static (string, FipsErrorCategory, string, object?) Aws(AmazonServiceException service)
    {
        var code = service.ErrorCode ?? "";
        var text = $"AWS {code}{(code.Length > 0 ? ": " : "")}{FirstLine(service.Message)}";
        if (code is "AuthFailure" or "InvalidClientTokenId" or "SignatureDoesNotMatch" or "IncompleteSignature" or "ExpiredToken" or "RequestExpired"
            or "UnrecognizedClientException" or "MissingAuthenticationToken" || service.StatusCode == HttpStatusCode.Unauthorized)
        {
            return (ErrorIds.AwsAuthenticationFailed, FipsErrorCategory.AuthenticationError, text, null);
        }
        if (code is "UnauthorizedOperation" or "AccessDenied" or "AccessDeniedException" || service.StatusCode == HttpStatusCode.Forbidden)
        {
            return (ErrorIds.AwsPermissionDenied, FipsErrorCategory.PermissionDenied, text, null);
        }
        if (Find<HttpRequestException>(service) is { } http)
        {
            return Http(http);
        }
        return (ErrorIds.AwsRequestFailed, CategoryOf((int)service.StatusCode), text, null);
    }

    private static (string, FipsErrorCategory, string, object?) Kubernetes(HttpOperationException api)
    {
        var status = (int?)api.Response?.StatusCode;
        var uri = api.Request?.RequestUri;
        var where = uri is null ? "the Kubernetes API" : $"the Kubernetes API at {uri.GetLeftPart(UriPartial.Authority)}";
        var text = $"{where} answered {status} {api.Response?.ReasonPhrase}{StatusMessage(api.Response?.Content)} ({api.Request?.Method} {uri?.AbsolutePath})";
        var target = uri?.GetLeftPart(UriPartial.Authority);
        return status switch
        {
            401 => (ErrorIds.KubernetesAuthenticationFailed, FipsErrorCategory.AuthenticationError, text + ": the kubeconfig's credentials were not accepted.", target),
            403 => (ErrorIds.KubernetesPermissionDenied, FipsErrorCategory.PermissionDenied, text + ": the kubeconfig's user may not do this.", target),
            404 => (ErrorIds.KubernetesObjectNotFound, FipsErrorCategory.ObjectNotFound, text, target),
            _ => (ErrorIds.KubernetesApiError, CategoryOf(status), text, target),
        };
    }

    /// <summary>The "message" of a Kubernetes Status body, when the answer is one (the server's words, never the request's credentials).</summary>
    private static string StatusMessage(string? content)
    {
        if (string.IsNullOrWhiteSpace(content) || content.Length > 64 * 1024)
        {
            return "";
        }
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(content);
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var message)
                && message.GetString() is { Length: > 0 } text ? $" ({FirstLine(text)})" : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }

    private static (string, FipsErrorCategory, string, object?) Http(HttpRequestException http)
    {
        if (Find<SocketException>(http) is { } socket)
        {
            return Socket(socket);
        }
        var text = Innermost(http).Message;
        return http.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.ProxyTunnelError
                => (ErrorIds.EndpointUnreachable, FipsErrorCategory.ConnectionError, $"The endpoint cannot be reached: {text}", null),
            HttpRequestError.SecureConnectionError
                => (ErrorIds.TlsHandshakeFailed, FipsErrorCategory.SecurityError, $"The TLS connection failed: {text}", null),
            _ when http.StatusCode is { } code
                => (ErrorIds.EndpointProtocolError, CategoryOf((int)code), $"The endpoint answered {(int)code} {code}: {http.Message}", null),
            _ => (ErrorIds.EndpointProtocolError, FipsErrorCategory.ProtocolError, $"The endpoint did not answer as expected: {text}", null),
        };
    }

    private static (string, FipsErrorCategory, string, object?) Socket(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.TimedOut => (ErrorIds.OperationTimedOut, FipsErrorCategory.OperationTimeout, $"The connection timed out: {socket.Message}", null),
        SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData or SocketError.HostUnreachable
            or SocketError.NetworkUnreachable or SocketError.NetworkDown or SocketError.HostDown or SocketError.AddressNotAvailable
            or SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.NotConnected or SocketError.Shutdown
            => (ErrorIds.EndpointUnreachable, FipsErrorCategory.ConnectionError, $"The endpoint cannot be reached ({socket.SocketErrorCode}): {socket.Message}", null),
        _ => (ErrorIds.EndpointUnreachable, FipsErrorCategory.ConnectionError, $"The network failed ({socket.SocketErrorCode}): {socket.Message}", null),
    };

    /// <summary>An HTTP status as a category: who to blame (the caller, the credentials, the server) decides it.</summary>
    private static FipsErrorCategory CategoryOf(int? status) => status switch
    {
        400 or 422 => FipsErrorCategory.InvalidArgument,
        401 => FipsErrorCategory.AuthenticationError,
        403 => FipsErrorCategory.PermissionDenied,
        404 or 410 => FipsErrorCategory.ObjectNotFound,
        408 or 504 => FipsErrorCategory.OperationTimeout,
        409 => FipsErrorCategory.InvalidOperation,
        429 or >= 500 => FipsErrorCategory.ResourceUnavailable,
        _ => FipsErrorCategory.ProtocolError,
    };

    /// <summary>Unexpected, but not shapeless: the exception's kind still says something about the failure.</summary>
    private static FipsErrorCategory UnexpectedCategory(Exception exception) => exception switch
    {
        ArgumentException => FipsErrorCategory.InvalidArgument,
        FormatException or InvalidDataException or System.Text.Json.JsonException or YamlDotNet.Core.YamlException
            or System.Security.Cryptography.CryptographicException or System.Formats.Asn1.AsnContentException => FipsErrorCategory.InvalidData,
        NotImplementedException or NotSupportedException => FipsErrorCategory.NotImplemented,
        SecurityException => FipsErrorCategory.SecurityError,
        _ => FipsErrorCategory.InvalidOperation,
    };

    private static string? Advice(string id) => id switch
    {
        ErrorIds.EndpointUnreachable => "Check the address and port, that the service is running, and that no firewall blocks the way.",
        ErrorIds.TlsHandshakeFailed => "Check that the endpoint speaks TLS and that its certificate is trusted (the CA in the kubeconfig, -DockerCertPath, the system store).",
        ErrorIds.AwsCredentialsUnavailable => "Give -Credential (access key ID and secret access key) or -ProfileName, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
        ErrorIds.AwsAuthenticationFailed => "Check the access key ID and secret access key (and the session token, if any): AWS did not accept them.",
        ErrorIds.KubernetesAuthenticationFailed => "Check the kubeconfig's user (token, client certificate): it may have expired or been revoked.",
        _ => null,
    };

    private static Exception Innermost(Exception exception) => Chain(exception).Last();

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).Trim();
    }

    /// <summary>Swarm join tokens, whoever wrote them into a message: their secret part is masked.</summary>
    [GeneratedRegex(@"(SWMTKN-(?:1|2-[01])-[0-9a-z]{1,50}-)[0-9a-z]{25}", RegexOptions.CultureInvariant)]
    internal static partial Regex JoinTokenSecret();

    /// <summary>Masks the caller's secrets (and join tokens' secrets) in text; short values are not masked (they would mask ordinary words).</summary>
    private sealed class Redactor
    {
        private const int MinimumLength = 4;
        private readonly IReadOnlyCollection<SecureString> _secrets;

        public Redactor(IReadOnlyCollection<SecureString>? secrets) => _secrets = secrets ?? Array.Empty<SecureString>();

        public bool Holds(string text) => JoinTokenSecret().IsMatch(text)
            || _secrets.Any(s => s.Length >= MinimumLength && SecretText.Use(s, secret => text.AsSpan().IndexOf(secret, StringComparison.Ordinal) >= 0));

        public string Redact(string text)
        {
            text = JoinTokenSecret().Replace(text, "$1" + SwarmJoinToken.SecretMask);
            foreach (var secret in _secrets.Where(s => s.Length >= MinimumLength))
            {
                text = SecretText.Use(secret, value => Mask(text, value));
            }
            return text;
        }

        // Span search: the secret never becomes a managed string.
        private static string Mask(string text, ReadOnlySpan<char> secret)
        {
            var rest = text.AsSpan();
            var at = rest.IndexOf(secret, StringComparison.Ordinal);
            if (at < 0)
            {
                return text;
            }
            var masked = new System.Text.StringBuilder(text.Length);
            while (at >= 0)
            {
                masked.Append(rest[..at]).Append("***");
                rest = rest[(at + secret.Length)..];
                at = rest.IndexOf(secret, StringComparison.Ordinal);
            }
            return masked.Append(rest).ToString();
        }
    }
}
