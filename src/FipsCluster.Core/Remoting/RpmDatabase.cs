using System.Buffers.Binary;
using System.Text;

namespace FipsCluster.Core.Remoting;

/// <summary>One installed package as rpm records it: what 'rpm -q --qf "%{NAME} %{VERSION}-%{RELEASE}"' prints.</summary>
public readonly record struct RpmPackage(string Name, string Version, string Release)
{
    public string VersionRelease => $"{Version}-{Release}";
}

/// <summary>
/// Reads the installed packages from an RPM database file without rpm and without a native library: the SQLite
/// backend of RHEL 9+ (rpmdb.sqlite: table Packages(hnum INTEGER PRIMARY KEY, blob BLOB), with its write-ahead log
/// when one is left) and the Berkeley DB hash backend of RHEL 7 and 8 (Packages: 4-byte header number → header blob).
/// Both hold the same header blobs, whose NAME, VERSION and RELEASE tags are read. The file comes from an image, so
/// it is hostile input: every page number, length and offset is checked, page cycles end the walk, and the bytes
/// read are capped by <paramref name="maxBytes"/> (a <see cref="InvalidDataException"/> when a database needs more).
/// The formats: sqlite.org/fileformat2.html; Berkeley DB's hash access method (db 5.3 dbinc/db_page.h); rpm's
/// header format (rpm lib/header_internal.h).
/// </summary>
public static class RpmDatabase
{
    private const int RpmTagName = 1000;
    private const int RpmTagVersion = 1001;
    private const int RpmTagRelease = 1002;
    private const int RpmStringType = 6;

    /// <summary>Packages of an rpmdb.sqlite file; <paramref name="wal"/> is its -wal file when present (may be empty).</summary>
    public static List<RpmPackage> ReadSqlite(Stream database, Stream? wal, long maxBytes, CancellationToken cancellation = default)
    {
        var reader = new RpmSqliteReader(new PagedSource(database, maxBytes), wal is null ? null : new PagedSource(wal, maxBytes));
        var packages = new List<RpmPackage>();
        foreach (var record in reader.TableRows("Packages", cancellation))
        {
            // Packages(hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL): hnum is the rowid, stored as NULL in the record.
            if (record.Count >= 2 && record[1] is byte[] blob && ParseHeader(blob) is { } package)
            {
                packages.Add(package);
            }
        }
        return packages;
    }

    /// <summary>Packages of a Berkeley DB hash "Packages" file (RHEL 7 and 8).</summary>
    public static List<RpmPackage> ReadBerkeleyHash(Stream database, long maxBytes, CancellationToken cancellation = default)
    {
        var packages = new List<RpmPackage>();
        foreach (var value in new RpmBerkeleyHashReader(new PagedSource(database, maxBytes)).Values(cancellation))
        {
            if (ParseHeader(value) is { } package)
            {
                packages.Add(package);
            }
        }
        return packages;
    }

    /// <summary>NAME, VERSION and RELEASE of an rpm header blob (il, dl, il index entries, dl data bytes; big-endian); null when it has none.</summary>
    public static RpmPackage? ParseHeader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 8)
        {
            return null;
        }
        var il = BinaryPrimitives.ReadUInt32BigEndian(blob);
        var dl = BinaryPrimitives.ReadUInt32BigEndian(blob[4..]);
        if (il > 0xFFFF || dl > 0x0FFFFFFF || 8L + il * 16L + dl > blob.Length)
        {
            return null;
        }
        var data = blob.Slice(8 + (int)il * 16, (int)dl);
        string? name = null, version = null, release = null;
        for (var i = 0; i < il; i++)
        {
            var entry = blob.Slice(8 + i * 16, 16);
            var tag = BinaryPrimitives.ReadInt32BigEndian(entry);
            if (tag is not (RpmTagName or RpmTagVersion or RpmTagRelease) || BinaryPrimitives.ReadInt32BigEndian(entry[4..]) != RpmStringType)
            {
                continue;
            }
            var offset = BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
            if (offset < 0 || offset >= data.Length)
            {
                return null;
            }
            var end = data[offset..].IndexOf((byte)0);
            if (end < 0)
            {
                return null;
            }
            var text = Encoding.UTF8.GetString(data.Slice(offset, end));
            switch (tag)
            {
                case RpmTagName: name = text; break;
                case RpmTagVersion: version = text; break;
                default: release = text; break;
            }
        }
        return name is { Length: > 0 } && version is not null && release is not null ? new RpmPackage(name, version, release) : null;
    }
}
