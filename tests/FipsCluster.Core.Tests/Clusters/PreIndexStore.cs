using System.Security.Cryptography;
using System.Text.Json;

namespace FipsCluster.Core.Tests.Clusters;

/// <summary>
/// A cluster store as the module wrote it before the store index: a store.key, and per cluster
/// clusters/&lt;folder&gt;/cluster.json = {"mac": HMAC-SHA256(key, record), "record": …} with no "format".
/// </summary>
internal sealed class PreIndexStore
{
    private readonly string _home;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public PreIndexStore(string home)
    {
        _home = home;
        Directory.CreateDirectory(home);
        File.WriteAllBytes(Path.Combine(home, "store.key"), _key);
    }

    /// <summary>Writes <paramref name="record"/> (serialized as given) under clusters/<paramref name="folder"/>, MAC and all.</summary>
    public void Write(string folder, object record)
    {
        var raw = JsonSerializer.SerializeToUtf8Bytes(record);
        Directory.CreateDirectory(Path.Combine(_home, "clusters", folder));
        using var file = File.Create(Path.Combine(_home, "clusters", folder, "cluster.json"));
        using var json = new Utf8JsonWriter(file);
        json.WriteStartObject();
        json.WriteString("mac", Convert.ToBase64String(HMACSHA256.HashData(_key, raw)));
        json.WritePropertyName("record");
        json.WriteRawValue(raw);
        json.WriteEndObject();
    }
}
