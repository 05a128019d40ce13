namespace FipsCluster;

/// <summary>Which cryptography a Go binary really uses, as the file itself proves it.</summary>
public enum GoCryptoModule
{
    /// <summary>Not a Go binary (or not an executable at all).</summary>
    NotGo,

    /// <summary>A Go binary that links no crypto (no sig marker, no crypto packages).</summary>
    None,

    /// <summary>Go's standard crypto: not FIPS.</summary>
    Standard,

    /// <summary>Go+BoringCrypto (GOEXPERIMENT=boringcrypto or a b-suffixed toolchain), confirmed by cgo and symbols/markers.</summary>
    BoringCrypto,

    /// <summary>BoringCrypto with crypto/tls/fipsonly: TLS restricted to FIPS settings.</summary>
    BoringCryptoFipsOnly,

    /// <summary>Go's native FIPS 140-3 module (GOFIPS140); see <see cref="GoBinaryReport.Fips140ModuleVersion"/>.</summary>
    GoFips140,

    /// <summary>Crypto delegated to the system OpenSSL (X:strictfipsruntime, systemcrypto, opensslcrypto): FIPS only when the host's OpenSSL is.</summary>
    OpenSSLBacked,

    /// <summary>A Go binary whose build information could not be read or is contradictory.</summary>
    Unknown,
}

/// <summary>The verdict on one binary: build information, crypto module, and the evidence for it.</summary>
public sealed class GoBinaryReport
{
    public string Path { get; init; } = "";

    /// <summary>ELF, PE, MachO, or Unknown.</summary>
    public string Format { get; init; } = "";

    public bool IsGo { get; init; }

    /// <summary>runtime.Version() as stored in the binary, e.g. "go1.22.5 X:boringcrypto".</summary>
    public string? GoVersion { get; init; }

    /// <summary>The main package path (modinfo "path" line).</summary>
    public string? MainPath { get; init; }

    /// <summary>The main module "path@version".</summary>
    public string? MainModule { get; init; }

    /// <summary>Module dependencies as "path@version".</summary>
    public IReadOnlyList<string> Modules { get; init; } = Array.Empty<string>();

    /// <summary>The "build" settings: -tags, CGO_ENABLED, GOARCH, GOEXPERIMENT, GOFIPS140, DefaultGODEBUG, …</summary>
    public IReadOnlyDictionary<string, string> BuildSettings { get; init; } = new Dictionary<string, string>();

    public GoCryptoModule CryptoModule { get; init; }

    /// <summary>For GoFips140: the module version (GOFIPS140 value, e.g. v1.0.0-c2097c7c) — v1.0.0 is CMVP #5247; "latest" is not validated.</summary>
    public string? Fips140ModuleVersion { get; init; }

    /// <summary>The amd64 crypto sig markers found in the text: BoringCrypto, StandardCrypto, FIPSOnly.</summary>
    public IReadOnlyList<string> Markers { get; init; } = Array.Empty<string>();

    /// <summary>Count of _Cfunc__goboringcrypto_ symbols (0 when stripped or absent).</summary>
    public int BoringSymbols { get; init; }

    public IReadOnlyList<CheckEvidence> Evidence { get; init; } = Array.Empty<CheckEvidence>();

    /// <summary>Pass for a FIPS module, Fail for standard crypto, Warning for OpenSSL-backed or an unvalidated GOFIPS140, NotApplicable for non-Go, Error/Unknown when unreadable.</summary>
    public CheckStatus Status { get; init; }

    /// <summary>Why, in one sentence.</summary>
    public string Reason { get; init; } = "";

    /// <summary>When the verdict was reached.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Who judged it: the account and machine that ran the check (user@host).</summary>
    public string JudgedBy { get; init; } = "";

    public override string ToString() => $"{Path}: {CryptoModule} ({Status})";
}
