using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.EC2.Model;
using Amazon.Runtime;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Tests.Providers;
using FipsCluster.Core.Tokens;
using k8s.Autorest;
using Xunit;

namespace FipsCluster.Core.Tests.Operations;

/// <summary>
/// What escapes a service becomes an id from ErrorIds with a fitting category. The network failures are real ones (a
/// closed loopback port, a TLS server nobody trusts); the SDK exceptions are built as the SDKs build them.
/// </summary>
public sealed class FailureClassifierTests
{
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<Exception> Caught(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            return ex;
        }
        throw new Xunit.Sdk.XunitException("the action did not fail");
    }

    [Fact]
    public async Task A_refused_connection_is_ConnectionError()
    {
        using var http = new HttpClient();
        var error = await Caught(() => http.GetAsync($"http://127.0.0.1:{ClosedPort()}/"));
        var classified = FailureClassifier.Classify(error, subject: "the API");
        Assert.Equal(ErrorIds.EndpointUnreachable, classified.ErrorId);
        Assert.Equal(FipsErrorCategory.ConnectionError, classified.Category);
        Assert.StartsWith("the API: ", classified.Message);
        Assert.Same(error, classified.InnerException);
        Assert.True(FailureClassifier.IsUnreachable(error));
    }

    [Fact]
    public async Task An_untrusted_certificate_is_SecurityError()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var ssl = new SslStream(client.GetStream());
            try
            {
                await ssl.AuthenticateAsServerAsync(certificate);
            }
            catch (Exception)
            {
                // the client refuses the certificate: that is the point
            }
        });
        using var http = new HttpClient();
        var error = await Caught(() => http.GetAsync($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"));
        await serving;
        var classified = FailureClassifier.Classify(error);
        Assert.Equal(ErrorIds.TlsHandshakeFailed, classified.ErrorId);
        Assert.Equal(FipsErrorCategory.SecurityError, classified.Category);
        Assert.True(FailureClassifier.IsTlsFailure(error));
    }

    [Fact]
    public void Missing_AWS_credentials_are_AwsCredentialsUnavailable()
    {
        var error = new AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors: ...");
        var classified = FailureClassifier.Classify(error);
        Assert.Equal(ErrorIds.AwsCredentialsUnavailable, classified.ErrorId);
        Assert.Equal(FipsErrorCategory.AuthenticationError, classified.Category);
    }

    [Theory]
    [InlineData("AuthFailure", HttpStatusCode.Unauthorized, nameof(ErrorIds.AwsAuthenticationFailed), FipsErrorCategory.AuthenticationError)]
    [InlineData("UnauthorizedOperation", HttpStatusCode.Forbidden, nameof(ErrorIds.AwsPermissionDenied), FipsErrorCategory.PermissionDenied)]
    [InlineData("RequestLimitExceeded", HttpStatusCode.ServiceUnavailable, nameof(ErrorIds.AwsRequestFailed), FipsErrorCategory.ResourceUnavailable)]
    [InlineData("InvalidParameterValue", HttpStatusCode.BadRequest, nameof(ErrorIds.AwsRequestFailed), FipsErrorCategory.InvalidArgument)]
    public void AWS_service_errors_are_named_by_their_code(string code, HttpStatusCode status, string id, FipsErrorCategory category)
    {
        var error = new Amazon.EC2.AmazonEC2Exception("refused", ErrorType.Sender, code, "req-1", status);
        var classified = FailureClassifier.Classify(error);
        Assert.Equal(id, classified.ErrorId);
        Assert.Equal(category, classified.Category);
        Assert.Contains(code, classified.Message);
    }

    [Theory]
    [InlineData(401, nameof(ErrorIds.KubernetesAuthenticationFailed), FipsErrorCategory.AuthenticationError)]
    [InlineData(403, nameof(ErrorIds.KubernetesPermissionDenied), FipsErrorCategory.PermissionDenied)]
    [InlineData(404, nameof(ErrorIds.KubernetesObjectNotFound), FipsErrorCategory.ObjectNotFound)]
    [InlineData(500, nameof(ErrorIds.KubernetesApiError), FipsErrorCategory.ResourceUnavailable)]
    public void Kubernetes_API_statuses_are_named(int status, string id, FipsErrorCategory category)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://10.0.0.1:6443/version");
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        var error = new HttpOperationException($"Operation returned an invalid status code '{(HttpStatusCode)status}'")
        {
            Request = new HttpRequestMessageWrapper(request, ""),
            Response = new HttpResponseMessageWrapper(response, "{\"kind\":\"Status\",\"message\":\"the server says why\"}"),
        };
        var classified = FailureClassifier.Classify(error);
        Assert.Equal(id, classified.ErrorId);
        Assert.Equal(category, classified.Category);
        Assert.Contains("https://10.0.0.1:6443", classified.Message);
        Assert.Contains("the server says why", classified.Message);
    }

    [Fact]
    public void Files_that_are_missing_or_forbidden_and_assemblies_that_are_missing()
    {
        var missing = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
        Assert.Equal((ErrorIds.PathNotFound, FipsErrorCategory.ObjectNotFound), Describe(missing));
        Assert.Equal((ErrorIds.PathAccessDenied, FipsErrorCategory.PermissionDenied), Describe(new UnauthorizedAccessException("Access to the path '/etc/shadow' is denied.")));
        var assembly = new FileNotFoundException("Could not load file or assembly 'YamlDotNet, Version=18.0.0.0'.", "YamlDotNet, Version=18.0.0.0, Culture=neutral");
        Assert.Equal((ErrorIds.DependencyLoadFailed, FipsErrorCategory.NotInstalled), Describe(assembly));
    }

    [Fact]
    public void Time_limits_are_OperationTimeout()
    {
        Assert.Equal((ErrorIds.OperationTimedOut, FipsErrorCategory.OperationTimeout), Describe(new TimeoutException()));
        Assert.Equal((ErrorIds.OperationTimedOut, FipsErrorCategory.OperationTimeout), Describe(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout")));
    }

    [Fact]
    public void Anything_else_is_UnexpectedError_naming_its_type_and_keeping_the_original()
    {
        var original = new NullReferenceException("Object reference not set to an instance of an object.");
        var classified = FailureClassifier.Classify(new AggregateException(original), "node1");
        Assert.Equal(ErrorIds.UnexpectedError, classified.ErrorId);
        Assert.Equal(FipsErrorCategory.InvalidOperation, classified.Category);
        Assert.Contains("System.NullReferenceException", classified.Message);
        Assert.Same(original, classified.InnerException);
        Assert.Equal("node1", classified.Target);
        Assert.Equal(FipsErrorCategory.InvalidData, FailureClassifier.Classify(new FormatException("bad")).Category);
        Assert.Equal(FipsErrorCategory.InvalidArgument, FailureClassifier.Classify(new ArgumentException("bad")).Category);
    }

    [Fact]
    public void A_FipsClusterException_is_kept_as_it_is()
    {
        var known = new FipsClusterException(ErrorIds.NodeTimedOut, FipsErrorCategory.OperationTimeout, "n1: no answer", "n1");
        Assert.Same(known, FailureClassifier.Classify(new AggregateException(known)));
    }

    [Fact]
    public void Secrets_in_a_message_are_masked_and_the_original_is_not_kept()
    {
        const string secret = "Sk-5f2e-classifier-never-shown";
        const string token = "SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61";
        var leaky = new InvalidOperationException($"could not use {secret} with {token}");
        var classified = FailureClassifier.Classify(leaky, secrets: new[] { SecretText.ToSecureString(secret) });
        Assert.DoesNotContain(secret, classified.ToString());
        Assert.DoesNotContain("4myj5xihyto11dg1cn55w8p61", classified.ToString());
        Assert.Contains("***", classified.Message);
        Assert.Contains(SwarmJoinToken.SecretMask, classified.Message);
        Assert.Null(classified.InnerException);
    }

    private static (string, FipsErrorCategory) Describe(Exception exception)
    {
        var classified = FailureClassifier.Classify(exception);
        return (classified.ErrorId, classified.Category);
    }
}

/// <summary>The EC2 client the module builds: definitive failures fail at once, throttling is still retried.</summary>
public sealed class Ec2ClientFactoryTests
{
    private static AwsConnection To(string url) => new() { Region = "us-east-1", AccessKeyId = "AKIAFIPSCLUSTERTEST", SecretAccessKey = SecretText.ToSecureString("not-a-real-secret"), EndpointUrl = url };

    [Fact]
    public async Task A_refused_connection_fails_at_once_and_names_the_endpoint()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var url = $"http://127.0.0.1:{port}";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<FipsClusterException>(() => Ec2ClientFactory.UseAsync(To(url), ec2 => ec2.DescribeImagesAsync(new DescribeImagesRequest()), CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed} (five SDK backoffs take 11 s or more)");
        Assert.Equal(ErrorIds.EndpointUnreachable, error.ErrorId);
        Assert.Contains(url, error.Message);
    }

    [Fact]
    public async Task Throttling_is_still_retried()
    {
        using var stub = new Ec2QueryStub();
        stub.Images["ami-0123456789abcdef0"] = ("x86_64", "RHEL-9.4.0_HVM-20240605-x86_64-FIPS", "Red Hat Enterprise Linux");
        stub.Throttle("DescribeImages", 2);
        var images = await Ec2ClientFactory.UseAsync(To(stub.Url),
            ec2 => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = new List<string> { "ami-0123456789abcdef0" } }), CancellationToken.None);
        Assert.Single(images.Images);
        Assert.Equal(3, stub.Requests.Count(r => r.Action == "DescribeImages"));
    }
}
