using System.Diagnostics;
using System.Globalization;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Hostile;

/// <summary>
/// Issue 13, finding 3, over real sshd: nodes whose key runs a program of the test's (authorized_keys command=) instead
/// of the fact script — 200 MB of output (the proof took the run to 1.14 GB), output that never ends, and the real
/// facts with a `links` line the script never writes. Each is that node's error with a clear id; memory stays bounded,
/// the connection is closed at once, and the other nodes are judged.
/// </summary>
[Collection("ssh")]
public sealed class HostileSshNodeTests : IClassFixture<ModuleFixture>, IDisposable
{
    private const string Report = "FipsCluster.NodeComplianceReport";
    private const string HugeAddress = "127.0.13.1";
    private const string EndlessAddress = "127.0.13.2";
    private const string MalformedAddress = "127.0.13.3";
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly string _dir = "";
    private readonly SshNodesFixture.ExtraSshd? _hostile;
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public HostileSshNodeTests(SshNodesFixture nodes, ModuleFixture module, Xunit.Abstractions.ITestOutputHelper output)
    {
        _nodes = nodes;
        _output = output;
        _ps = module.Session;
        if (nodes.Unavailable is not null)
        {
            return;
        }
        _dir = Path.Combine(nodes.WorkDirectory, "hostile-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(_dir);
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1FF); // 0777: the login user writes the endless writer's pid here
        var program = Path.Combine(_dir, "node.sh");
        // Which node this is: the address the client connected to ($SSH_CONNECTION's third field).
        File.WriteAllText(program, $"""
            #!/bin/sh
            set -- $SSH_CONNECTION
            case $3 in
              {HugeAddress}) exec head -c {200 * 1024 * 1024} /dev/zero ;;
              {EndlessAddress}) echo $$ > {_dir}/endless.pid; exec yes 'a node that never stops talking' ;;
              {MalformedAddress}) eval "$SSH_ORIGINAL_COMMAND" | sed 's/^@@FC grep$/@@FC links\nnoslash\t..\/x\n@@FC grep/' ;;
              *) eval "$SSH_ORIGINAL_COMMAND" ;;
            esac

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(program, (UnixFileMode)0x1ED); // 0755
        _hostile = nodes.StartSshd(new[] { "--forced-command", program }, HugeAddress, EndlessAddress, MalformedAddress);
    }

    public void Dispose() => _hostile?.Dispose();

    private string Node(string address) => $"{address}:{_hostile!.Port}";

    private string KnownHosts()
    {
        var merged = Path.Combine(_dir, "known_hosts");
        File.WriteAllLines(merged, File.ReadAllLines(_nodes.KnownHosts).Concat(File.ReadAllLines(_hostile!.KnownHosts)));
        return merged;
    }

    private static string ErrorIdOf(dynamic report) => (string)report.ErrorId;

    [SkippableFact]
    public void A_node_sending_200_MB_is_NodeOutputTooLarge_within_seconds_and_the_process_peak_memory_stays_bounded()
    {
        _nodes.Require();
        // A fresh process, so that its peak resident set (VmHWM) is this scan's: first a normal node (JIT, SSH, one
        // facts run), then the 200 MB node.
        var script = $$"""
            Import-Module '{{TestPaths.ModuleManifest}}'
            $common = @{ UserName = '{{_nodes.UserName}}'; KeyFilePath = '{{_nodes.KeyFile}}'; KnownHostsPath = '{{KnownHosts()}}'; TimeoutSeconds = 60 }
            function Peak { ([IO.File]::ReadAllLines('/proc/self/status') | Where-Object { $_.StartsWith('VmHWM:') }) -replace '[^0-9]', '' }
            $plain = Test-FipsNode -ComputerName '{{_nodes.PlainNode}}' @common
            [GC]::Collect()
            "BEFORE $(Peak)"
            "PLAIN $($plain.Status)"
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $huge = Test-FipsNode -ComputerName '{{Node(HugeAddress)}}' @common -ErrorVariable failures -ErrorAction SilentlyContinue
            "SECONDS $($clock.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture))"
            "AFTER $(Peak)"
            "STATUS $($huge.Status)"
            "REPORTID $($huge.ErrorId)"
            "ERRORID $($failures[0].FullyQualifiedErrorId)"
            "CATEGORY $($failures[0].CategoryInfo.Category)"
            """;
        var result = ChildHost.Run(script, TimeSpan.FromSeconds(180));
        var lines = result.Lines.Where(l => l.Contains(' ', StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf(' ', StringComparison.Ordinal)], l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        Assert.True(lines.ContainsKey("AFTER"), result.StdOut + result.StdErr);
        Assert.NotEqual("Error", lines["PLAIN"]);
        Assert.Equal("Error", lines["STATUS"]);
        Assert.Equal("NodeOutputTooLarge", lines["REPORTID"]);
        Assert.Equal("NodeOutputTooLarge,FipsCluster.Commands.TestFipsNodeCommand", lines["ERRORID"]);
        Assert.Equal("LimitsExceeded", lines["CATEGORY"]);
        Assert.True(double.Parse(lines["SECONDS"], CultureInfo.InvariantCulture) < 20, $"took {lines["SECONDS"]} s");
        // 200 MB held as bytes, then as a string, took the run past 1 GB; within the 16 MiB cap the peak barely moves.
        _output.WriteLine($"VmHWM before {lines["BEFORE"]} kB, after {lines["AFTER"]} kB; the 200 MB node took {lines["SECONDS"]} s");
        var growthMiB = (long.Parse(lines["AFTER"], CultureInfo.InvariantCulture) - long.Parse(lines["BEFORE"], CultureInfo.InvariantCulture)) / 1024;
        Assert.True(growthMiB < 120, $"peak resident set grew by {growthMiB} MiB (before {lines["BEFORE"]} kB, after {lines["AFTER"]} kB)");
    }

    [SkippableFact]
    public void A_node_that_never_stops_talking_is_cut_off_its_writer_ends_and_the_other_nodes_are_judged()
    {
        _nodes.Require();
        var clock = Stopwatch.StartNew();
        var result = _ps.Run("Test-FipsNode -ComputerName $args[0] -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -TimeoutSeconds 30",
            new[] { Node(EndlessAddress), _nodes.PlainNode }, _nodes.UserName, _nodes.KeyFile, KnownHosts());
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        var reports = result.Of(Report).ToDictionary(r => (string)r.ComputerName);
        Assert.Equal("Error", reports[Node(EndlessAddress)].Status.ToString());
        Assert.Equal("NodeOutputTooLarge", ErrorIdOf(reports[Node(EndlessAddress)]));
        Assert.NotEqual("Error", reports[_nodes.PlainNode].Status.ToString());
        Assert.Equal("NodeOutputTooLarge,FipsCluster.Commands.TestFipsNodeCommand", Assert.Single(result.ErrorIds));

        // The connection was closed: the node's writer gets EPIPE and ends (had it stayed open, it would write forever).
        var pid = File.ReadAllText(Path.Combine(_dir, "endless.pid")).Trim();
        var gone = Stopwatch.StartNew();
        while (Directory.Exists("/proc/" + pid) && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal) && gone.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(100);
        }
        Assert.True(gone.Elapsed < TimeSpan.FromSeconds(10), $"the node's writer (pid {pid}) still runs: the connection was not closed");
    }

    [SkippableFact]
    public void A_malformed_links_line_over_SSH_is_that_nodes_NodeFactsMalformed_and_the_other_node_is_judged()
    {
        _nodes.Require();
        var result = _ps.Run("Test-FipsNode -ComputerName $args[0] -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3] -TimeoutSeconds 30",
            new[] { Node(MalformedAddress), _nodes.PlainNode }, _nodes.UserName, _nodes.KeyFile, KnownHosts());
        var reports = result.Of(Report).ToDictionary(r => (string)r.ComputerName);
        var malformed = reports[Node(MalformedAddress)];
        Assert.Equal("Error", malformed.Status.ToString());
        Assert.Equal("NodeFactsMalformed", ErrorIdOf(malformed));
        Assert.Contains("(section links) is not what the fact script writes", (string)((IEnumerable<dynamic>)malformed.Errors).Single());
        var plain = reports[_nodes.PlainNode];
        Assert.NotEqual("Error", plain.Status.ToString());
        Assert.NotEmpty((IEnumerable<dynamic>)plain.Checks);
        var error = Assert.Single(result.Errors);
        Assert.Equal("NodeFactsMalformed,FipsCluster.Commands.TestFipsNodeCommand", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidData, error.CategoryInfo.Category);
    }
}
