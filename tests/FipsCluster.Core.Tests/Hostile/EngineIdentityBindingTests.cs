using System.Diagnostics;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Providers.Swarm;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 5: where the evidence host's engine ID comes from, and what a hostile engine can put in the data
/// root it reports. The admission itself, with real engines and SSH: Module.Tests/Hostile/SwarmAdmissionHostileTests.
/// </summary>
public sealed class EngineIdentityBindingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fc-engine-id-" + Guid.NewGuid().ToString("N")[..8]);

    public EngineIdentityBindingTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static EngineIdentity Engine(string id, string? root, string version = "25.0.3") => new(id, "node7", root, version, "Debian GNU/Linux 12 (bookworm)");

    [Theory]
    [InlineData("20.10.24+dfsg1", false)]
    [InlineData("1.13.1", false)]
    [InlineData("23.0.0", true)]
    [InlineData("27.3.1", true)]
    [InlineData("", true)]
    public void Engines_before_23_take_their_id_from_the_trust_key_later_ones_from_the_data_root(string version, bool dataRoot)
    {
        var engine = Engine("x", "/var/lib/docker-custom", version);
        Assert.Equal(dataRoot, engine.KeepsIdInDataRoot);
        Assert.Equal(dataRoot ? "/var/lib/docker-custom/engine-id" : EngineHostIdentity.DefaultTrustKey, EngineHostIdentity.IdFile(engine));
    }

    [Fact]
    public void The_local_id_is_read_from_the_data_root_the_engine_reports()
    {
        File.WriteAllText(Path.Combine(_dir, "engine-id"), "0f6f8f3a-6f2c-4d0e-9a43-1b8e6d2c9a77");
        var local = EngineHostIdentity.ReadLocal(Engine("0f6f8f3a-6f2c-4d0e-9a43-1b8e6d2c9a77", _dir));
        Assert.Equal("0f6f8f3a-6f2c-4d0e-9a43-1b8e6d2c9a77", local.Id);
        Assert.Equal(Path.Combine(_dir, "engine-id"), local.Source);

        var missing = Assert.Throws<FipsClusterException>(() => EngineHostIdentity.ReadLocal(Engine("x", Path.Combine(_dir, "nowhere"))));
        Assert.Equal(ErrorIds.NodeIdentityUnavailable, missing.ErrorId);
    }

    [Fact]
    public void A_trust_key_gives_its_kid_and_nothing_else()
    {
        var key = Path.Combine(_dir, "key.json");
        File.WriteAllText(key, """{"crv":"P-256","d":"SECRET-PRIVATE-SCALAR","kid":"ISXO:N3MT:2PN2:G6I2:QZYO:NUNE:Y4HX:SGOH:TT2W:ZDSE:5WPG:IG5G","kty":"EC","x":"a","y":"b"}""");
        var local = EngineHostIdentity.ReadLocal(Engine("ISXO:N3MT:2PN2:G6I2:QZYO:NUNE:Y4HX:SGOH:TT2W:ZDSE:5WPG:IG5G", "/var/lib/docker", "20.10.24"), key);
        Assert.Equal("ISXO:N3MT:2PN2:G6I2:QZYO:NUNE:Y4HX:SGOH:TT2W:ZDSE:5WPG:IG5G", local.Id);
    }

    [Theory]
    [InlineData("relative/root")]
    [InlineData("/var/lib/docker\nrm -rf /")]
    [InlineData("")]
    public void A_data_root_that_is_not_a_plain_absolute_path_is_refused(string root)
    {
        var ex = Assert.Throws<FipsClusterException>(() => EngineHostIdentity.IdFile(Engine("x", root)));
        Assert.Equal(ErrorIds.NodeIdentityUnavailable, ex.ErrorId);
    }

    [Fact]
    public void Ids_that_differ_or_local_evidence_for_a_tcp_engine_are_refused_as_a_mismatch()
    {
        var tcp = DockerEndpoint.Resolve("tcp://node7:2376", tlsVerify: true);
        var mismatch = Assert.Throws<FipsClusterException>(() => EngineHostIdentity.RequireSameMachine(tcp, Engine("engine-a", "/r"), new HostEngineIdentity("engine-b", "/r/engine-id"), "node8"));
        Assert.Equal(ErrorIds.NodeIdentityMismatch, mismatch.ErrorId);
        Assert.Equal(FipsErrorCategory.SecurityError, mismatch.Category);
        Assert.Contains("engine-a", mismatch.Message);
        Assert.Contains("engine-b", mismatch.Message);
        Assert.Equal(ErrorIds.NodeIdentityMismatch, Assert.Throws<FipsClusterException>(() => EngineHostIdentity.RequireSameMachine(tcp, Engine("a", "/r"), null, "this machine")).ErrorId);
        EngineHostIdentity.RequireSameMachine(tcp, Engine("same", "/r"), new HostEngineIdentity("same", "/r/engine-id"), "node7");
    }

    [SkippableFact]
    public void The_remote_script_reads_a_data_root_with_quotes_and_dollars_literally_and_prints_only_the_id()
    {
        Skip.IfNot(File.Exists("/bin/sh"), "needs /bin/sh");
        // A hostile engine's data root: quotes, $(...), backticks and spaces must stay one literal path.
        var root = Path.Combine(_dir, "it's $(touch pwned) `touch pwned2` root");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "engine-id"), "3b0b8c1e-2f62-4c1c-8f0e-5c3a2a8e9d11\n");
        var engine = Engine("3b0b8c1e-2f62-4c1c-8f0e-5c3a2a8e9d11", root);
        Assert.Equal("id 3b0b8c1e-2f62-4c1c-8f0e-5c3a2a8e9d11", RunSh(EngineHostIdentity.Script(engine, EngineHostIdentity.IdFile(engine)), _dir).Trim());
        Assert.False(File.Exists(Path.Combine(_dir, "pwned")));
        Assert.False(File.Exists(Path.Combine(_dir, "pwned2")));

        // A trust key: only its kid comes back, never the private part.
        var key = Path.Combine(_dir, "key.json");
        File.WriteAllText(key, """{"crv":"P-256","d":"SECRET-PRIVATE-SCALAR","kid":"ABCD:EFGH:IJKL:MNOP:QRST:UVWX:YZ23:4567:ABCD:EFGH:IJKL:MNOP","kty":"EC"}""" + "\n");
        var old = Engine("ABCD:EFGH:IJKL:MNOP:QRST:UVWX:YZ23:4567:ABCD:EFGH:IJKL:MNOP", "/var/lib/docker", "20.10.24");
        var output = RunSh(EngineHostIdentity.Script(old, key), _dir);
        Assert.Equal("id ABCD:EFGH:IJKL:MNOP:QRST:UVWX:YZ23:4567:ABCD:EFGH:IJKL:MNOP", output.Trim());
        Assert.DoesNotContain("SECRET", output);

        Assert.Equal("unreadable", RunSh(EngineHostIdentity.Script(engine, Path.Combine(_dir, "no-such-file")), _dir).Trim());
    }

    private static string RunSh(string script, string directory)
    {
        var start = new ProcessStartInfo("/bin/sh", "-s") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = directory };
        start.Environment["PATH"] = "/usr/bin:/bin"; // no sudo needed: the files are the test's own
        using var sh = Process.Start(start)!;
        sh.StandardInput.Write(script);
        sh.StandardInput.Close();
        var output = sh.StandardOutput.ReadToEnd();
        sh.WaitForExit();
        return output;
    }
}
