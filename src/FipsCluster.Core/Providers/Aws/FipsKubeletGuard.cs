namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The seed's "refuse to start outside FIPS mode", for Kubernetes: a kubelet systemd drop-in whose ExecStartPre runs a
/// check that fails unless the kernel is in FIPS mode and the kubelet binary is a FIPS build. FIPS_ROOT and
/// KUBELET_BINARY let the same script be exercised against a directory tree.
/// </summary>
public static class FipsKubeletGuard
{
    public const string ScriptPath = "/usr/local/bin/fips-kubelet-check";
    public const string DropInPath = "/etc/systemd/system/kubelet.service.d/10-fips.conf";

    public const string DropIn = "# FipsCluster: kubelet refuses to start on a host that is not in FIPS mode.\n[Service]\nExecStartPre=" + ScriptPath + "\n";

    /// <summary>
    /// Evidence, not self-report: the kernel flag, then the binary — the amd64 BoringCrypto sig marker, the
    /// _Cfunc__goboringcrypto_ names (other architectures), or Go's FIPS 140-3 module without fips140=off.
    /// </summary>
    public const string Script = """
        #!/bin/bash
        # FipsCluster: refuse to start kubelet outside FIPS mode.
        set -u
        root=${FIPS_ROOT:-}
        kubelet=${KUBELET_BINARY:-/usr/bin/kubelet}
        flag=$(cat "$root/proc/sys/crypto/fips_enabled" 2>/dev/null || echo missing)
        if [ "$flag" != "1" ]; then
          echo "fips-kubelet-check: the kernel is not in FIPS mode (fips_enabled=$flag); refusing to start kubelet" >&2
          exit 1
        fi
        bin="$root$kubelet"
        if LC_ALL=C grep -qaP '\xeb\x1d\xf4\x48\xf4\x4b\xf4\xb3\x32\xf5\x28\x13\xa3\xb4\x50\xd4\x41\xcc\x24\x85' "$bin" \
           || LC_ALL=C grep -qa '_Cfunc__goboringcrypto_' "$bin" \
           || { LC_ALL=C grep -qa 'GOFIPS140=v1' "$bin" && ! LC_ALL=C grep -qa 'fips140=off' "$bin"; }; then
          exit 0
        fi
        echo "fips-kubelet-check: $kubelet is not a FIPS build (no BoringCrypto or Go FIPS 140-3 module); refusing to start kubelet" >&2
        exit 1

        """;
}
