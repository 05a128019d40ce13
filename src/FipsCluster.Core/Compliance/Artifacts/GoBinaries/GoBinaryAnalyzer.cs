namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// Reads a file's own evidence of which crypto it carries: the Go build info (version, modules, build settings)
/// and the amd64 sig markers and symbol names, from ELF, PE and Mach-O files, without Go. Only the ranges the
/// headers name are read. Never throws for a bad file: every failure is a
/// report with Status Error (or NotGo/NotApplicable when it is not an executable).
/// </summary>
public static partial class GoBinaryAnalyzer
{
    public static GoBinaryReport Analyze(string path, CancellationToken ct = default) => Analyze(path, Search.Tables, null, ct);

    /// <summary>
    /// As <see cref="Analyze(string, CancellationToken)"/>, judging each file once per <paramref name="judged"/>: another name
    /// of a file already judged there (a hard link: same device, inode, size and mtime) gets its verdict without a second read.
    /// </summary>
    public static GoBinaryReport Analyze(string path, GoBinaryJudgements judged, CancellationToken ct = default) => Analyze(path, Search.Tables, judged, ct);

    /// <summary>How the crypto evidence is searched for when no symbol settles it.</summary>
    internal enum Search
    {
        /// <summary>Go's function table first (a lookup); the code only when the table cannot settle it.</summary>
        Tables,

        /// <summary>The whole code and the whole .gopclntab, byte by byte (the reference the table lookup is tested against).</summary>
        Exhaustive,
    }

    internal static GoBinaryReport Analyze(string path, Search search, GoBinaryJudgements? judged, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        ct.ThrowIfCancellationRequested();
        try
        {
            using var file = BinaryFile.Open(path, out var notReadable, out var directory);
            if (directory)
            {
                return Failed(path, "", "a directory, not a file");
            }
            if (file is null)
            {
                return NotGo(path, "", $"Not an executable: {notReadable}.");
            }
            var render = judged is not null && file.Identity is { } identity
                ? judged.GetOrAdd(identity, () => Read(file, search, ct))
                : Read(file, search, ct);
            return render(path);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Failed(path, "", $"cannot read: {ex.Message}");
        }
        catch (Exception ex)
        {
            // Malformed input must never escape as an exception; report what went wrong instead.
            return Failed(path, "", $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads the facts of an opened file; the verdict comes from <see cref="GoCryptoVerdict.Judge"/>. Returns the report as a
    /// function of the path it is told under, so that another name of the same file is judged without reading it again.
    /// </summary>
    private static Func<string, GoBinaryReport> Read(BinaryFile file, Search search, CancellationToken ct)
    {
        var kind = ExecutableImage.Identify(file.Window(0, 16));
        if (kind is null)
        {
            return path => NotGo(path, "Unknown", "Not an executable (no ELF, PE or Mach-O header).");
        }
        var format = kind == "MachOFat" ? "MachO" : kind;
        ExecutableImage? image;
        try
        {
            image = ExecutableImage.Read(file, kind);
        }
        catch (BinaryFormatException ex)
        {
            // A DOS program or a malformed header: an executable we cannot read.
            var message = ex.Message;
            return kind == "PE" && message.StartsWith("MZ file", StringComparison.Ordinal)
                ? path => NotGo(path, format, "Not a Go binary: " + message + ".")
                : path => Failed(path, format, message);
        }
        if (image is null)
        {
            return path => NotGo(path, "Unknown", "Not an executable (a CAFEBABE file that is not a Mach-O universal binary).");
        }

        var raw = BuildInfoReader.Read(file, image);
        BuildInfoReader.Fallback? fallback = null;
        if (raw.Outcome == BuildInfoReader.Outcome.NoHeader)
        {
            if (!image.GoHint)
            {
                return path => NotGo(path, image.Format, $"Not a Go binary ({image.Format} {image.Architecture} without Go build info).");
            }
            // A Go binary (its function table or build id says so) whose .go.buildinfo header is gone: judged from
            // what the linker left elsewhere — runtime.modinfo, runtime.buildVersion — and the crypto markers.
            fallback = BuildInfoReader.ReadFallback(file);
        }
        else if (raw.Outcome == BuildInfoReader.Outcome.Corrupt)
        {
            var corrupt = new GoBinaryFacts { IsGo = true, Architecture = image.Architecture, Problem = raw.Problem };
            return path => Report(path, image, corrupt, null, null, null);
        }

        var info = fallback is { } fb
            ? GoBuildInfo.Parse(fb.Version ?? UnknownVersion, fb.ModInfo ?? "")
            : GoBuildInfo.Parse(raw.Version!, raw.ModInfo!);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in info.Settings)
        {
            settings[key] = value;
        }

        ct.ThrowIfCancellationRequested();
        var markersSearched = image.Architecture == "amd64" && image.Text.Count > 0;
        // Fast path: the sig functions looked up in .gnu.hash. A StandardCrypto marker without a BoringCrypto one
        // settles it (no _Cfunc__goboringcrypto_ names to count), so the multi-megabyte name tables are not read.
        var hashed = markersSearched ? CryptoScanner.FindMarkersByGnuHash(file, image, ct) : null;
        CryptoScanner.Names names;
        Dictionary<string, ulong> markers;
        GoFuncTable? funcs = null;
        CryptoScanner.Names? tableNames = null;
        if (hashed is { Count: > 0 } && !hashed.ContainsKey("BoringCrypto"))
        {
            names = new CryptoScanner.Names { StandardPackages = true };
            names.SigFunctions.UnionWith(hashed.Keys);
            markers = hashed;
        }
        else
        {
            // Names in the symbol string tables; Go's function table (below) only when nothing else decided.
            names = CryptoScanner.ScanNames(file, image.SymbolStrings, ct);
            funcs = search != Search.Tables ? null
                : image.PcLnTab is { } table ? GoFuncTable.Read(file, table, image.BigEndian)
                : image.GoHint && markersSearched && image.RelroData is { } relro ? GoFuncTable.Locate(file, relro, image)
                : null;

            // Markers through the symbols first (a lookup and a 32-byte check), then through Go's function table
            // (stripped binaries keep it); the text is scanned only when neither can settle it.
            var bySymbols = markersSearched ? CryptoScanner.FindMarkersBySymbols(file, image, names, ct) : null;
            if (markersSearched && bySymbols is null && !image.HasStaticSymbols && image.PcLnTab is not null && funcs is { Located: false } named)
            {
                // A stripped binary's name tables are read once, here: the sig names the lookup wants, and what the names
                // say (below) should no marker be found.
                tableNames = CryptoScanner.ScanNames(file, named.NameTables, ct);
            }
            markers = !markersSearched ? new Dictionary<string, ulong>()
                : bySymbols ?? funcs?.FindSigMarkers(file, image, tableNames?.SigNamesByTable[funcs.Value.FuncNames.Offset], ct)
                    ?? CryptoScanner.FindMarkers(file, image.Text, ct);
        }

        var symbols = names.BoringFunctions;
        var namesRead = image.HasStaticSymbols;
        if (markers.Count == 0 && !image.HasStaticSymbols && image.PcLnTab is { } pcln)
        {
            // Names live in the table's function-name and file-name parts; the rest of it is line and PC data.
            var more = tableNames ?? CryptoScanner.ScanNames(file, funcs is { Located: false } named ? named.NameTables : new[] { pcln }, ct);
            names.BoringFunctions += more.BoringFunctions;
            names.StandardPackages |= more.StandardPackages;
            names.SigFunctions.UnionWith(more.SigFunctions);
            namesRead = true;
        }
        bool? linksCrypto = names.StandardPackages || names.BoringFunctions > 0 || names.SigFunctions.Count > 0 || markers.Count > 0
            ? true
            : namesRead ? false : null;

        var facts = new GoBinaryFacts
        {
            IsGo = true,
            GoVersion = info.GoVersion,
            Settings = settings,
            Architecture = image.Architecture,
            Markers = markers.Keys.ToArray(),
            MarkersSearched = markersSearched,
            SigFunctions = names.SigFunctions.ToArray(),
            BoringSymbols = symbols,
            BoringFunctions = names.BoringFunctions,
            LinksCrypto = linksCrypto,
        };
        return fallback is { } without
            ? path => Report(path, image, facts, info, markers, null, without)
            : path => Report(path, image, facts, info, markers, raw);
    }

    /// <summary>The GoVersion of a binary whose runtime.buildVersion could not be told apart (no build info header).</summary>
    internal const string UnknownVersion = "go (version not recorded)";

    private static GoBinaryReport Report(string path, ExecutableImage image, GoBinaryFacts facts, GoBuildInfo? info, Dictionary<string, ulong>? markers, BuildInfoReader.Raw? raw,
        BuildInfoReader.Fallback? fallback = null)
    {
        var judgement = GoCryptoVerdict.Judge(facts, path);
        var evidence = new List<CheckEvidence>(judgement.Evidence);
        var reason = judgement.Reason;
        var status = judgement.Status;
        var module = judgement.Module;
        if (fallback is { ModInfo: null } && module is not (GoCryptoModule.BoringCrypto or GoCryptoModule.BoringCryptoFipsOnly))
        {
            // Without runtime.modinfo the build settings (GOFIPS140, GOEXPERIMENT, CGO_ENABLED) are unknown, and only a
            // linked BoringCrypto settles the module without them.
            module = GoCryptoModule.Unknown;
            status = CheckStatus.Unknown;
            reason = "A Go binary whose build settings are not recorded (no .go.buildinfo, no runtime.modinfo): its crypto module cannot be told"
                + (facts.Markers.Count > 0 ? $" (sig markers: {string.Join(", ", facts.Markers)})." : ".");
        }
        if (fallback is { } fb)
        {
            var read = new List<string>();
            if (fb.ModInfo is not null)
            {
                read.Add("its runtime.modinfo blob");
                evidence.Add(new($"{path} runtime.modinfo", $"at file offset 0x{fb.ModInfoOffset:x} (cmd/go sentinels), {info?.Settings.Count ?? 0} build settings"));
            }
            if (fb.Version is not null)
            {
                read.Add("its runtime.buildVersion string");
            }
            if (facts.Markers.Count > 0 || facts.SigFunctions.Count > 0)
            {
                read.Add("its crypto sig markers");
            }
            evidence.Add(new($"{path} .go.buildinfo", "absent: no section and no \"\\xff Go buildinf:\" header ('go version -m' cannot read this file)"));
            reason += read.Count == 0
                ? " The file has no .go.buildinfo header and no runtime.modinfo blob: nothing beyond its Go structures was readable."
                : $" The file has no .go.buildinfo header ('go version -m' cannot read it): judged from {string.Join(", ", read)}.";
        }
        if (markers is { Count: > 0 })
        {
            // Name the address of each marker in place of the bare list.
            var at = evidence.FindIndex(e => e.Source.EndsWith("sig markers (amd64 text)", StringComparison.Ordinal));
            var item = new CheckEvidence($"{path} sig markers (amd64 text)", string.Join(", ", markers.Select(m => $"{m.Key} at 0x{m.Value:x}")));
            if (at >= 0)
            {
                evidence[at] = item;
            }
            else
            {
                evidence.Add(item);
            }
        }
        if (info is not null && info.Problems.Count > 0)
        {
            evidence.Add(new($"{path} build info (lines Go would reject)", string.Join(" | ", info.Problems.Take(5))));
        }
        if (raw is { } r)
        {
            evidence.Add(new($"{path} .go.buildinfo", $"{(r.Inline ? "inline" : "pointer")} form at file offset 0x{r.HeaderOffset:x}"));
        }
        return new GoBinaryReport
        {
            Path = path,
            Format = image.Format,
            IsGo = facts.IsGo,
            GoVersion = facts.GoVersion,
            MainPath = info?.Path,
            MainModule = info?.Main?.ToString(),
            Modules = info?.Deps.Select(d => d.ToString()).ToArray() ?? Array.Empty<string>(),
            BuildSettings = facts.Settings,
            CryptoModule = module,
            Fips140ModuleVersion = judgement.Fips140ModuleVersion,
            Markers = facts.Markers.ToArray(),
            BoringSymbols = facts.BoringSymbols,
            Evidence = evidence,
            Status = status,
            Reason = reason,
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    private static GoBinaryReport NotGo(string path, string format, string reason) => new()
    {
        Path = path,
        Format = format,
        IsGo = false,
        CryptoModule = GoCryptoModule.NotGo,
        Status = CheckStatus.NotApplicable,
        Reason = reason,
    };

    private static GoBinaryReport Failed(string path, string format, string reason) => new()
    {
        Path = path,
        Format = format,
        IsGo = false,
        CryptoModule = GoCryptoModule.Unknown,
        Status = CheckStatus.Error,
        Reason = char.ToUpperInvariant(reason[0]) + reason[1..] + (reason.EndsWith('.') ? "" : "."),
    };
}
