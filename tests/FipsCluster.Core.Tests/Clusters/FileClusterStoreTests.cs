using System.Diagnostics;
using FipsCluster.Core.Clusters;
using Xunit;

namespace FipsCluster.Core.Tests.Clusters;

public sealed class FileClusterStoreTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "fc-store-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private static FipsClusterRecord Record(string name, bool fips = true) => new()
    {
        Name = name,
        Provider = FipsClusterProvider.Swarm,
        Fips = fips,
        ComplianceProfile = "FIPS-140-3",
        ComplianceProfileHash = "sha256:abc",
        Endpoints = new[] { "unix:///var/run/docker.sock" },
        Description = "test",
    };

    [Fact]
    public void A_record_round_trips_and_both_the_record_and_the_key_are_owner_only()
    {
        var store = new FileClusterStore(_home);
        var created = store.Create(Record("prod"));
        Assert.Equal(1, created.Version);
        var read = store.Get("prod");
        Assert.True(read.Fips);
        Assert.Equal("FIPS-140-3", read.ComplianceProfile);
        Assert.Equal(new[] { "prod" }, store.Names());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_home, "store.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_home, "clusters", "prod", "cluster.json")));
        }
        var again = Assert.Throws<FipsClusterException>(() => store.Create(Record("prod")));
        Assert.Equal(ErrorIds.FipsClusterExists, again.ErrorId);
        // A second store instance (another process, another runspace) reads it with the same key.
        Assert.True(new FileClusterStore(_home).Get("prod").Fips);
    }

    [Fact]
    public void The_provider_is_stored_as_its_name_so_records_written_before_it_was_an_enum_read_back()
    {
        var store = new FileClusterStore(_home);
        // A record as the string-typed property (and the format before the store index) wrote it, MAC and all — in a
        // store this version has not written to yet.
        new PreIndexStore(_home).Write("old", new { name = "old", provider = "Swarm", fips = true, complianceProfile = "FIPS-140-3", version = 1 });
        Assert.Equal(FipsClusterProvider.Swarm, store.Get("old").Provider);

        store.Create(new FipsClusterRecord { Name = "aws1", Provider = FipsClusterProvider.AWS, ComplianceProfile = "FIPS-140-3" });
        Assert.Contains("\"provider\": \"AWS\"", File.ReadAllText(Path.Combine(_home, "clusters", "aws1", "cluster.json")));
        // The first write enrolled the older record in the store index: it still reads.
        Assert.Equal(FipsClusterProvider.Swarm, store.Get("old").Provider);
        Assert.Equal(FipsClusterProvider.AWS, store.Get("aws1").Provider);
    }

    [Theory]
    [InlineData("\"fips\": true", "\"fips\": false")]
    [InlineData("\"complianceProfile\": \"FIPS-140-3\"", "\"complianceProfile\": \"FIPS-140-2\"")]
    [InlineData("\"description\": \"test\"", "\"description\": \"edited\"")]
    public void Any_edit_of_the_record_on_disk_is_detected(string original, string edited)
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("prod"));
        var path = Path.Combine(_home, "clusters", "prod", "cluster.json");
        var text = File.ReadAllText(path);
        Assert.Contains(original, text);
        File.WriteAllText(path, text.Replace(original, edited, StringComparison.Ordinal));
        var ex = Assert.Throws<FipsClusterException>(() => store.Get("prod"));
        Assert.Equal(ErrorIds.FipsClusterRecordTampered, ex.ErrorId);
        Assert.Throws<FipsClusterException>(() => store.Update("prod", r => r));
        // A MAC recomputed without the key is not enough either.
        File.WriteAllText(path, "{\"mac\":\"AAAA\",\"record\":{\"name\":\"prod\",\"fips\":false}}");
        Assert.Equal(ErrorIds.FipsClusterRecordTampered, Assert.Throws<FipsClusterException>(() => store.Get("prod")).ErrorId);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("a b")]
    [InlineData("x123456789012345678901234567890123456789012345678901234567890123")]
    public void Names_that_could_build_a_path_are_refused(string name)
    {
        var store = new FileClusterStore(_home);
        Assert.Equal(ErrorIds.InvalidClusterName, Assert.Throws<FipsClusterException>(() => store.Create(Record(name))).ErrorId);
        Assert.Equal(ErrorIds.InvalidClusterName, Assert.Throws<FipsClusterException>(() => store.Get(name)).ErrorId);
        Assert.False(Directory.Exists(Path.Combine(_home, "etc")));
    }

    [Fact]
    public void Concurrent_updates_from_eight_writers_lose_nothing()
    {
        new FileClusterStore(_home).Create(Record("busy"));
        const int writers = 8, each = 25;
        // Real threads released together (xunit's scheduler would serialize Parallel.For and hide a missing lock).
        var start = new Barrier(writers);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            var store = new FileClusterStore(_home); // each writer with its own store instance, as separate runspaces have
            start.SignalAndWait();
            for (var i = 0; i < each; i++)
            {
                try
                {
                store.Update("busy", r => new FipsClusterRecord
                {
                    Name = r.Name, Provider = r.Provider, Fips = r.Fips, ComplianceProfile = r.ComplianceProfile, ComplianceProfileHash = r.ComplianceProfileHash,
                    Endpoints = r.Endpoints, Description = r.Description, Nodes = r.Nodes, Waivers = r.Waivers, CreationEvidence = r.CreationEvidence,
                    Tags = r.Tags.Append($"w{w}-{i}").ToArray(),
                });
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        var final = new FileClusterStore(_home).Get("busy");
        Assert.Equal(writers * each, final.Tags.Count);
        Assert.Equal(writers * each, final.Tags.Distinct().Count());
        Assert.Equal(1 + writers * each, final.Version);
    }

    [SkippableFact]
    public void The_lock_excludes_another_process_holding_flock()
    {
        Skip.IfNot(File.Exists("/usr/bin/flock"), "util-linux flock is not installed");
        var store = new FileClusterStore(_home);
        store.Create(Record("locked"));
        var lockFile = Path.Combine(_home, "clusters", "locked", ".lock");
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", new[] { "-x", lockFile, "sleep", "1.5" }) { UseShellExecute = false })!;
        Thread.Sleep(300); // let it take the lock
        var clock = Stopwatch.StartNew();
        store.Update("locked", r => r);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(0.9), $"the update did not wait for the other process ({clock.Elapsed})");
        holder.WaitForExit();
    }

    [Fact]
    public void A_writer_that_dies_between_writing_and_renaming_leaves_the_previous_record_readable()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("crash"));
        var dir = Path.Combine(_home, "clusters", "crash");
        // The crash: the new content is on disk as a temp file, the rename never happens.
        store.BeforeRename = temp =>
        {
            File.Copy(temp, Path.Combine(dir, $".cluster.json.{Guid.NewGuid():N}.tmp"));
            throw new IOException("simulated crash before rename");
        };
        Assert.Throws<IOException>(() => store.Update("crash", r => new FipsClusterRecord { Name = r.Name, Provider = r.Provider, Fips = r.Fips, ComplianceProfile = r.ComplianceProfile, Description = "half-written" }));
        Assert.Single(Directory.GetFiles(dir, ".cluster.json.*.tmp"));

        var fresh = new FileClusterStore(_home);
        var read = fresh.Get("crash");
        Assert.Equal("test", read.Description);
        Assert.Equal(1, read.Version);
        // The next successful write removes the leftover.
        fresh.Update("crash", r => r);
        Assert.Empty(Directory.GetFiles(dir, ".cluster.json.*.tmp"));
        Assert.Equal(2, fresh.Get("crash").Version);
    }

    [Fact]
    public void Delete_removes_the_record_and_reports_whether_it_existed()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("gone"));
        Assert.True(store.Delete("gone"));
        Assert.False(store.Delete("gone"));
        Assert.Equal(ErrorIds.FipsClusterNotFound, Assert.Throws<FipsClusterException>(() => store.Get("gone")).ErrorId);
        Assert.Empty(store.Names());
    }
}
