using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;

namespace FipsCluster.Testing;

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

    /// <summary>Instance types the stub knows (DescribeInstanceTypes): type → the architectures it runs.</summary>
    public Dictionary<string, string[]> InstanceTypes { get; } = new(StringComparer.Ordinal)
    {
        ["m5.xlarge"] = new[] { "x86_64" }, ["m5.2xlarge"] = new[] { "x86_64" }, ["m5.large"] = new[] { "x86_64" },
        ["c6i.xlarge"] = new[] { "x86_64" }, ["r6i.2xlarge"] = new[] { "x86_64" }, ["t3.medium"] = new[] { "i386", "x86_64" },
        ["m7g.xlarge"] = new[] { "arm64" }, ["m7g.2xlarge"] = new[] { "arm64" }, ["c7g.large"] = new[] { "arm64" }, ["t4g.medium"] = new[] { "arm64" },
    };

    /// <summary>Instances by ID: (client token, role tag, state).</summary>
    public ConcurrentDictionary<string, (string ClientToken, string Role, string State, IReadOnlyDictionary<string, string> Request)> Instances { get; } = new();

    public ConcurrentDictionary<string, string> SecurityGroups { get; } = new(); // id → name

    /// <summary>
    /// Every ingress rule authorized (AuthorizeSecurityGroupIngress IpPermissions, one entry per source): the group, the
    /// protocol and port range, and the source ("sg-…" for a group, a CIDR otherwise). A rule that exists already fails
    /// the whole call with InvalidPermission.Duplicate, as EC2 does.
    /// </summary>
    public ConcurrentQueue<IngressRule> Ingress { get; } = new();

    public sealed record IngressRule(string GroupId, string Protocol, int FromPort, int ToPort, string Source, string? Description);

    /// <summary>The address every instance reports (privateIpAddress), e.g. a loopback sshd in tests.</summary>
    public string InstanceAddress { get; set; } = "10.0.1.10";

    /// <summary>When set, instances get these addresses in launch order (one loopback address per "instance" in tests), else <see cref="InstanceAddress"/>.</summary>
    public IReadOnlyList<string> InstanceAddresses { get; set; } = Array.Empty<string>();

    /// <summary>When set, each instance also gets a public address (ipAddress) from this list, in launch order, as an instance in a public subnet does.</summary>
    public IReadOnlyList<string> PublicAddresses { get; set; } = Array.Empty<string>();

    /// <summary>The zone every instance is placed in (placement.availabilityZone).</summary>
    public string AvailabilityZone { get; set; } = "us-east-1a";

    private readonly ConcurrentDictionary<string, string> _addresses = new();
    private readonly ConcurrentDictionary<string, string> _publicAddresses = new();
    private readonly ConcurrentDictionary<string, int> _launchIndexes = new();

    /// <summary>An instance's position in its RunInstances launch (EC2's amiLaunchIndex).</summary>
    public int LaunchIndex(string instanceId) => _launchIndexes[instanceId];

    /// <summary>
    /// What the instance at each address has printed to its console (the test's sshd plays the instances, so its host
    /// keys go here, see <see cref="CloudInitConsole"/>). An address without an entry has printed nothing.
    /// </summary>
    public ConcurrentDictionary<string, string> ConsoleByAddress { get; } = new();

    /// <summary>The first this many GetConsoleOutput calls for each instance find no output yet (a booting instance).</summary>
    public int ConsoleSilentPolls { get; set; }

    /// <summary>GetConsoleOutput with Latest=true fails with UnsupportedOperation (an instance type without Nitro).</summary>
    public bool LatestConsoleUnsupported { get; set; }

    private readonly ConcurrentDictionary<string, int> _consolePolls = new();

    /// <summary>
    /// A first boot's console as an EC2 serial console shows it, with what cloud-init's keys-to-console writes: the
    /// fingerprints (syslog-prefixed) and the public keys between the BEGIN/END SSH HOST KEY KEYS markers — here in CRLF
    /// lines wrapped at 80 columns, with a kernel message in the middle of the block, as real consoles do.
    /// </summary>
    public static string CloudInitConsole(IEnumerable<string> publicKeyLines, string hostname = "ip-10-0-1-10")
    {
        var keys = publicKeyLines.Select(l => l.Trim().Split(' ')).Where(f => f.Length >= 2).ToList();
        var lines = new List<string>
        {
            "[    0.000000] Linux version 5.14.0-427.13.1.el9_4.x86_64 (mockbuild@x86-64-01.build.eng.rdu2.redhat.com)",
            "[    0.000000] Command line: BOOT_IMAGE=(hd0,gpt3)/vmlinuz root=UUID=5f0b8a1e ro console=ttyS0,115200n8 fips=1",
            "[   14.212871] cloud-init[1021]: Cloud-init v. 23.4-7.el9_4 running 'modules:config'",
            "<14>Nov 23 16:07:52 cloud-init: #############################################################",
            "<14>Nov 23 16:07:52 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----",
        };
        lines.AddRange(keys.Select(k => $"<14>Nov 23 16:07:52 cloud-init: 256 SHA256:{Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Convert.FromBase64String(k[1]))).TrimEnd('=')} root@{hostname} ({k[0]})"));
        lines.Add("<14>Nov 23 16:07:52 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----");
        lines.Add("-----BEGIN SSH HOST KEY KEYS-----");
        var block = keys.Select(k => $"{k[0]} {k[1]} root@{hostname}").ToList();
        lines.AddRange(block.Take(1));
        lines.Add("[   15.004102] cloud-init[1288]: Cloud-init v. 23.4-7.el9_4 running 'modules:final'");
        lines.AddRange(block.Skip(1));
        lines.Add("-----END SSH HOST KEY KEYS-----");
        lines.Add($"[   15.310944] cloud-init[1288]: Cloud-init v. 23.4-7.el9_4 finished. Datasource DataSourceEc2Local.  Up 15.30 seconds");
        var wrapped = lines.SelectMany(l => l.Chunk(80).Select(c => new string(c)));
        return string.Join("\r\n", wrapped) + "\r\n";
    }

    /// <summary>New instances stay "pending" (a launch that never finishes).</summary>
    public bool PendingForever { get; set; }

    /// <summary>RunInstances for instances tagged with this role fail with InsufficientInstanceCapacity (every retry).</summary>
    public string? NoCapacityForRole { get; set; }

    /// <summary>
    /// Calls this returns true for are answered by dropping the connection (a network that fails mid-operation): the
    /// request is recorded, its effect does not happen, and the client sees a reset.
    /// </summary>
    public Func<string, IReadOnlyDictionary<string, string>, bool>? DropConnection { get; set; }

    public static readonly string[] MutatingActions = { "CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "RunInstances", "TerminateInstances", "DeleteSecurityGroup", "CreateTags" };

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
            if (DropConnection?.Invoke(action, parameters) == true)
            {
                context.Response.Abort();
                continue;
            }
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
            "DescribeInstanceTypes" => DescribeInstanceTypes(parameters),
            "CreateSecurityGroup" => CreateSecurityGroup(parameters),
            "DescribeSecurityGroups" => DescribeSecurityGroups(parameters),
            "AuthorizeSecurityGroupIngress" => AuthorizeIngress(parameters),
            "RevokeSecurityGroupIngress" => RevokeIngress(parameters),
            "DeleteSecurityGroup" => DeleteSecurityGroup(parameters),
            "RunInstances" => RunInstances(parameters),
            "DescribeInstances" => DescribeInstances(parameters),
            "TerminateInstances" => TerminateInstances(parameters),
            "GetConsoleOutput" => GetConsoleOutput(parameters),
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

    /// <summary>DescribeInstanceTypes for named types: processorInfo.supportedArchitectures; an unknown type fails the call, as EC2 does.</summary>
    private (int, string) DescribeInstanceTypes(Dictionary<string, string> parameters)
    {
        var types = parameters.Where(p => p.Key.StartsWith("InstanceType.", StringComparison.Ordinal)).Select(p => p.Value).ToList();
        var unknown = types.Where(t => !InstanceTypes.ContainsKey(t)).ToList();
        if (unknown.Count > 0)
        {
            return Error(400, "InvalidInstanceType", $"The following supplied instance types do not exist: [{string.Join(", ", unknown)}]");
        }
        var items = string.Concat(types.Select(t =>
            $"<item><instanceType>{t}</instanceType><currentGeneration>true</currentGeneration><processorInfo><supportedArchitectures>" +
            string.Concat(InstanceTypes[t].Select(a => $"<item>{a}</item>")) +
            "</supportedArchitectures><sustainedClockSpeedInGhz>3.1</sustainedClockSpeedInGhz></processorInfo><vCpuInfo><defaultVCpus>4</defaultVCpus></vCpuInfo></item>"));
        return (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstanceTypesResponse xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><instanceTypeSet>{items}</instanceTypeSet></DescribeInstanceTypesResponse>");
    }

    private object Gate { get; } = new();

    private static (int, string) Ok(string element, string extra = "") =>
        (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><{element} xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><return>true</return>{extra}</{element}>");

    private (int, string) CreateSecurityGroup(Dictionary<string, string> p)
    {
        lock (Gate)
        {
            var name = p.GetValueOrDefault("GroupName", "");
            if (SecurityGroups.Values.Contains(name))
            {
                return Error(400, "InvalidGroup.Duplicate", $"The security group '{name}' already exists");
            }
            var id = "sg-" + Guid.NewGuid().ToString("N")[..17];
            SecurityGroups[id] = name;
            return Ok("CreateSecurityGroupResponse", $"<groupId>{id}</groupId>");
        }
    }

    private (int, string) DescribeSecurityGroups(Dictionary<string, string> p)
    {
        var names = p.Where(kv => kv.Key.StartsWith("GroupName.", StringComparison.Ordinal) || (kv.Key.StartsWith("Filter.1.Value.", StringComparison.Ordinal) && p.GetValueOrDefault("Filter.1.Name") == "group-name")).Select(kv => kv.Value).ToHashSet();
        // Each group with its ingress as EC2 lists it: one ipPermissions item per protocol and port range, its sources inside.
        string Permissions(string groupId) => string.Concat(Ingress.Where(r => r.GroupId == groupId).GroupBy(r => (r.Protocol, r.FromPort, r.ToPort)).Select(g =>
            $"<item><ipProtocol>{g.Key.Protocol}</ipProtocol><fromPort>{g.Key.FromPort}</fromPort><toPort>{g.Key.ToPort}</toPort>" +
            $"<groups>{string.Concat(g.Where(r => r.Source.StartsWith("sg-", StringComparison.Ordinal)).Select(r => $"<item><userId>123456789012</userId><groupId>{r.Source}</groupId></item>"))}</groups>" +
            $"<ipRanges>{string.Concat(g.Where(r => !r.Source.StartsWith("sg-", StringComparison.Ordinal) && !r.Source.Contains(':')).Select(r => $"<item><cidrIp>{r.Source}</cidrIp></item>"))}</ipRanges>" +
            $"<ipv6Ranges>{string.Concat(g.Where(r => r.Source.Contains(':')).Select(r => $"<item><cidrIpv6>{r.Source}</cidrIpv6></item>"))}</ipv6Ranges><prefixListIds/></item>"));
        var items = string.Concat(SecurityGroups.Where(g => names.Contains(g.Value)).Select(g => $"<item><groupId>{g.Key}</groupId><groupName>{g.Value}</groupName><ownerId>123456789012</ownerId><ipPermissions>{Permissions(g.Key)}</ipPermissions></item>"));
        return (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeSecurityGroupsResponse xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><securityGroupInfo>{items}</securityGroupInfo></DescribeSecurityGroupsResponse>");
    }

    /// <summary>RevokeSecurityGroupIngress: the rules leave <see cref="Ingress"/>; one that does not exist fails the call, as EC2 does.</summary>
    private (int, string) RevokeIngress(Dictionary<string, string> p)
    {
        var group = p.GetValueOrDefault("GroupId", "");
        if (!SecurityGroups.ContainsKey(group))
        {
            return Error(400, "InvalidGroup.NotFound", $"The security group '{group}' does not exist");
        }
        var rules = Rules(group, p).Select(r => r with { Description = null }).ToHashSet();
        lock (Gate)
        {
            var current = Ingress.ToList();
            if (rules.FirstOrDefault(r => !current.Any(e => e with { Description = null } == r)) is { } missing)
            {
                return Error(400, "InvalidPermission.NotFound", $"The specified rule does not exist in this security group (peer: {missing.Source}, port {missing.FromPort}).");
            }
            while (Ingress.TryDequeue(out _))
            {
            }
            foreach (var kept in current.Where(e => !rules.Contains(e with { Description = null })))
            {
                Ingress.Enqueue(kept);
            }
            foreach (var rule in rules)
            {
                RevokedIngress.Enqueue(rule);
            }
        }
        return Ok("RevokeSecurityGroupIngressResponse");
    }

    /// <summary>Every rule revoked, in order.</summary>
    public ConcurrentQueue<IngressRule> RevokedIngress { get; } = new();

    /// <summary>The rules of an Authorize/RevokeSecurityGroupIngress request, one per source.</summary>
    private static List<IngressRule> Rules(string group, Dictionary<string, string> p)
    {
        var rules = new List<IngressRule>();
        var permission = new System.Text.RegularExpressions.Regex(@"^IpPermissions\.(\d+)\.(Groups\.\d+\.GroupId|IpRanges\.\d+\.CidrIp|Ipv6Ranges\.\d+\.CidrIpv6)$");
        foreach (var (key, value) in p)
        {
            var m = permission.Match(key);
            if (!m.Success)
            {
                continue;
            }
            var prefix = $"IpPermissions.{m.Groups[1].Value}.";
            var item = key[..key.LastIndexOf('.')];
            rules.Add(new IngressRule(group, p.GetValueOrDefault(prefix + "IpProtocol", ""),
                int.Parse(p.GetValueOrDefault(prefix + "FromPort", "-1"), System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(p.GetValueOrDefault(prefix + "ToPort", "-1"), System.Globalization.CultureInfo.InvariantCulture),
                value, p.GetValueOrDefault(item + ".Description")));
        }
        return rules;
    }

    private (int, string) AuthorizeIngress(Dictionary<string, string> p)
    {
        var group = p.GetValueOrDefault("GroupId", "");
        if (!SecurityGroups.ContainsKey(group))
        {
            return Error(400, "InvalidGroup.NotFound", $"The security group '{group}' does not exist");
        }
        var rules = Rules(group, p);
        lock (Gate)
        {
            var duplicate = rules.FirstOrDefault(r => Ingress.Any(e => e with { Description = null } == r with { Description = null }));
            if (duplicate is not null)
            {
                return Error(400, "InvalidPermission.Duplicate", $"the specified rule \"peer: {duplicate.Source}, TCP, from port: {duplicate.FromPort}, to port: {duplicate.ToPort}, ALLOW\" already exists");
            }
            foreach (var rule in rules)
            {
                Ingress.Enqueue(rule);
            }
        }
        return Ok("AuthorizeSecurityGroupIngressResponse");
    }

    private (int, string) DeleteSecurityGroup(Dictionary<string, string> p)
    {
        var id = p.GetValueOrDefault("GroupId", "");
        if (Instances.Values.Any(i => i.State != "terminated" && i.Request.GetValueOrDefault("SecurityGroupId.1") == id))
        {
            return Error(400, "DependencyViolation", $"resource {id} has a dependent object");
        }
        return SecurityGroups.TryRemove(id, out _) ? Ok("DeleteSecurityGroupResponse") : Error(400, "InvalidGroup.NotFound", $"The security group '{id}' does not exist");
    }

    /// <summary>EC2's limit on user data, in raw form before base64 encoding.</summary>
    public const int MaxUserData = 16384;

    /// <summary>A RunInstances UserData parameter as cloud-init reads it: base64, then gunzip when it is gzip.</summary>
    public static string UserDataText(string base64)
    {
        var raw = Convert.FromBase64String(base64);
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B)
        {
            return System.Text.Encoding.UTF8.GetString(raw);
        }
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(raw), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, System.Text.Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private (int, string) RunInstances(Dictionary<string, string> p)
    {
        var role = p.Where(kv => kv.Key.StartsWith("TagSpecification.1.Tag.", StringComparison.Ordinal) && kv.Key.EndsWith(".Key", StringComparison.Ordinal) && kv.Value == "fipscluster.io/role")
            .Select(kv => p.GetValueOrDefault(kv.Key[..^4] + ".Value", "")).FirstOrDefault() ?? "";
        if (role == NoCapacityForRole)
        {
            return Error(500, "InsufficientInstanceCapacity", $"We currently do not have sufficient {p.GetValueOrDefault("InstanceType")} capacity.");
        }
        if (p.TryGetValue("UserData", out var userData) && Convert.FromBase64String(userData).Length > MaxUserData)
        {
            return Error(400, "InvalidParameterValue", $"User data is limited to {MaxUserData} bytes");
        }
        var token = p.GetValueOrDefault("ClientToken", "");
        lock (Gate)
        {
            // EC2 idempotency: the same ClientToken returns the instances it launched before.
            var existing = token.Length > 0 ? Instances.Where(i => i.Value.ClientToken == token).Select(i => i.Key).ToList() : new List<string>();
            if (existing.Count == 0)
            {
                var count = int.Parse(p.GetValueOrDefault("MaxCount", "1"), System.Globalization.CultureInfo.InvariantCulture);
                for (var i = 0; i < count; i++)
                {
                    var id = "i-" + Guid.NewGuid().ToString("N")[..17];
                    Instances[id] = (token, role, PendingForever ? "pending" : "running", p);
                    _launchIndexes[id] = i;
                    _addresses[id] = InstanceAddresses.Count > 0 ? InstanceAddresses[(Instances.Count - 1) % InstanceAddresses.Count] : InstanceAddress;
                    if (PublicAddresses.Count > 0)
                    {
                        _publicAddresses[id] = PublicAddresses[(Instances.Count - 1) % PublicAddresses.Count];
                    }
                    existing.Add(id);
                }
            }
            return (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><RunInstancesResponse xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><reservationId>r-{Guid.NewGuid():N}</reservationId><ownerId>123456789012</ownerId><instancesSet>{string.Concat(Enumerable.Reverse(existing).Select(InstanceXml))}</instancesSet></RunInstancesResponse>");
        }
    }

    private string InstanceXml(string id)
    {
        var (token, _, state, request) = Instances[id];
        var code = state switch { "running" => 16, "terminated" => 48, "shutting-down" => 32, _ => 0 };
        return $"<item><instanceId>{id}</instanceId><amiLaunchIndex>{_launchIndexes.GetValueOrDefault(id)}</amiLaunchIndex><imageId>{request.GetValueOrDefault("ImageId")}</imageId><instanceState><code>{code}</code><name>{state}</name></instanceState><instanceType>{request.GetValueOrDefault("InstanceType")}</instanceType><clientToken>{token}</clientToken><placement><availabilityZone>{AvailabilityZone}</availabilityZone></placement><privateIpAddress>{_addresses.GetValueOrDefault(id, InstanceAddress)}</privateIpAddress>"
            + (_publicAddresses.TryGetValue(id, out var publicAddress) ? $"<ipAddress>{publicAddress}</ipAddress>" : "") + "</item>";
    }

    private (int, string) DescribeInstances(Dictionary<string, string> p)
    {
        var ids = p.Where(kv => kv.Key.StartsWith("InstanceId.", StringComparison.Ordinal)).Select(kv => kv.Value).Where(Instances.ContainsKey).ToList();
        return (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet>{string.Concat(ids.Select(InstanceXml))}</instancesSet></item></reservationSet></DescribeInstancesResponse>");
    }

    private (int, string) TerminateInstances(Dictionary<string, string> p)
    {
        var ids = p.Where(kv => kv.Key.StartsWith("InstanceId.", StringComparison.Ordinal)).Select(kv => kv.Value).Where(Instances.ContainsKey).ToList();
        foreach (var id in ids)
        {
            Instances[id] = Instances[id] with { State = "terminated" };
        }
        var items = string.Concat(ids.Select(id => $"<item><instanceId>{id}</instanceId><currentState><code>48</code><name>terminated</name></currentState><previousState><code>16</code><name>running</name></previousState></item>"));
        return (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><TerminateInstancesResponse xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><instancesSet>{items}</instancesSet></TerminateInstancesResponse>");
    }

    private (int, string) GetConsoleOutput(Dictionary<string, string> p)
    {
        var id = p.GetValueOrDefault("InstanceId", "");
        if (!Instances.ContainsKey(id))
        {
            return Error(400, "InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist");
        }
        if (LatestConsoleUnsupported && p.GetValueOrDefault("Latest") == "true")
        {
            return Error(400, "UnsupportedOperation", "This instance type does not support retrieving the latest console output.");
        }
        var polls = _consolePolls.AddOrUpdate(id, 1, (_, n) => n + 1);
        var text = polls > ConsoleSilentPolls && ConsoleByAddress.TryGetValue(_addresses.GetValueOrDefault(id, InstanceAddress), out var printed) ? printed : null;
        var output = text is null ? "" : $"<output>{Convert.ToBase64String(Encoding.UTF8.GetBytes(text))}</output>";
        return (200, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><GetConsoleOutputResponse xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><instanceId>{id}</instanceId><timestamp>{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}</timestamp>{output}</GetConsoleOutputResponse>");
    }

    private static (int, string) Error(int status, string code, string message) =>
        (status, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>");

    private static int FreePort() => LoopbackPort.Free();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
