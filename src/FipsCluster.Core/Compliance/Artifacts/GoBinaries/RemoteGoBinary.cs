using System.Text;
using FipsCluster.Core.Compliance.Node;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// Judges a binary on a remote node from what the node sent instead of the binary (see ShellFactScript): the
/// .go.buildinfo window, the offsets of the amd64 sig markers and the count of _Cfunc__goboringcrypto_ names.
/// The verdict is the same function as for local files (<see cref="GoCryptoVerdict.Judge"/>).
/// </summary>
public static class RemoteGoBinary
{
    private static readonly byte[] Magic = { 0xFF, 0x20, 0x47, 0x6F, 0x20, 0x62, 0x75, 0x69, 0x6C, 0x64, 0x69, 0x6E, 0x66, 0x3A };
    private const int HeaderSize = 32;

    public static GoBinaryReport Judge(RemoteBinaryFact binary)
    {
        var path = binary.Path;
        var window = binary.BuildInfo;
        if (window.Length < HeaderSize || !window.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return Unreadable(path, binary.Markers.Count > 0 || binary.BoringSymbols > 0
                ? "sig markers but no readable Go build info header"
                : "no Go build info header was found");
        }
        if ((window[15] & 2) == 0)
        {
            return Unreadable(path, "Go ≤ 1.17 (pointer-form build info) cannot be read remotely; copy the binary and run Test-FipsBinary on it");
        }
        var span = window.AsSpan(HeaderSize);
        if (!ReadString(ref span, out var version) || !ReadString(ref span, out var modBytes) || version.Length == 0)
        {
            return Unreadable(path, $"the build info does not fit the {window.Length} bytes the node sent");
        }
        var info = GoBuildInfo.Parse(Encoding.UTF8.GetString(version), BuildInfoReader.StripSentinels(modBytes));
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in info.Settings)
        {
            settings[key] = value;
        }
        var architecture = settings.GetValueOrDefault("GOARCH");
        // Markers count only at a 16-byte-aligned start, as rsc/goversion requires.
        var markers = binary.Markers.Where(m => m.Offset % 16 == 0).Select(m => m.Marker).Distinct().ToArray();
        var facts = new GoBinaryFacts
        {
            IsGo = true,
            GoVersion = info.GoVersion,
            Settings = settings,
            Architecture = architecture,
            Markers = markers,
            MarkersSearched = architecture == "amd64",
            BoringSymbols = binary.BoringSymbols,
            BoringFunctions = binary.BoringSymbols,
            LinksCrypto = markers.Length > 0 || binary.BoringSymbols > 0 ? true : null,
        };
        var judgement = GoCryptoVerdict.Judge(facts, path);
        return new GoBinaryReport
        {
            Path = path,
            Format = "ELF",
            IsGo = true,
            GoVersion = info.GoVersion,
            MainPath = info.Path,
            MainModule = info.Main?.ToString(),
            Modules = info.Deps.Select(d => d.ToString()).ToArray(),
            BuildSettings = settings,
            CryptoModule = judgement.Module,
            Fips140ModuleVersion = judgement.Fips140ModuleVersion,
            Markers = markers,
            BoringSymbols = binary.BoringSymbols,
            Evidence = judgement.Evidence.Append(new CheckEvidence($"{path} .go.buildinfo", $"inline form at file offset 0x{binary.BuildInfoOffset:x} (read remotely)")).ToArray(),
            Status = judgement.Status,
            Reason = judgement.Reason,
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    private static bool ReadString(ref Span<byte> span, out byte[] value)
    {
        value = Array.Empty<byte>();
        if (!BuildInfoReader.TryUvarint(span, out var length, out var used) || length > (ulong)(span.Length - used))
        {
            return false;
        }
        value = span.Slice(used, (int)length).ToArray();
        span = span[(used + (int)length)..];
        return true;
    }

    private static GoBinaryReport Unreadable(string path, string why) => new()
    {
        Path = path,
        Format = "ELF",
        IsGo = true,
        CryptoModule = GoCryptoModule.Unknown,
        Status = CheckStatus.Unknown,
        Reason = why + ".",
        Evidence = new[] { new CheckEvidence(path, why) },
    };
}
