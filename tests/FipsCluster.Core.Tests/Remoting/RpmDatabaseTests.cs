using System.Diagnostics;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests.Remoting;

/// <summary>
/// -Root reads the RPM database, so an image's package facts are the ones 'rpm -q' gives on the running system.
/// The fixture databases were made with rpm and db5.3_load (tests/Infrastructure/rpmdb-fixtures.sh); the agreement
/// test asks the real rpm (Debian's rpm package) about the same files with the query the SSH fact script runs.
/// </summary>
public sealed class RpmDatabaseTests
{
    private static readonly Dictionary<string, string> Rhel9 = new()
    {
        ["openssl-libs"] = "3.0.7-27.el9", ["openssl"] = "3.0.7-27.el9", ["gnutls"] = "3.7.6-23.el9_3.4",
        ["libgcrypt"] = "1.10.0-10.el9_2", ["crypto-policies"] = "20240202-1.git283706d.el9",
    };

    private static readonly Dictionary<string, string> Rhel8 = new()
    {
        ["openssl-libs"] = "1.1.1k-12.el8_9", ["openssl"] = "1.1.1k-12.el8_9", ["gnutls"] = "3.6.16-8.el8_9.3",
        ["libgcrypt"] = "1.8.5-7.el8_6", ["crypto-policies"] = "20230731-1.git3177e06.el8", ["dracut-fips"] = "049-233.git20240115.el8",
    };

    [Theory]
    [InlineData("rhel9-fips")]
    [InlineData("rhel9-image-fips")]
    [InlineData("rhel8-fips")]
    public void Root_reads_the_packages_of_interest_from_the_rpm_database(string fixture)
    {
        var facts = RootFactReader.Read(FixtureRoot.SourceOf(fixture));
        Assert.True(facts.PackagesKnown);
        Assert.Empty(facts.CollectionErrors);
        Assert.Equal(fixture.StartsWith("rhel8", StringComparison.Ordinal) ? Rhel8 : Rhel9, facts.Packages.ToDictionary(p => p.Key, p => p.Value));
        Assert.DoesNotContain("bash", facts.Packages.Keys); // in the database, but not a package the checks look at
    }

    [Fact]
    public void Sqlite_reader_returns_every_package_with_version_and_release()
    {
        using var db = File.OpenRead(Path.Combine(FixtureRoot.SourceOf("rhel9-fips"), "var/lib/rpm/rpmdb.sqlite"));
        var packages = RpmDatabase.ReadSqlite(db, null, 1 << 30);
        Assert.Equal(6, packages.Count);
        Assert.Contains(new RpmPackage("bash", "5.1.8", "9.el9"), packages);
    }

    [Fact]
    public void Berkeley_reader_returns_every_package_with_version_and_release()
    {
        using var db = File.OpenRead(Path.Combine(FixtureRoot.SourceOf("rhel8-fips"), "var/lib/rpm/Packages"));
        var packages = RpmDatabase.ReadBerkeleyHash(db, 1 << 30);
        Assert.Equal(7, packages.Count);
        Assert.Contains(new RpmPackage("dracut-fips", "049", "233.git20240115.el8"), packages);
    }

    [SkippableTheory]
    [InlineData("rhel9-fips", "sqlite")]
    [InlineData("rhel8-fips", "bdb_ro")]
    public void Package_facts_agree_with_rpm_on_the_same_database(string fixture, string backend)
    {
        var rpm = new[] { "/usr/bin/rpm", "/bin/rpm" }.FirstOrDefault(File.Exists);
        if (rpm is null)
        {
            Assert.False(GoToolchainFixtureCi, "CI=true and rpm is not installed (apt-get install rpm)");
            Skip.If(true, "rpm is not installed");
        }
        // A copy: rpm opens the database for writing its lock and -shm files.
        using var root = FixtureRoot.Copy(fixture);
        var dbpath = root.Local("/var/lib/rpm");
        // The fact script's own query format; -qa instead of -q <names>, because rpm finds names through its Name
        // index, which the Berkeley DB fixture (the Packages file alone) does not carry. The names are filtered below.
        var script = LinuxFactCatalog.Commands.Single(c => c.Id == "rpm").ShellText;
        var format = script[(script.IndexOf("--qf '", StringComparison.Ordinal) + 6)..];
        format = format[..format.IndexOf('\'')];
        var start = new ProcessStartInfo(rpm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--define", $"_db_backend {backend}", "--dbpath", dbpath, "-qa", "--qf", format.Replace("\\n", "\n", StringComparison.Ordinal) })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var wanted = LinuxFactCatalog.Packages.ToHashSet(StringComparer.Ordinal);
        var output = string.Join('\n', process.StandardOutput.ReadToEnd().Split('\n').Where(l => wanted.Contains(l.Split(' ')[0])));
        process.WaitForExit();

        var running = new NodeFacts(NodeTransport.Ssh, offline: false);
        running.AddCommand(new CommandFact("rpm", true, process.ExitCode, output));
        ShellFactParser.NormalizePackages(running);
        var image = RootFactReader.Read(FixtureRoot.SourceOf(fixture));

        Assert.NotEmpty(running.Packages);
        Assert.Equal(running.Packages.OrderBy(p => p.Key).ToList(), image.Packages.OrderBy(p => p.Key).ToList());
    }

    private static bool GoToolchainFixtureCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void A_damaged_database_is_a_collection_error_and_leaves_packages_unknown()
    {
        using var root = FixtureRoot.Copy("rhel9-fips");
        var path = root.Local("/var/lib/rpm/rpmdb.sqlite");
        var bytes = File.ReadAllBytes(path);
        // Every b-tree page's type byte is set to garbage: the schema cannot be walked.
        for (var page = 4096; page < bytes.Length; page += 4096)
        {
            bytes[page] = 0x42;
        }
        bytes[100] = 0x42;
        File.WriteAllBytes(path, bytes);
        var facts = RootFactReader.Read(root.Path);
        Assert.False(facts.PackagesKnown);
        Assert.Contains(facts.CollectionErrors, e => e.Contains("rpmdb.sqlite could not be read", StringComparison.Ordinal));
    }

    [Fact]
    public void Truncated_and_looping_databases_end_with_an_error_not_a_hang()
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureRoot.SourceOf("rhel8-fips"), "var/lib/rpm/Packages"));
        using (var truncated = new MemoryStream(bytes[..600]))
        {
            Assert.ThrowsAny<Exception>(() => RpmDatabase.ReadBerkeleyHash(truncated, 1 << 30));
        }
        var sqlite = File.ReadAllBytes(Path.Combine(FixtureRoot.SourceOf("rhel9-fips"), "var/lib/rpm/rpmdb.sqlite"));
        using var capped = new MemoryStream(sqlite);
        var ex = Assert.Throws<InvalidDataException>(() => RpmDatabase.ReadSqlite(capped, null, 8192));
        Assert.Contains("more than 8192 bytes", ex.Message);
    }

    [SkippableFact]
    public void A_write_ahead_log_with_a_committed_transaction_is_read()
    {
        // rpm leaves rpmdb.sqlite in WAL mode: a transaction not yet checkpointed lives in rpmdb.sqlite-wal.
        var sqlite3 = new[] { "/usr/bin/sqlite3", "/bin/sqlite3" }.FirstOrDefault(File.Exists);
        Skip.If(sqlite3 is null && !GoToolchainFixtureCi, "sqlite3 is not installed");
        Assert.NotNull(sqlite3);
        using var root = FixtureRoot.Copy("rhel9-fips");
        var db = root.Local("/var/lib/rpm/rpmdb.sqlite");
        // Delete bash's header in a transaction that stays in the log (no checkpoint on close).
        var start = new ProcessStartInfo(sqlite3!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(db);
        using (var p = Process.Start(start)!)
        {
            p.StandardInput.Write("PRAGMA journal_mode=WAL;\nPRAGMA wal_autocheckpoint=0;\n.dbconfig no_ckpt_on_close on\nDELETE FROM Packages WHERE hnum = (SELECT hnum FROM Name WHERE key = 'openssl');\n.quit\n");
            p.StandardInput.Close();
            p.WaitForExit();
        }
        Assert.True(new FileInfo(db + "-wal").Length > 0, "the transaction did not stay in the log");
        var facts = RootFactReader.Read(root.Path);
        Assert.True(facts.PackagesKnown);
        Assert.DoesNotContain("openssl", facts.Packages.Keys);
        Assert.Contains("openssl-libs", facts.Packages.Keys);
    }
}
