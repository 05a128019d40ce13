using FipsCluster.Core.Compliance;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// The control plane judged from its static pods' specs (read through the API): FIPS images, the API server's, controller
/// manager's, scheduler's and etcd's TLS flags and the encryption-at-rest flag — and K8S-ENC-01 again once the control
/// planes' own node reports say which provider encrypts secrets.
/// </summary>
internal static class ControlPlaneFlagChecks
{
    /// <summary>
    /// The control-plane checks, instance by instance: with three API servers all three must pass, and one that
    /// disagrees fails the check by name. A flag's value is the last occurrence, as the component's parser takes it.
    /// </summary>
    public static void Judge(CheckResultList checks, IReadOnlyList<ControlPlaneInstance> instances, IReadOnlyList<string> ignored, KubernetesClusterExpectations? expected)
    {
        var ignoredEvidence = ignored.Select(i => new CheckEvidence("ignored", i)).ToArray();
        CheckEvidence[] WithIgnored(IEnumerable<CheckEvidence> evidence) => evidence.Concat(ignoredEvidence).ToArray();

        // With a cluster record, each image must be exactly the pinned one; otherwise any _fips.N tag will do.
        var notFips = instances.Where(x => expected?.ImageFor(x.Component) is { } pinnedImage
            ? x.Container.Image != pinnedImage : !(x.Container.Image ?? "").Contains("_fips.", StringComparison.Ordinal)).ToList();
        checks.Add(KubernetesClusterChecks.ControlPlaneImages, notFips.Count == 0 ? CheckStatus.Pass : CheckStatus.Fail,
            expected?.ImageFor("kube-apiserver") is { } apiImage ? $"the recorded images ({apiImage}, {expected.ImageFor("etcd")}, …)" : "images tagged vX.Y.Z_fips.N",
            notFips.Count == 0 ? $"{instances.Count} control-plane containers use _fips.N images" : "not FIPS: " + string.Join(", ", notFips.Select(x => $"{x.Pod} {x.Container.Image}")),
            "Pin the FIPS image repository and +fips versions (kubeadm imageRepository, etcd imageTag).",
            WithIgnored(instances.Select(x => new CheckEvidence($"pod {x.Pod}", x.Container.Image))));

        // Every instance of the components judged on its own; the check passes only when none has a problem.
        void Judge(CheckInfo check, string[] components, string expectedText, Func<ControlPlaneInstance, string?> problem, Func<ControlPlaneInstance, string> shown,
            string remediation, CheckStatus passing = CheckStatus.Pass, Func<IReadOnlyList<ControlPlaneInstance>, string>? passed = null)
        {
            var of = instances.Where(x => components.Contains(x.Component)).ToList();
            if (of.Count == 0)
            {
                checks.Add(check, CheckStatus.Error, "", $"no {string.Join(" or ", components)} static pod of a control-plane node in kube-system", "", ignoredEvidence);
                return;
            }
            var problems = of.Select(x => (Instance: x, Problem: problem(x))).Where(p => p.Problem is not null).ToList();
            checks.Add(check, problems.Count == 0 ? passing : CheckStatus.Fail, expectedText,
                problems.Count > 0 ? string.Join("; ", problems.Select(p => $"{p.Instance.Pod}: {p.Problem}"))
                    : passed is not null ? passed(of) : of.Select(shown).Distinct().Count() == 1 ? shown(of[0]) : string.Join("; ", of.Select(x => $"{x.Pod}: {shown(x)}")),
                remediation, WithIgnored(of.Select(x => new CheckEvidence(x.Pod, shown(x)))));
        }

        static string? UnapprovedSuites(string? value, string flag) => value is null ? $"--{flag} is not set: Go's defaults include ChaCha20 and CBC-SHA1 suites"
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(s => !FipsTlsPolicy.IsStrict(s)).ToList() is { Count: > 0 } unapproved
                ? "not approved: " + string.Join(", ", unapproved) : null;
        static string? BelowTls12(string? min) => min is "VersionTLS12" or "VersionTLS13" ? null : min is null ? "--tls-min-version is not set" : $"--tls-min-version={min}";

        Judge(KubernetesClusterChecks.ApiServerSuites, new[] { "kube-apiserver" }, "ECDHE with AES-GCM only",
            x => UnapprovedSuites(x.Flag("tls-cipher-suites"), "tls-cipher-suites"), x => $"--tls-cipher-suites={x.Flag("tls-cipher-suites") ?? "(unset)"}",
            "Remove the unapproved suites from --tls-cipher-suites on every API server (or set it to the approved ECDHE AES-GCM suites).");
        Judge(KubernetesClusterChecks.ApiServerMinTls, new[] { "kube-apiserver" }, "--tls-min-version=VersionTLS12 or VersionTLS13",
            x => BelowTls12(x.Flag("tls-min-version")), x => $"--tls-min-version={x.Flag("tls-min-version") ?? "(unset)"}",
            "Set --tls-min-version=VersionTLS12 on every API server.");
        // The flag alone is a Warning: the providers are in a file on the control-plane hosts, read only by a node check.
        Judge(KubernetesClusterChecks.EncryptionAtRest, new[] { "kube-apiserver" }, "--encryption-provider-config (aescbc, aesgcm or kms)",
            x => x.Flag("encryption-provider-config") is null ? "no --encryption-provider-config: secrets are stored unencrypted (identity)" : null,
            x => $"--encryption-provider-config={x.Flag("encryption-provider-config") ?? "(unset)"}",
            "Configure an EncryptionConfiguration with aesgcm, aescbc or kms and pass --encryption-provider-config.", CheckStatus.Warning,
            of => string.Join("; ", of.Select(x => x.Flag("encryption-provider-config")).Distinct().Select(v => $"--encryption-provider-config={v}"))
                + "; its providers were not read (they are in a file on the control-plane hosts: -NodeCheck Ssh or DaemonSet reads them)");
        // The controller manager and scheduler serve TLS too (10257, 10259): same suites and minimum version as the API server.
        Judge(KubernetesClusterChecks.ControllerSchedulerTls, new[] { "kube-controller-manager", "kube-scheduler" },
            "--tls-cipher-suites ECDHE with AES-GCM only and --tls-min-version VersionTLS12+ on both",
            x =>
            {
                var suites = x.Flag("tls-cipher-suites");
                var problems = suites is null ? new List<string> { "--tls-cipher-suites not set (Go defaults)" }
                    : suites.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Where(s => !FipsTlsPolicy.IsStrict(s)).Select(s => $"suite {s}").ToList();
                if (x.Flag("tls-min-version") is not ("VersionTLS12" or "VersionTLS13") and var minimum)
                {
                    problems.Add($"--tls-min-version {minimum ?? "not set"}");
                }
                return problems.Count == 0 ? null : string.Join(", ", problems);
            },
            x => $"--tls-cipher-suites={x.Flag("tls-cipher-suites") ?? "(unset)"} --tls-min-version={x.Flag("tls-min-version") ?? "(unset)"}",
            "Set --tls-cipher-suites and --tls-min-version on kube-controller-manager and kube-scheduler (kubeadm extraArgs).",
            passed: of => $"{string.Join(" and ", of.Select(x => x.Component).Distinct())}: approved");
        Judge(KubernetesClusterChecks.EtcdSuites, new[] { "etcd" }, "ECDHE with AES-GCM only",
            x => UnapprovedSuites(x.Flag("cipher-suites"), "cipher-suites"), x => $"--cipher-suites={x.Flag("cipher-suites") ?? "(unset)"}",
            "Remove the unapproved suites from --cipher-suites on every etcd member (or set it to the approved ECDHE AES-GCM suites).");
    }

    /// <summary>
    /// With node reports, K8S-ENC-01 gets the control planes' own answer (NODE-KENC-01: which provider comes first for
    /// secrets) instead of the flag's mere presence — from the reports credited to control-plane nodes only.
    /// </summary>
    public static void JudgeEncryptionProviders(CheckResultList checks, IReadOnlyList<NodeEvidence> controlPlaneReports)
    {
        var flag = checks.Find(KubernetesClusterChecks.EncryptionAtRest);
        var controlPlanes = controlPlaneReports.SelectMany(r => r.Report!.Checks.Where(c => c.CheckId == "NODE-KENC-01" && c.Status is not CheckStatus.NotApplicable), (r, c) => (r.Node, Check: c)).ToList();
        if (flag is null || flag.Status is CheckStatus.Error || controlPlanes.Count == 0)
        {
            return;
        }
        var worst = controlPlanes.Any(x => x.Check.Status is CheckStatus.Fail) || flag.Status is CheckStatus.Fail ? CheckStatus.Fail
            : controlPlanes.Any(x => x.Check.Status is not (CheckStatus.Pass or CheckStatus.Warning)) ? CheckStatus.Error : CheckStatus.Pass;
        checks.Replace(KubernetesClusterChecks.EncryptionAtRest, new CheckOutcome(worst,
            "secrets encrypted first with aescbc, aesgcm or kms on every control plane",
            string.Join("; ", controlPlanes.Select(x => $"{x.Node}: {x.Check.Actual}")) + (flag.Status is CheckStatus.Fail ? "; " + flag.Actual : ""),
            controlPlanes.SelectMany(x => x.Check.Evidence.Select(e => new CheckEvidence($"{x.Node} {e.Source}", e.Excerpt))).ToArray(),
            controlPlanes.Select(x => x.Check.Remediation).FirstOrDefault(r => r.Length > 0) ?? flag.Remediation));
    }
}
