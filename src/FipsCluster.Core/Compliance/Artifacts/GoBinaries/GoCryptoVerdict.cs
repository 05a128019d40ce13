using System.Text.RegularExpressions;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>What was read from a binary, before judgement. Everything the verdict depends on is here.</summary>
public sealed record GoBinaryFacts
{
    public bool IsGo { get; init; }

    /// <summary>runtime.Version() from the build info; null when there is none (or it is unreadable).</summary>
    public string? GoVersion { get; init; }

    /// <summary>The "build" settings (CGO_ENABLED, GOARCH, GOEXPERIMENT, GOFIPS140, DefaultGODEBUG, …).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The architecture of the container (amd64, arm64, …), or null.</summary>
    public string? Architecture { get; init; }

    /// <summary>amd64 sig markers found in the code: BoringCrypto, StandardCrypto, FIPSOnly.</summary>
    public IReadOnlyCollection<string> Markers { get; init; } = Array.Empty<string>();

    /// <summary>True when the code was searched for markers (amd64 with a text section/segment).</summary>
    public bool MarkersSearched { get; init; }

    /// <summary>sig.* functions named in the symbol table or Go's function table (any architecture).</summary>
    public IReadOnlyCollection<string> SigFunctions { get; init; } = Array.Empty<string>();

    /// <summary>_Cfunc__goboringcrypto_ names in the symbol tables (0 when stripped).</summary>
    public int BoringSymbols { get; init; }

    /// <summary>_Cfunc__goboringcrypto_ names anywhere that was searched (symbol tables or Go's function table).</summary>
    public int BoringFunctions { get; init; }

    /// <summary>Whether crypto/… or golang.org/x/crypto/… functions are linked; null when no name table could be read.</summary>
    public bool? LinksCrypto { get; init; }

    /// <summary>Why the build info could not be read, when it could not.</summary>
    public string? Problem { get; init; }
}

/// <summary>The judgement: module, status, reason and the evidence for it.</summary>
public sealed record GoCryptoJudgement(GoCryptoModule Module, CheckStatus Status, string Reason, string? Fips140ModuleVersion, IReadOnlyList<CheckEvidence> Evidence);

/// <summary>
/// The one place a Go binary's crypto is judged (after rsc/goversion, golang/go misc/boring and go.dev/doc/security/fips140). Pure: the same facts give the
/// same verdict. Also usable for a bare version string (e.g. an API server's /version goVersion).
/// </summary>
public static class GoCryptoVerdict
{
    /// <summary>CMVP certificate of the Go Cryptographic Module v1.0.0.</summary>
    public const string GoModuleCertificate = "CMVP #5247";

    private static readonly Regex BoringToolchain = new(@"^go\d+(\.\d+){0,2}b\d+", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly string[] SystemBackends = { "strictfipsruntime", "systemcrypto", "opensslcrypto", "cngcrypto", "darwincrypto" };

    public static GoCryptoJudgement Judge(GoBinaryFacts facts, string source = "binary")
    {
        var evidence = new List<CheckEvidence>();
        if (!facts.IsGo)
        {
            return new(GoCryptoModule.NotGo, CheckStatus.NotApplicable, facts.Problem ?? "Not a Go binary.", null, evidence);
        }
        if (facts.GoVersion is null)
        {
            return new(GoCryptoModule.Unknown, CheckStatus.Error,
                $"A Go binary whose build information cannot be read: {facts.Problem ?? "no build info"}.", null, evidence);
        }

        var settings = facts.Settings;
        evidence.Add(new($"{source} runtime.Version", facts.GoVersion));
        var experiments = Experiments(facts.GoVersion, settings.GetValueOrDefault("GOEXPERIMENT"));
        var cgo = settings.GetValueOrDefault("CGO_ENABLED");
        var goarch = settings.GetValueOrDefault("GOARCH") ?? facts.Architecture;
        var gofips = settings.GetValueOrDefault("GOFIPS140");
        var godebug = settings.GetValueOrDefault("DefaultGODEBUG");
        var fipsDebug = GodebugValue(godebug, "fips140");
        foreach (var key in new[] { "CGO_ENABLED", "GOARCH", "GOEXPERIMENT", "GOFIPS140", "DefaultGODEBUG", "-tags" })
        {
            if (settings.TryGetValue(key, out var value))
            {
                evidence.Add(new($"{source} build {key}", value));
            }
        }
        if (facts.MarkersSearched || facts.Markers.Count > 0)
        {
            evidence.Add(new($"{source} sig markers (amd64 text)", facts.Markers.Count == 0 ? "none" : string.Join(", ", facts.Markers)));
        }
        if (facts.SigFunctions.Count > 0)
        {
            evidence.Add(new($"{source} sig functions (symbols)", string.Join(", ", facts.SigFunctions)));
        }
        if (facts.LinksCrypto is not null || facts.BoringFunctions > 0)
        {
            evidence.Add(new($"{source} _Cfunc__goboringcrypto_ symbols", facts.BoringSymbols.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var boringLinked = facts.Markers.Contains(CryptoScanner.BoringCrypto) || facts.SigFunctions.Contains(CryptoScanner.BoringCrypto) || facts.BoringFunctions > 0;
        var standardLinked = facts.Markers.Contains(CryptoScanner.StandardCrypto) || facts.SigFunctions.Contains(CryptoScanner.StandardCrypto);
        var fipsOnly = facts.Markers.Contains(CryptoScanner.FipsOnly) || facts.SigFunctions.Contains(CryptoScanner.FipsOnly);
        var boringClaim = BoringToolchain.IsMatch(facts.GoVersion) || experiments.Contains("boringcrypto");
        var backend = SystemBackends.FirstOrDefault(experiments.Contains);
        var amd64 = string.Equals(facts.Architecture ?? goarch, "amd64", StringComparison.Ordinal);

        // 1. Go's native FIPS 140-3 module.
        if (gofips is not null && !string.Equals(gofips, "off", StringComparison.Ordinal))
        {
            if (boringClaim)
            {
                return new(GoCryptoModule.Unknown, CheckStatus.Unknown, $"GOFIPS140={gofips} together with boringcrypto: cmd/go refuses that combination; the build info is contradictory.", null, evidence);
            }
            if (fipsDebug == "off")
            {
                return new(GoCryptoModule.Standard, CheckStatus.Fail, $"Built with GOFIPS140={gofips} but DefaultGODEBUG sets fips140=off: FIPS 140-3 mode is off unless GODEBUG=fips140=on is set at run time.", null, evidence);
            }
            if (gofips.StartsWith("v1.0.0", StringComparison.Ordinal))
            {
                return new(GoCryptoModule.GoFips140, CheckStatus.Pass, $"Go Cryptographic Module {gofips} ({GoModuleCertificate}) selected by GOFIPS140, FIPS 140-3 mode {(fipsDebug ?? "on")}.", gofips, evidence);
            }
            return new(GoCryptoModule.GoFips140, CheckStatus.Warning, $"Go native FIPS 140-3 mode with module {gofips}: not a validated module (only v1.0.0, {GoModuleCertificate}, is).", gofips, evidence);
        }
        if (fipsDebug is "on" or "only")
        {
            return new(GoCryptoModule.GoFips140, CheckStatus.Warning, $"DefaultGODEBUG sets fips140={fipsDebug} without GOFIPS140: FIPS 140-3 mode with the in-tree module, which is not a validated module.", null, evidence);
        }

        // 2. Crypto delegated to the platform (Red Hat golang-fips, Microsoft Go).
        if (backend is not null)
        {
            return new(GoCryptoModule.OpenSSLBacked, CheckStatus.Warning, $"Built with X:{backend}: crypto comes from the system library (OpenSSL/CNG), which is FIPS only if the host's is in FIPS mode.", null, evidence);
        }

        var arch = goarch ?? "unknown architecture";
        // 3. BoringCrypto, claimed by the toolchain version or GOEXPERIMENT.
        if (boringClaim)
        {
            if (cgo is not null && cgo != "1")
            {
                return new(GoCryptoModule.Standard, CheckStatus.Fail,
                    $"Claims BoringCrypto ({facts.GoVersion}) but CGO_ENABLED={cgo}: BoringCrypto is not linked{(standardLinked ? " (the StandardCrypto marker confirms it)" : "")}.", null, evidence);
            }
            if (boringLinked && standardLinked)
            {
                return new(GoCryptoModule.Unknown, CheckStatus.Unknown, "Both BoringCrypto and standard crypto are linked.", null, evidence);
            }
            if (boringLinked)
            {
                return fipsOnly
                    ? new(GoCryptoModule.BoringCryptoFipsOnly, CheckStatus.Pass, $"Go+BoringCrypto ({facts.GoVersion}), confirmed by {BoringProof(facts)}, with crypto/tls/fipsonly.", null, evidence)
                    : new(GoCryptoModule.BoringCrypto, CheckStatus.Pass, $"Go+BoringCrypto ({facts.GoVersion}), confirmed by {BoringProof(facts)}.", null, evidence);
            }
            if (standardLinked)
            {
                return new(GoCryptoModule.Standard, CheckStatus.Fail, $"Claims BoringCrypto ({facts.GoVersion}) but links standard crypto (StandardCrypto sig) — BoringCrypto needs cgo on linux/amd64 or arm64.", null, evidence);
            }
            if (facts.LinksCrypto is not null || (amd64 && facts.MarkersSearched))
            {
                // The names were read (or the amd64 code searched, where BoringCrypto's init always leaves its marker): nothing boring there.
                return facts.LinksCrypto == true
                    ? new(GoCryptoModule.Standard, CheckStatus.Fail, $"Claims BoringCrypto ({facts.GoVersion}) but no BoringCrypto symbols or marker are linked, while crypto packages are.", null, evidence)
                    : new(GoCryptoModule.None, CheckStatus.NotApplicable, $"Built for BoringCrypto ({facts.GoVersion}) but links no crypto at all.", null, evidence);
            }
            return new(GoCryptoModule.BoringCrypto, CheckStatus.Warning,
                $"Claims BoringCrypto ({facts.GoVersion}{(cgo is null ? "" : ", CGO_ENABLED=" + cgo)}) but it cannot be confirmed: stripped, and there are no sig markers on {arch}.", null, evidence);
        }

        // 4. No FIPS option at build time.
        if (boringLinked && !standardLinked)
        {
            return new(fipsOnly ? GoCryptoModule.BoringCryptoFipsOnly : GoCryptoModule.BoringCrypto, CheckStatus.Pass,
                $"BoringCrypto is linked ({BoringProof(facts)}) although the version string ({facts.GoVersion}) does not say so.", null, evidence);
        }
        if (standardLinked || facts.LinksCrypto == true)
        {
            return new(GoCryptoModule.Standard, CheckStatus.Fail,
                $"Standard Go crypto ({facts.GoVersion}; {(standardLinked ? "StandardCrypto sig" : "crypto packages linked")}): built without BoringCrypto, GOFIPS140 or a system-crypto backend.", null, evidence);
        }
        if (facts.LinksCrypto == false || (amd64 && facts.MarkersSearched))
        {
            return new(GoCryptoModule.None, CheckStatus.NotApplicable,
                facts.LinksCrypto == false
                    ? "A Go binary that links no crypto packages: nothing here to be FIPS about."
                    : "A Go binary with no crypto sig marker (stripped, so no symbols to confirm): it links no crypto that FIPS would cover.", null, evidence);
        }
        return new(GoCryptoModule.Standard, CheckStatus.Fail,
            $"Built without any FIPS option ({facts.GoVersion}); whether it links crypto cannot be confirmed on {arch} without symbols, and any it links is standard Go crypto.", null, evidence);
    }

    /// <summary>The experiments in effect: the " X:a,b" suffix of the version plus the GOEXPERIMENT setting (no… entries dropped).</summary>
    public static HashSet<string> Experiments(string? goVersion, string? goExperiment)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (goVersion is not null)
        {
            var x = goVersion.IndexOf(" X:", StringComparison.Ordinal);
            if (x >= 0)
            {
                var list = goVersion[(x + 3)..];
                var space = list.IndexOf(' ');
                Add(space < 0 ? list : list[..space]);
            }
        }
        if (goExperiment is not null)
        {
            Add(goExperiment);
        }
        return set;

        void Add(string list)
        {
            foreach (var e in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (e.StartsWith("no", StringComparison.Ordinal))
                {
                    set.Remove(e[2..]);
                }
                else
                {
                    set.Add(e);
                }
            }
        }
    }

    /// <summary>The last value of key in a GODEBUG list ("a=1,b=2"), or null.</summary>
    public static string? GodebugValue(string? godebug, string key)
    {
        if (string.IsNullOrEmpty(godebug))
        {
            return null;
        }
        string? value = null;
        foreach (var item in godebug.Split(','))
        {
            var eq = item.IndexOf('=');
            if (eq > 0 && item.AsSpan(0, eq).Trim().SequenceEqual(key))
            {
                value = item[(eq + 1)..].Trim();
            }
        }
        return value;
    }

    private static string BoringProof(GoBinaryFacts facts)
    {
        var parts = new List<string>();
        if (facts.Markers.Contains(CryptoScanner.BoringCrypto))
        {
            parts.Add("the BoringCrypto sig marker");
        }
        if (facts.BoringSymbols > 0)
        {
            parts.Add($"{facts.BoringSymbols} _Cfunc__goboringcrypto_ symbols");
        }
        else if (facts.BoringFunctions > 0)
        {
            parts.Add($"{facts.BoringFunctions} _Cfunc__goboringcrypto_ functions");
        }
        else if (facts.SigFunctions.Contains(CryptoScanner.BoringCrypto))
        {
            parts.Add("the sig.BoringCrypto function");
        }
        return string.Join(" and ", parts);
    }
}
