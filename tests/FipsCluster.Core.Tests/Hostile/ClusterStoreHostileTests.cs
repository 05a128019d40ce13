using System.Security.Cryptography;
using System.Text.Json;
using FipsCluster.Core.Clusters;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 8: someone with write access to the store (but not its key) swaps, copies or replays record
/// files. The audit's proof: lab's cluster.json copied over prod's made `Get prod` return Name=lab Fips=False, and an
/// older version of a record put back was read as current.
/// </summary>
public sealed class ClusterStoreHostileTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "fc-hostile-store-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private string RecordPath(string name) => Path.Combine(_home, "clusters", name, "cluster.json");

    private static FipsClusterRecord Record(string name, bool fips) => new()
    {
        Name = name,
        Provider = FipsClusterProvider.Swarm,
        Fips = fips,
        ComplianceProfile = "FIPS-140-3",
        Endpoints = new[] { "unix:///var/run/docker.sock" },
        Description = "v1",
    };

    private static FipsClusterRecord Described(FipsClusterRecord r, string description) => new()
    {
        Name = r.Name, Provider = r.Provider, Fips = r.Fips, ComplianceProfile = r.ComplianceProfile, Endpoints = r.Endpoints, Description = description,
    };

    private static FipsClusterException Refused(Action read)
    {
        var ex = Assert.Throws<FipsClusterException>(read);
        Assert.Equal(ErrorIds.FipsClusterRecordTampered, ex.ErrorId);
        Assert.Equal(FipsErrorCategory.SecurityError, ex.Category);
        return ex;
    }

    [Fact]
    public void Another_clusters_record_copied_over_this_one_is_refused_not_read_as_this_cluster()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("prod", fips: true));
        store.Create(Record("lab", fips: false));
        File.Copy(RecordPath("lab"), RecordPath("prod"), overwrite: true);

        var ex = Refused(() => store.Get("prod"));
        Assert.Contains("prod", ex.Message);
        Refused(() => store.Update("prod", r => r));
        // lab itself is untouched.
        Assert.False(store.Get("lab").Fips);
    }

    [Fact]
    public void A_copied_record_whose_mac_was_made_for_the_other_name_is_refused_even_when_the_json_name_is_edited_back()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("prod", fips: true));
        store.Create(Record("lab", fips: false));
        // The attacker cannot recompute the MAC; renaming the record inside the copy breaks it.
        File.WriteAllText(RecordPath("prod"), File.ReadAllText(RecordPath("lab")).Replace("\"name\": \"lab\"", "\"name\": \"prod\"", StringComparison.Ordinal));
        Refused(() => store.Get("prod"));
    }

    [Fact]
    public void An_older_version_put_back_is_refused_and_the_message_says_so()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("prod", fips: true));
        var first = File.ReadAllBytes(RecordPath("prod"));
        store.Update("prod", r => Described(r, "v2"));
        var second = File.ReadAllBytes(RecordPath("prod"));
        store.Update("prod", r => Described(r, "v3"));
        Assert.Equal(3, store.Get("prod").Version);

        foreach (var older in new[] { first, second })
        {
            File.WriteAllBytes(RecordPath("prod"), older);
            var ex = Refused(() => store.Get("prod"));
            Assert.Contains("older copy was put back", ex.Message);
            Refused(() => store.Update("prod", r => Described(r, "on top of a replay")));
            Assert.Equal(older, File.ReadAllBytes(RecordPath("prod"))); // the refused update wrote nothing
        }
    }

    [Fact]
    public void A_removed_cluster_restored_from_a_copy_is_refused()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("gone", fips: false));
        store.Create(Record("kept", fips: true));
        var copy = File.ReadAllBytes(RecordPath("gone"));
        Assert.True(store.Delete("gone"));
        Directory.CreateDirectory(Path.GetDirectoryName(RecordPath("gone"))!);
        File.WriteAllBytes(RecordPath("gone"), copy);
        Assert.Contains("no such record", Refused(() => store.Get("gone")).Message);
        Assert.True(store.Get("kept").Fips);
    }

    [Fact]
    public void A_record_from_another_store_is_refused()
    {
        var other = Path.Combine(_home, "other-store");
        new FileClusterStore(other).Create(Record("prod", fips: false));
        var store = new FileClusterStore(Path.Combine(_home, "store"));
        store.Create(Record("prod", fips: true));
        File.Copy(Path.Combine(other, "clusters", "prod", "cluster.json"), Path.Combine(_home, "store", "clusters", "prod", "cluster.json"), overwrite: true);
        Refused(() => store.Get("prod"));
    }

    [Fact]
    public void An_edited_or_deleted_index_is_refused_not_rebuilt_from_the_records()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("prod", fips: true));
        var index = Path.Combine(_home, "clusters.index.json");
        var text = File.ReadAllText(index);
        Assert.Contains("\"prod\"", text);

        File.WriteAllText(index, text.Replace("\"version\": 1", "\"version\": 0", StringComparison.Ordinal));
        Assert.Contains("index", Refused(() => store.Get("prod")).Message);
        Refused(() => store.Create(Record("new", fips: true)));

        File.Delete(index);
        Assert.Contains("index", Refused(() => store.Get("prod")).Message);
        // A write recreates an index, but the record that lost its index is not enrolled into it: it stays refused.
        store.Create(Record("new", fips: true));
        Refused(() => store.Get("prod"));
        Assert.True(store.Get("new").Fips);
    }

    [Fact]
    public void A_crash_between_any_two_steps_of_a_write_leaves_a_readable_record_never_a_tampered_one()
    {
        var store = new FileClusterStore(_home);
        store.Create(Record("prod", fips: true));
        foreach (var (step, expected) in new[] { ("pending", "v1"), ("written", "crashed after writing") })
        {
            var crashing = new FileClusterStore(_home) { CrashPoint = at => { if (at == step) throw new IOException("simulated crash at " + at); } };
            Assert.Throws<IOException>(() => crashing.Update("prod", r => Described(r, "crashed after writing")));
            var fresh = new FileClusterStore(_home);
            Assert.Equal(expected, fresh.Get("prod").Description);
            // The next write goes on from whatever was read, and the index follows.
            var next = fresh.Update("prod", r => Described(r, "v1"));
            Assert.Equal("v1", fresh.Get("prod").Description);
            Assert.Equal(next.Version, fresh.Get("prod").Version);
        }
        // A create that crashed before its record was written leaves no cluster, and a second create works.
        var crashingCreate = new FileClusterStore(_home) { CrashPoint = at => throw new IOException("simulated crash at " + at) };
        Assert.Throws<IOException>(() => crashingCreate.Create(Record("half", fips: true)));
        var store2 = new FileClusterStore(_home);
        Assert.Equal(ErrorIds.FipsClusterNotFound, Assert.Throws<FipsClusterException>(() => store2.Get("half")).ErrorId);
        Assert.Equal(1, store2.Create(Record("half", fips: true)).Version);
        Assert.True(store2.Get("half").Fips);
    }

    [Fact]
    public void Readers_racing_eight_writers_never_see_a_tampered_record()
    {
        new FileClusterStore(_home).Create(Record("busy", fips: true));
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var readers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            var store = new FileClusterStore(_home);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    store.Get("busy");
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        var writers = Enumerable.Range(0, 4).Select(w => new Thread(() =>
        {
            var store = new FileClusterStore(_home);
            for (var i = 0; i < 15; i++)
            {
                store.Update("busy", r => Described(r, $"w{w}-{i}"));
            }
        })).ToList();
        writers.ForEach(t => t.Start());
        writers.ForEach(t => t.Join());
        stop.Cancel();
        readers.ForEach(t => t.Join());
        Assert.Empty(failures);
        Assert.Equal(61, new FileClusterStore(_home).Get("busy").Version);
    }

    [Fact]
    public void Records_of_earlier_versions_read_are_enrolled_by_the_first_write_and_migrated_on_their_own_next_write()
    {
        // A store as the module wrote it before the index: {"mac": HMAC(key, record), "record": …}, no "format".
        var legacy = new Clusters.PreIndexStore(_home);
        void Legacy(string name, bool fips) => legacy.Write(name, new { name, provider = "Swarm", fips, complianceProfile = "FIPS-140-3", version = 4 });
        Legacy("prod", fips: true);
        Legacy("lab", fips: false);
        var store = new FileClusterStore(_home);
        Assert.True(store.Get("prod").Fips);

        // The swap the audit proved, on records of the earlier format: the name check refuses it.
        var prodLegacy = File.ReadAllBytes(RecordPath("prod"));
        File.Copy(RecordPath("lab"), RecordPath("prod"), overwrite: true);
        Assert.Contains("record of cluster 'lab'", Refused(() => store.Get("prod")).Message);
        File.WriteAllBytes(RecordPath("prod"), prodLegacy);

        // The first write creates the index and enrolls both; they still read.
        store.Create(Record("new", fips: true));
        Assert.True(store.Get("prod").Fips);
        Assert.False(store.Get("lab").Fips);
        Assert.DoesNotContain("\"format\"", File.ReadAllText(RecordPath("prod")));

        // prod's next write rewrites it in the new format; its earlier copy no longer reads (no downgrade).
        store.Update("prod", r => Described(r, "migrated"));
        Assert.Contains("\"format\": 2", File.ReadAllText(RecordPath("prod")));
        Assert.Equal(5, store.Get("prod").Version);
        File.WriteAllBytes(RecordPath("prod"), prodLegacy);
        Assert.Contains("older copy was put back", Refused(() => store.Get("prod")).Message);

        // A record of the earlier format that appears after the index exists was not written by this store.
        Legacy("late", fips: true);
        Refused(() => store.Get("late"));
    }

    [Fact]
    public void What_the_index_cannot_stop_the_whole_store_restored_from_one_backup_reads_as_that_backup()
    {
        // The witness lives in the store: a consistent copy of the whole store (key, index and records together) is
        // indistinguishable from the store at that time. This is also how a backup is restored.
        var store = new FileClusterStore(Path.Combine(_home, "live"));
        store.Create(Record("prod", fips: true));
        var backup = Path.Combine(_home, "backup");
        CopyTree(Path.Combine(_home, "live"), backup);
        store.Update("prod", r => Described(r, "after the backup"));
        Directory.Delete(Path.Combine(_home, "live"), recursive: true);
        CopyTree(backup, Path.Combine(_home, "live"));
        Assert.Equal("v1", new FileClusterStore(Path.Combine(_home, "live")).Get("prod").Description);
    }

    [Fact]
    public void The_record_file_is_written_by_a_json_writer_and_parses_with_format_mac_and_record()
    {
        var store = new FileClusterStore(_home);
        store.Create(new FipsClusterRecord { Name = "quotes", Provider = FipsClusterProvider.Swarm, ComplianceProfile = "FIPS-140-3", Description = "a \"quoted\"\nline" });
        using var document = JsonDocument.Parse(File.ReadAllBytes(RecordPath("quotes")));
        Assert.Equal(2, document.RootElement.GetProperty("format").GetInt32());
        Assert.Equal(32, Convert.FromBase64String(document.RootElement.GetProperty("mac").GetString()!).Length);
        Assert.Equal("a \"quoted\"\nline", document.RootElement.GetProperty("record").GetProperty("description").GetString());
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_home, "clusters.index.json")));
        Assert.Equal(1, index.RootElement.GetProperty("index").GetProperty("clusters").GetProperty("quotes").GetProperty("version").GetInt64());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_home, "clusters.index.json")));
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
