namespace FipsCluster.Testing;

/// <summary>
/// The environment every Go fixture build runs in: offline (GOPROXY=off, GOTOOLCHAIN=local), one shared cache under
/// /tmp/fc-cache, modules on, no cgo, no experiment or FIPS module unless a build asks for one, and no GOOS, GOARCH or
/// GOROOT inherited from the machine (a null value removes the variable; see <see cref="ProcessRunner"/>).
/// </summary>
public static class GoBuildEnvironment
{
    /// <summary>The base environment with <paramref name="overrides"/> applied in order (a later key wins).</summary>
    public static Dictionary<string, string?> Create(IEnumerable<KeyValuePair<string, string>>? overrides = null)
    {
        var cache = Path.Combine(Path.GetTempPath(), "fc-cache");
        var env = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["GOCACHE"] = Path.Combine(cache, "gocache"),
            ["GOPATH"] = Path.Combine(cache, "gopath"),
            ["GOFLAGS"] = "-mod=mod",
            ["GO111MODULE"] = "on",
            ["GOPROXY"] = "off",
            ["GOTOOLCHAIN"] = "local",
            ["GOEXPERIMENT"] = "",
            ["GOFIPS140"] = "",
            ["CGO_ENABLED"] = "0",
            ["GOOS"] = null,
            ["GOARCH"] = null,
            ["GOROOT"] = null,
        };
        foreach (var (k, v) in overrides ?? Enumerable.Empty<KeyValuePair<string, string>>())
        {
            env[k] = v;
        }
        return env;
    }
}
