// Test-FipsNode over many real SSH targets vs the OpenSSH client fanned out with xargs -P at the same
// throttle, and vs SSH.NET driven directly (connect + exec, nothing else), all doing the same remote work per node:
// the fact script the module sends for that profile, with the same FIPS algorithms. One sshd setup (tests/Infrastructure/sshd.sh, MaxStartups
// 500:30:1000) listening on N loopback addresses = N nodes. Runs alternate; the first module run is reported
// separately (JIT, first connections), then medians.
// Usage: FleetBench [nodes=120] [throttle=32] [runs=3]
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;
using Renci.SshNet;

string Meta(string key) => typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
var nodes = Arg(0, 120);
var throttle = Arg(1, 32);
var runs = Arg(2, 3);

var work = Path.Combine("/tmp", "fc-fleetbench-" + Guid.NewGuid().ToString("N")[..6]);
Directory.CreateDirectory(work);
File.SetUnixFileMode(work, (UnixFileMode)0x1ED);
var key = Path.Combine(work, "client_ecdsa");
BenchHost.Run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", key);
var port = FreePort();
var addresses = Enumerable.Range(1, nodes).Select(i => $"127.0.{i / 250}.{i % 250 + 1}").ToArray();
var sshd = Path.Combine(Meta("RepoRoot"), "tests", "Infrastructure", "sshd.sh");
var sshdDir = Path.Combine(work, "sshd");
BenchHost.Run(sshd, new[] { "start", sshdDir, "--port", port.ToString(CultureInfo.InvariantCulture), "--authorized-key", key + ".pub", "--max-startups", "500:30:1000" }.Concat(addresses).ToArray());
try
{
    var knownHosts = Path.Combine(sshdDir, "known_hosts");
    var targets = addresses.Select(a => $"{a}:{port}").ToArray();
    var catCommand = "cat " + string.Join(' ', LinuxFactCatalog.Files) + " 2>/dev/null; true";

    var iss = InitialSessionState.CreateDefault2();
    using var runspace = RunspaceFactory.CreateRunspace(iss);
    runspace.Open();
    BenchHost.Invoke(runspace, "Import-Module $args[0]", Meta("Module"));
    // The OS checks only (the default profile minus the artifact checks, which scan every component binary on the
    // node): the same facts the cat baseline reads.
    var osProfile = Path.Combine(work, "os-only.yaml");
    File.WriteAllText(osProfile, "name: OS-only\nstandard: FIPS 140-3\nchecks:\n" + string.Join("", BenchHost.Invoke(runspace, "(Get-FipsComplianceProfile FIPS-140-3).Checks.CheckId")
        .Select(o => o.ToString()).Where(id => !id.StartsWith("NODE-GO", StringComparison.Ordinal) && !id.StartsWith("NODE-CRT", StringComparison.Ordinal) && !id.StartsWith("NODE-KEY", StringComparison.Ordinal))
        .Select(id => $"  - {{ id: {id} }}\n")));
    // Exactly the script the module sends for each profile (its scope decides what the node gathers).
    var remoteCommand = "/bin/sh -c " + ShellFactScript.Quote(ShellFactScript.ScriptFor(NodeCheckCatalog.ScopeOf(ComplianceProfiles.Load(osProfile))));
    var defaultCommand = "/bin/sh -c " + ShellFactScript.Quote(ShellFactScript.ScriptFor(NodeCheckCatalog.ScopeOf(ComplianceProfiles.Default)));

    (double Seconds, int Ok) Module(bool osOnly = true)
    {
        var clock = Stopwatch.StartNew();
        var output = BenchHost.Invoke(runspace, "Test-FipsNode -ComputerName $args[0] -UserName fcprobe -KeyFilePath $args[1] -KnownHostsPath $args[2] -ThrottleLimit $args[3] -TimeoutSeconds 300 -ErrorAction SilentlyContinue -ComplianceProfile $(if ($args[4]) { Get-FipsComplianceProfile -Path $args[4] } else { 'FIPS-140-3' })",
            targets, key, knownHosts, throttle, osOnly ? osProfile : "");
        var seconds = clock.Elapsed.TotalSeconds;
        return (seconds, output.Count(o => o.Properties["Status"].Value.ToString() != "Error"));
    }

    const string FipsSshOptions = "-o KexAlgorithms=ecdh-sha2-nistp256,ecdh-sha2-nistp384 -o Ciphers=aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr -o MACs=hmac-sha2-256-etm@openssh.com,hmac-sha2-256";

    (double Seconds, int Ok) Xargs(string command, string options = "")
    {
        var list = Path.Combine(work, "targets.txt");
        File.WriteAllLines(list, addresses);
        var ssh = $"ssh -F /dev/null {options} -i {key} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile={knownHosts} -p {port}";
        var shell = $"xargs -P {throttle} -I{{}} sh -c '{ssh} fcprobe@\"$1\" \"$FC_CMD\" >/dev/null 2>&1 && echo ok' _ {{}} < {list}";
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(shell);
        start.Environment["FC_CMD"] = command;
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(start)!;
        var ok = p.StandardOutput.ReadToEnd().Split('\n').Count(l => l == "ok");
        p.WaitForExit();
        return (clock.Elapsed.TotalSeconds, ok);
    }

    // SSH.NET itself, as the module configures it (FIPS algorithms), with nothing of the module around it.
    var rawKey = new PrivateKeyFile(key);
    async Task<double> RawNode(string address)
    {
        var connection = new ConnectionInfo(address, port, "fcprobe", new PrivateKeyAuthenticationMethod("fcprobe", rawKey));
        FipsSshAlgorithms.Apply(connection);
        var clock = Stopwatch.StartNew();
        using var client = new SshClient(connection);
        client.HostKeyReceived += (_, e) => e.CanTrust = true;
        await client.ConnectAsync(CancellationToken.None);
        using var command = client.CreateCommand(remoteCommand);
        await command.ExecuteAsync(CancellationToken.None);
        _ = command.Result;
        client.Disconnect();
        return clock.Elapsed.TotalMilliseconds;
    }
    (double Seconds, int Ok) Raw()
    {
        var clock = Stopwatch.StartNew();
        var ok = 0;
        Parallel.ForEachAsync(addresses, new ParallelOptions { MaxDegreeOfParallelism = throttle }, async (address, _) =>
        {
            await RawNode(address);
            Interlocked.Increment(ref ok);
        }).GetAwaiter().GetResult();
        return (clock.Elapsed.TotalSeconds, ok);
    }

    var first = Module();
    var results = new Dictionary<string, List<(double Seconds, int Ok)>>
    {
        ["Test-FipsNode, OS checks (fact script + checks)"] = new(),
        ["Test-FipsNode, default profile (+ binaries, PKI)"] = new(),
        ["xargs -P ssh, cat of the static files"] = new(),
        ["xargs -P ssh (FIPS algorithms), cat of the files"] = new(),
        ["xargs -P ssh, same fact script"] = new(),
        ["xargs -P ssh (FIPS algorithms), same fact script"] = new(),
        ["SSH.NET connect + exec (FIPS algorithms), same script"] = new(),
    };
    for (var i = 0; i < runs; i++)
    {
        results["Test-FipsNode, OS checks (fact script + checks)"].Add(Module());
        results["Test-FipsNode, default profile (+ binaries, PKI)"].Add(Module(osOnly: false));
        results["xargs -P ssh, cat of the static files"].Add(Xargs(catCommand));
        results["xargs -P ssh (FIPS algorithms), cat of the files"].Add(Xargs(catCommand, FipsSshOptions));
        results["xargs -P ssh, same fact script"].Add(Xargs(remoteCommand));
        results["xargs -P ssh (FIPS algorithms), same fact script"].Add(Xargs(remoteCommand, FipsSshOptions));
        results["SSH.NET connect + exec (FIPS algorithms), same script"].Add(Raw());
    }

    // One node at a time: what the module adds to a node over SSH.NET's own connect + exec (report Duration vs raw).
    var sample = addresses.Take(Math.Min(10, nodes)).ToArray();
    var moduleDurations = sample.Select(a => BenchHost.Invoke(runspace, "(Test-FipsNode -ComputerName $args[0] -UserName fcprobe -KeyFilePath $args[1] -KnownHostsPath $args[2] -ComplianceProfile (Get-FipsComplianceProfile -Path $args[3])).Duration.TotalMilliseconds",
        $"{a}:{port}", key, knownHosts, osProfile).Single()).Select(o => Convert.ToDouble(o.BaseObject, CultureInfo.InvariantCulture)).ToList();
    var rawDurations = sample.Select(a => RawNode(a).GetAwaiter().GetResult()).ToList();

    // The default profile's cost to a node: bytes it sends, and its CPU (the shell's `times`: user and system of the script's processes).
    // What the module sends: the asking script; its answer names no window when the scan already has them (every node of
    // a homogeneous fleet but the first), all of them for the first.
    var askingCommand = "/bin/sh -c " + ShellFactScript.Quote(ShellFactScript.ScriptFor(NodeCheckCatalog.ScopeOf(ComplianceProfiles.Default), BuildInfoWindows.Ask));
    var bytesPerNode = BenchHost.Run("ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", $"UserKnownHostsFile={knownHosts}", "-p", port.ToString(CultureInfo.InvariantCulture), $"fcprobe@{addresses[0]}", "echo | " + askingCommand + " | wc -c").Trim();
    var bytesFirstNode = BenchHost.Run("ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", $"UserKnownHostsFile={knownHosts}", "-p", port.ToString(CultureInfo.InvariantCulture), $"fcprobe@{addresses[0]}", defaultCommand + " | wc -c").Trim();
    string NodeCpu(string command)
    {
        var times = BenchHost.Run("ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={knownHosts}", "-p", port.ToString(CultureInfo.InvariantCulture), $"fcprobe@{addresses[0]}", command + " >/dev/null 2>&1; times").Trim().Split('\n');
        return times[^1].Trim(); // children: "<user> <system>"
    }
    var osCpu = NodeCpu(remoteCommand);
    var defaultCpu = NodeCpu("echo | " + askingCommand);
    var osBytes = BenchHost.Run("ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", $"UserKnownHostsFile={knownHosts}", "-p", port.ToString(CultureInfo.InvariantCulture), $"fcprobe@{addresses[0]}", remoteCommand + " | wc -c").Trim();

    Console.WriteLine($"Fleet scan: {nodes} SSH targets (one sshd setup, MaxStartups 500:30:1000, {addresses.Length} loopback addresses), throttle {throttle}, {runs} runs; {Environment.ProcessorCount} cores");
    Console.WriteLine($"{"",-50} {"median s",9} {"min s",7} {"max s",7} {"nodes ok",9} {"ratio",6}");
    var baseline = BenchHost.Median(results["xargs -P ssh (FIPS algorithms), same fact script"].Select(r => r.Seconds));
    Console.WriteLine($"{"Test-FipsNode, first run (cold JIT)",-50} {first.Seconds,9:F2} {"",7} {"",7} {first.Ok + "/" + nodes,9} {first.Seconds / baseline,6:F2}");
    foreach (var (name, samples) in results)
    {
        var median = BenchHost.Median(samples.Select(s => s.Seconds));
        Console.WriteLine($"{name,-50} {median,9:F2} {samples.Min(s => s.Seconds),7:F2} {samples.Max(s => s.Seconds),7:F2} {samples.Min(s => s.Ok) + "/" + nodes,9} {median / baseline,6:F2}");
    }
    Console.WriteLine("ratio = median time / median of 'xargs -P ssh (FIPS algorithms), same fact script' (target: Test-FipsNode OS checks <= 1.0)");
    Console.WriteLine("Test-FipsNode runs the fact script its profile needs (files, openssl, dpkg-query...) and the checks; the cat rows only read the files. The default");
    Console.WriteLine("profile also scans every component binary on the node (on the same cores for all 'nodes': node CPU, not the client, is the limit here).");
    Console.WriteLine();
    Console.WriteLine($"One node at a time ({sample.Length} nodes), OS checks: module report Duration median {BenchHost.Median(moduleDurations):F0} ms, "
        + $"SSH.NET connect + exec median {BenchHost.Median(rawDurations):F0} ms: the module adds {BenchHost.Median(moduleDurations) - BenchHost.Median(rawDurations):F0} ms per node");
    Console.WriteLine($"Per node, OS checks: {int.Parse(osBytes, CultureInfo.InvariantCulture) / 1024.0:F1} KiB sent, node CPU (user system) {osCpu}");
    Console.WriteLine($"Per node, default profile: {int.Parse(bytesPerNode, CultureInfo.InvariantCulture) / 1024.0:F1} KiB sent when the scan has its build-info windows (every node of a homogeneous fleet but one), "
        + $"{int.Parse(bytesFirstNode, CultureInfo.InvariantCulture) / 1024.0:F1} KiB by the first; node CPU (user system) {defaultCpu}");
}
finally
{
    BenchHost.Run(sshd, "stop", sshdDir);
    Directory.Delete(work, recursive: true);
}



static int FreePort()
{
    var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    var port = ((IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    return port;
}
