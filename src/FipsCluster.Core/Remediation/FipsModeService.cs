using System.Diagnostics;
using System.Text.Json;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using static FipsCluster.Core.Compliance.Node.LinuxFactCatalog;

namespace FipsCluster.Core.Remediation;

/// <summary>
/// Enable-FipsMode's engine: plans the changes a target needs from its own facts (the ones Test-FipsNode judges), applies
/// them after one ShouldProcess question per target, and judges the target again. A target already configured gets no
/// question and no change. Callers that only want to know (DSC Get/Test) use <see cref="PlanAsync"/>; Set uses
/// <see cref="EnableAsync"/> (or <see cref="ApplyAsync"/> on a plan it holds), then <see cref="RestartAsync"/> if asked.
/// </summary>
public sealed partial class FipsModeService
{
    private readonly ComplianceProfile _profile;

    public FipsModeService(ComplianceProfile? profile = null) => _profile = profile ?? ComplianceProfiles.Default;

    /// <summary>How long one command on a node may run (fips-mode-setup rebuilds every initramfs).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Decides what <paramref name="target"/> still needs; changes nothing. Unsupported targets throw (FipsModeUnsupported and kin).</summary>
    public async Task<FipsModePlan> PlanAsync(FipsModeTarget target, CancellationToken cancellation)
    {
        switch (target)
        {
            case ImageFipsModeTarget image:
                return await Task.Factory.StartNew(() => PlanImage(image, cancellation), cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            case WindowsFipsModeTarget windows:
                return PlanWindows(windows);
            case ShellFipsModeTarget shell:
                return await PlanShellAsync(shell, cancellation).ConfigureAwait(false);
            default:
                throw new ArgumentException("Unknown target kind.", nameof(target));
        }
    }

    /// <summary>Plans and applies; null when the change was declined (-WhatIf, or No at the confirmation).</summary>
    public async Task<FipsModeChange?> EnableAsync(FipsModeTarget target, OperationContext context)
    {
        var plan = await PlanAsync(target, context.Cancellation).ConfigureAwait(false);
        return await ApplyAsync(plan, context).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies a plan: one ShouldProcess question naming every file, link, command or value it changes, then each step in
    /// order, then the target is judged again. Null when declined. A failing step stops the rest; the error says what was done.
    /// </summary>
    public async Task<FipsModeChange?> ApplyAsync(FipsModePlan plan, OperationContext context)
    {
        var target = plan.Target;
        if (plan.IsConfigured)
        {
            return Result(plan, Array.Empty<FipsModeStep>(), plan.Verdict, plan.FirstBootSteps,
                "FIPS mode is already configured: nothing was changed" + (plan.RebootPending ? "; the node must reboot to run in FIPS mode" : "") + ".");
        }
        var action = "Enable FIPS mode (" + plan.Method + "): " + string.Join("; ", plan.PlannedSteps.Select(s => $"{s.Verb ?? Verb(s.Step.Kind)} {s.Step.Path}"));
        if (!context.ShouldProcess(target.Name, action))
        {
            return null;
        }
        if (plan.Probe is { IsRoot: false, SudoWorks: false })
        {
            throw new FipsClusterException(ErrorIds.FipsModePrivilegeRequired, FipsErrorCategory.PermissionDenied,
                $"{target.Name}: enabling FIPS mode needs root, and the login is not root and 'sudo -n' was refused (no sudo, or it asks for a password). Nothing was changed.", target.Name)
            {
                RecommendedAction = "Log in as root, or give the login password-less sudo for the commands Enable-FipsMode runs.",
            };
        }
        var done = new List<FipsModeStep>();
        foreach (var step in plan.PlannedSteps)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            context.Verbose($"{target.Name}: {step.Verb ?? Verb(step.Step.Kind)} {step.Step.Path} ({step.Step.Description}).");
            string? backup;
            try
            {
                backup = await step.Apply(context.Cancellation).ConfigureAwait(false);
            }
            catch (FipsClusterException failed) when (done.Count > 0)
            {
                throw new FipsClusterException(failed.ErrorId, failed.Category,
                    failed.Message + $" Already changed: {string.Join(", ", done.Select(d => d.Path))}.", failed.Target, failed);
            }
            done.Add(new FipsModeStep { Kind = step.Step.Kind, Path = step.Step.Path, Description = step.Step.Description, State = FipsModeStepState.Applied, BackupPath = backup });
        }
        var (verdict, firstBoot) = await JudgeAsync(target, context.Cancellation).ConfigureAwait(false);
        var running = plan.Running;
        var message = running
            ? $"{done.Count} change(s) made; reboot to run in FIPS mode."
            : firstBoot.Count > 0 ? $"{done.Count} change(s) made; {firstBoot.Count} step(s) need the image's own tools at first boot." : $"{done.Count} change(s) made.";
        if (target is WindowsFipsModeTarget)
        {
            message = $"{done.Count} change(s) made; restart so that every process reads the FIPS policy.";
        }
        return Result(plan, done, verdict, firstBoot, message, rebootRequired: running && (target is WindowsFipsModeTarget || verdict.FipsModeEnabled != true));
    }

    // ---- offline images -------------------------------------------------------------------------------------------

    private FipsModePlan PlanImage(ImageFipsModeTarget target, CancellationToken cancellation)
    {
        var (image, facts, verdict) = ReadImage(target, cancellation);
        var os = verdict.Os ?? NodeOsReader.Read(facts);
        var bootc = ImageFipsPlanner.IsBootc(image);
        RequireRhel(target.Name, os, offline: true, bootc);
        var (method, steps) = ImageFipsPlanner.Plan(image, facts, os, target.Name);
        return new FipsModePlan(target, os, method, steps, ImageFipsPlanner.FirstBootSteps(image, facts), running: false, verdict, probe: null);
    }

    private (ImageRoot Image, NodeFacts Facts, NodeComplianceReport Verdict) ReadImage(ImageFipsModeTarget target, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var image = RootFactReader.Open(target.Root);
        var facts = RootFactReader.Read(image, cancellation);
        NodeArtifactReader.Enrich(facts, _profile, image, cancellation);
        return (image, facts, NodeComplianceEvaluator.Evaluate(facts, _profile, target.Name, clock.Elapsed));
    }

    /// <summary>Only the RHEL family 8 and 9 (and image-mode images) can be switched to FIPS mode after installation; everything else is refused, saying why.</summary>
    private static void RequireRhel(string name, NodeOs os, bool offline, bool bootc)
    {
        switch (os.Family)
        {
            case "Rhel" when os.MajorVersion is 8 or 9:
            case "Rhel" when os.MajorVersion >= 10 && offline && bootc:
                return;
            case "Rhel" when os.MajorVersion >= 10:
                throw new FipsClusterException(ErrorIds.FipsModeInstallTimeOnly, FipsErrorCategory.InvalidOperation,
                    $"{name}: {os} can only be put in FIPS mode when it is installed (Red Hat: switching RHEL 10 to FIPS mode after installation is not supported; fips-mode-setup was removed).", name)
                {
                    RecommendedAction = "Install with fips=1 on the installer's kernel command line, or build an image-mode (bootc) image with /usr/lib/bootc/kargs.d/01-fips.toml (Enable-FipsMode -Root on the image tree writes it).",
                };
            case "Rhel" when os.MajorVersion == 7:
                throw Unsupported(name, os, "RHEL 7 has FIPS 140-2 validated modules only and no fips-mode-setup (dracut-fips); it is not supported here");
            case "Ubuntu" when offline:
                throw Unsupported(name, os, "Ubuntu Pro FIPS installs the FIPS kernel and modules from Canonical's archive ('pro enable fips-updates'): run it in the image build or on the running machine, not on an offline tree");
            case "Debian":
                throw Unsupported(name, os, "Debian publishes no FIPS-validated cryptographic modules and has no FIPS mode to enable (OS-PROV-01)");
            case "":
                throw Unsupported(name, os, "its operating system could not be identified (no os-release)");
            default:
                throw Unsupported(name, os, $"the module does not know how to enable FIPS mode on {os} (supported: RHEL family 8 and 9, image-mode RHEL images, Ubuntu Pro)");
        }
    }

    private static FipsClusterException Unsupported(string name, NodeOs os, string why) =>
        new(ErrorIds.FipsModeUnsupported, FipsErrorCategory.NotImplemented, $"{name}: FIPS mode cannot be enabled on {(os.Id.Length == 0 ? "this system" : os.ToString())}: {why}. Nothing was changed.", name);

    // ---- running Linux nodes ----------------------------------------------------------------------------------------

    private async Task<FipsModePlan> PlanShellAsync(ShellFipsModeTarget target, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var facts = await target.FactsAsync(_profile, cancellation).ConfigureAwait(false);
        var verdict = NodeComplianceEvaluator.Evaluate(facts, _profile, target.Name, clock.Elapsed);
        var os = verdict.Os ?? NodeOsReader.Read(facts);
        var probeResult = await target.RunAsync(NodeProbe.Script, CommandTimeout, "probe", cancellation).ConfigureAwait(false);
        var probe = NodeProbe.Parse(probeResult.Output);
        if (os.Family == "Ubuntu")
        {
            return PlanUbuntu(target, os, probe, verdict);
        }
        if (os.Family == "Rhel" && probe.Ostree)
        {
            throw new FipsClusterException(ErrorIds.FipsModeInstallTimeOnly, FipsErrorCategory.InvalidOperation,
                $"{target.Name}: an image-mode (bootc/ostree) host takes its kernel arguments from its image: build the image with /usr/lib/bootc/kargs.d/01-fips.toml and the FIPS policy, then switch to it.", target.Name);
        }
        RequireRhel(target.Name, os, offline: false, bootc: false);
        var steps = new List<PlannedStep>();
        bool Satisfied(string id) => verdict.Checks.FirstOrDefault(c => c.CheckId == id) is not { } check
            || check.Status is CheckStatus.Pass or CheckStatus.Warning or CheckStatus.NotApplicable or CheckStatus.Informational;
        var entries = facts.FilesIn(LoaderEntries, ".conf").Select(e => e.Text).Append(facts.Text(GrubEnv) ?? "").ToList();
        var bootArgMissing = probe.BootDevice is not null && !entries.Any(e => e.Contains(" boot=", StringComparison.Ordinal));
        var needPolicy = !Satisfied("LNX-FIPS-08") || !Satisfied("LNX-FIPS-09") || !Satisfied("LNX-FIPS-10");
        var needBoot = !Satisfied("LNX-FIPS-04") || bootArgMissing;
        var needDracut = verdict.Checks.FirstOrDefault(c => c.CheckId == "LNX-FIPS-06") is { Status: not (CheckStatus.Pass or CheckStatus.NotApplicable) };
        var needSystemFips = !Satisfied("LNX-FIPS-07");
        if (!(needPolicy || needBoot || needDracut || needSystemFips))
        {
            return new FipsModePlan(target, os, probe.Has("fips-mode-setup") ? "fips-mode-setup" : "update-crypto-policies, grubby", steps, Array.Empty<FipsModeStep>(), running: true, verdict, probe);
        }
        if (probe.Has("fips-mode-setup"))
        {
            // It sets the policy, finishes the module installation (40-fips.conf, dracut), and adds fips=1 and boot= to every entry.
            steps.Add(Command(target, probe, "fips-mode-setup --enable", "enable FIPS mode with the system's tool (policy, initramfs, boot entries)"));
            return new FipsModePlan(target, os, "fips-mode-setup", steps, Array.Empty<FipsModeStep>(), running: true, verdict, probe);
        }
        var missing = new List<string>();
        if (needPolicy && !probe.Has("update-crypto-policies"))
        {
            missing.Add("update-crypto-policies (crypto-policies-scripts)");
        }
        if (needBoot && !probe.Has("grubby"))
        {
            missing.Add("grubby");
        }
        if (needDracut && !probe.Has("dracut"))
        {
            missing.Add("dracut");
        }
        if (missing.Count > 0)
        {
            throw new FipsClusterException(ErrorIds.FipsModeUnsupported, FipsErrorCategory.NotInstalled,
                $"{target.Name}: neither fips-mode-setup nor {string.Join(", ", missing)} is installed, so FIPS mode cannot be enabled with the system's own tools. Nothing was changed.", target.Name)
            {
                RecommendedAction = "Install crypto-policies-scripts (fips-mode-setup) and grubby on the node.",
            };
        }
        if (needPolicy)
        {
            var policy = LinuxCryptoPolicyChecks.FipsPolicyToApply(facts);
            steps.Add(Command(target, probe, $"update-crypto-policies --set {policy}", $"switch the system crypto policy to {policy}"));
        }
        if (needSystemFips)
        {
            steps.Add(Command(target, probe, "sh -c " + Sh.Quote(Sh.WriteFileCommand(SystemFips, "# FIPS module installation complete\n")), "mark the FIPS module installation complete (RHEL 8)", SystemFips));
        }
        if (needDracut)
        {
            steps.Add(Command(target, probe, "sh -c " + Sh.Quote(Sh.WriteFileCommand(ImageFipsPlanner.DracutFipsConf, ImageFipsPlanner.DracutFipsLine)), "ask dracut for the fips module", ImageFipsPlanner.DracutFipsConf));
            steps.Add(Command(target, probe, "dracut -f --regenerate-all", "rebuild every initramfs with the fips module"));
        }
        if (needBoot)
        {
            var arguments = string.Join(' ', KernelArguments.ForFips(probe.BootDevice));
            steps.Add(Command(target, probe, $"grubby --update-kernel=ALL --args={Sh.Quote(arguments)}", $"add {arguments} to every boot entry"));
        }
        return new FipsModePlan(target, os, "update-crypto-policies, grubby", steps, Array.Empty<FipsModeStep>(), running: true, verdict, probe);
    }

    private FipsModePlan PlanUbuntu(ShellFipsModeTarget target, NodeOs os, NodeProbe probe, NodeComplianceReport verdict)
    {
        var attached = false;
        if (probe.ProStatus is { Length: > 0 } json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                attached = document.RootElement.TryGetProperty("attached", out var value) && value.ValueKind is JsonValueKind.True;
            }
            catch (JsonException)
            {
            }
        }
        if (!attached)
        {
            throw new FipsClusterException(ErrorIds.UbuntuProNotAttached, FipsErrorCategory.InvalidOperation,
                $"{target.Name}: {os} is not attached to Ubuntu Pro{(probe.ProStatus is null ? " (no pro client)" : "")}; the FIPS packages come with a Pro subscription. Nothing was changed.", target.Name)
            {
                RecommendedAction = "Attach the machine ('sudo pro attach <token>'), then run Enable-FipsMode again.",
            };
        }
        var steps = new List<PlannedStep>();
        if (UbuntuProStatus.EnabledFipsServices(probe.ProStatus!, out _).Count == 0)
        {
            steps.Add(Command(target, probe, "pro enable fips-updates --assume-yes", "enable Ubuntu Pro's fips-updates service (FIPS kernel and modules)"));
        }
        return new FipsModePlan(target, os, "pro enable fips-updates", steps, Array.Empty<FipsModeStep>(), running: true, verdict, probe);
    }

    private PlannedStep Command(ShellFipsModeTarget target, NodeProbe probe, string command, string description, string? shown = null)
    {
        var line = probe.Privileged(command);
        // A file written through sudo sh -c is listed as that file (the shell text that writes it atomically says less).
        var step = shown is null
            ? new FipsModeStep { Kind = FipsModeStepKind.Command, Path = line, Description = description, State = FipsModeStepState.Planned }
            : new FipsModeStep { Kind = FipsModeStepKind.File, Path = shown, Description = description + (probe.IsRoot ? "" : " (through sudo)"), State = FipsModeStepState.Planned };
        return new PlannedStep(step,
            async cancellation =>
            {
                var result = await target.RunAsync(line, CommandTimeout, description, cancellation).ConfigureAwait(false);
                if (result.ExitStatus != 0)
                {
                    throw CommandFailed(target.Name, shown ?? line, result);
                }
                return shown is null ? null : shown + ".bak";
            });
    }

    private static FipsClusterException CommandFailed(string name, string command, ShellResult result)
    {
        var output = LinuxNodeChecks.Excerpt((result.Error + "\n" + result.Output).Trim(), 300);
        var sudoRefused = command.StartsWith("sudo -n", StringComparison.Ordinal) && output.Contains("password", StringComparison.OrdinalIgnoreCase);
        return new FipsClusterException(sudoRefused ? ErrorIds.FipsModePrivilegeRequired : ErrorIds.FipsModeCommandFailed,
            sudoRefused ? FipsErrorCategory.PermissionDenied : FipsErrorCategory.InvalidResult,
            $"{name}: '{command}' failed (exit {result.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "by a signal"}): {output}", name);
    }

    // ---- Windows ----------------------------------------------------------------------------------------------------

    private FipsModePlan PlanWindows(WindowsFipsModeTarget target)
    {
        var verdict = JudgeWindows(target);
        var steps = new List<PlannedStep>();
        if (target.Registry.ReadValue(WindowsFactCatalog.FipsPolicyEnabled) != "1")
        {
            steps.Add(new PlannedStep(new FipsModeStep
            {
                Kind = FipsModeStepKind.Registry,
                Path = WindowsFactCatalog.FipsPolicyEnabled,
                Description = "set the FIPS algorithm policy (DWORD 1)",
                State = FipsModeStepState.Planned,
            }, _ =>
            {
                target.Registry.SetDword(WindowsFactCatalog.FipsPolicyEnabled, 1);
                return Task.FromResult<string?>(null);
            }));
        }
        return new FipsModePlan(target, verdict.Os ?? new NodeOs { Id = "windows", Family = "Windows" }, "registry", steps, Array.Empty<FipsModeStep>(), running: true, verdict, probe: null);
    }

    private NodeComplianceReport JudgeWindows(WindowsFipsModeTarget target) =>
        NodeComplianceEvaluator.Evaluate(WindowsFactReader.Read(target.Registry, target.WindowsDirectory, NodeTransport.Local), _profile, target.Name, TimeSpan.Zero);

    // ---- shared -----------------------------------------------------------------------------------------------------

    private async Task<(NodeComplianceReport Verdict, IReadOnlyList<FipsModeStep> FirstBoot)> JudgeAsync(FipsModeTarget target, CancellationToken cancellation)
    {
        switch (target)
        {
            case ImageFipsModeTarget image:
            {
                var (root, facts, verdict) = ReadImage(image, cancellation);
                return (verdict, ImageFipsPlanner.FirstBootSteps(root, facts));
            }
            case WindowsFipsModeTarget windows:
                return (JudgeWindows(windows), Array.Empty<FipsModeStep>());
            case ShellFipsModeTarget shell:
            {
                var clock = Stopwatch.StartNew();
                var facts = await shell.FactsAsync(_profile, cancellation).ConfigureAwait(false);
                return (NodeComplianceEvaluator.Evaluate(facts, _profile, shell.Name, clock.Elapsed), Array.Empty<FipsModeStep>());
            }
            default:
                throw new ArgumentException("Unknown target kind.", nameof(target));
        }
    }

    private static string Verb(FipsModeStepKind kind) => kind switch
    {
        FipsModeStepKind.File => "write",
        FipsModeStepKind.Link => "link",
        FipsModeStepKind.Registry => "set",
        _ => "run",
    };

    private static FipsModeChange Result(FipsModePlan plan, IReadOnlyList<FipsModeStep> changes, NodeComplianceReport verdict, IReadOnlyList<FipsModeStep> firstBoot, string message,
        bool? rebootRequired = null) => new()
    {
        Target = plan.Target.Name,
        Transport = plan.Target.Transport,
        Os = plan.Os,
        Method = plan.Method,
        Changes = changes,
        FirstBootSteps = firstBoot,
        NoChange = changes.Count == 0,
        RebootRequired = rebootRequired ?? plan.RebootPending,
        Verdict = verdict,
        Message = message,
    };

    private static FipsModeChange Copy(FipsModeChange change, NodeComplianceReport? verdict, bool restarted, bool rebootRequired, string message) => new()
    {
        Target = change.Target,
        Transport = change.Transport,
        Os = change.Os,
        Method = change.Method,
        Changes = change.Changes,
        FirstBootSteps = change.FirstBootSteps,
        NoChange = change.NoChange,
        RebootRequired = rebootRequired,
        Restarted = restarted,
        Verdict = verdict,
        Message = message,
    };
}
