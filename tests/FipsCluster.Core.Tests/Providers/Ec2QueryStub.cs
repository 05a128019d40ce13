using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// An in-process HTTP server on loopback that speaks the EC2 Query protocol — form-encoded Action requests, XML
/// responses in the 2016-11-15 namespace, EC2 error documents and HTTP codes — with in-memory state, so the real
/// AWSSDK.EC2 client (signing, retries, unmarshalling) runs against it. Not a mocked interface.
/// </summary>
public sealed class Ec2QueryStub : IDisposable
{
    private const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _throttle = new();

    public Ec2QueryStub()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Every request received: the Action and its parameters, in order.</summary>
    public ConcurrentQueue<(string Action, IReadOnlyDictionary<string, string> Parameters)> Requests { get; } = new();

    /// <summary>AMIs the stub knows: id → (architecture, name, platform details).</summary>
    public Dictionary<string, (string Architecture, string Name, string PlatformDetails)> Images { get; } = new();

    /// <summary>The next <paramref name="count"/> calls of <paramref name="action"/> get 503 RequestLimitExceeded.</summary>
    public void Throttle(string action, int count) => _throttle[action] = count;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var parameters = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
            var action = parameters.GetValueOrDefault("Action", "");
            Requests.Enqueue((action, parameters));
            var (status, xml) = Handle(action, parameters);
            var bytes = Encoding.UTF8.GetBytes(xml);
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/xml;charset=UTF-8";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
    }

    private (int Status, string Xml) Handle(string action, Dictionary<string, string> parameters)
    {
        if (_throttle.TryGetValue(action, out var left) && left > 0)
        {
            _throttle[action] = left - 1;
            return Error(503, "RequestLimitExceeded", "Request limit exceeded.");
        }
        return action switch
        {
            "DescribeImages" => DescribeImages(parameters),
            _ => Error(400, "InvalidAction", $"The action {action} is not valid for this web service."),
        };
    }

    private (int, string) DescribeImages(Dictionary<string, string> parameters)
    {
        var ids = parameters.Where(p => p.Key.StartsWith("ImageId.", StringComparison.Ordinal)).Select(p => p.Value).ToList();
        var missing = ids.FirstOrDefault(id => !Images.ContainsKey(id));
        if (missing is not null)
        {
            return Error(400, "InvalidAMIID.NotFound", $"The image id '[{missing}]' does not exist");
        }
        var items = string.Concat(ids.Select(id =>
        {
            var (architecture, name, platform) = Images[id];
            return $"<item><imageId>{id}</imageId><imageState>available</imageState><architecture>{architecture}</architecture>" +
                   $"<name>{SecurityElement.Escape(name)}</name><description>{SecurityElement.Escape(name)}</description><platformDetails>{SecurityElement.Escape(platform)}</platformDetails>" +
                   "<imageType>machine</imageType><rootDeviceType>ebs</rootDeviceType></item>";
        }));
        return (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeImagesResponse xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><imagesSet>{items}</imagesSet></DescribeImagesResponse>");
    }

    private static (int, string) Error(int status, string code, string message) =>
        (status, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>");

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
