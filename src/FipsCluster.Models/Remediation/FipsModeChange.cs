namespace FipsCluster;

/// <summary>What one step of Enable-FipsMode touches.</summary>
public enum FipsModeStepKind
{
    /// <summary>A file written (atomically; the file it replaces is kept as .bak).</summary>
    File,

    /// <summary>A symbolic link written (a crypto-policies back-end); the link it replaces is kept as .bak.</summary>
    Link,

    /// <summary>A command run on the node (with sudo when the login is not root).</summary>
    Command,

    /// <summary>A registry value set (Windows).</summary>
    Registry,
}

/// <summary>Whether a step was carried out.</summary>
public enum FipsModeStepState
{
    /// <summary>Done in this run.</summary>
    Applied,

    /// <summary>Would be done, but was not: -WhatIf, or the confirmation was declined.</summary>
    Planned,

    /// <summary>
    /// Cannot be done from outside an offline image: it needs the image's own tools when the image first boots (or in
    /// its build, e.g. a Containerfile RUN), such as rebuilding the initramfs with the fips dracut module.
    /// </summary>
    Deferred,
}

/// <summary>One file, link, command or registry value that Enable-FipsMode changes (or would change, or leaves to the first boot).</summary>
public sealed class FipsModeStep
{
    public FipsModeStepKind Kind { get; init; }

    /// <summary>The file or link path (inside the node or image), the command line, or the registry value.</summary>
    public string Path { get; init; } = "";

    /// <summary>What the step does, in a few words.</summary>
    public string Description { get; init; } = "";

    public FipsModeStepState State { get; init; }

    /// <summary>Where the replaced file or link was kept (a .bak next to it), or null when nothing was replaced.</summary>
    public string? BackupPath { get; init; }

    public override string ToString() => $"{State} {Kind} {Path}";
}

/// <summary>
/// The outcome of Enable-FipsMode for one target (the local machine, an SSH node or an offline image root): what changed,
/// whether a reboot is needed to run in FIPS mode, and the Test-FipsNode verdict of what can be judged now.
/// </summary>
public sealed class FipsModeChange
{
    /// <summary>The node or image, as Test-FipsNode names it.</summary>
    public string Target { get; init; } = "";

    public NodeTransport Transport { get; init; }

    public NodeOs? Os { get; init; }

    /// <summary>How FIPS mode is enabled on this target, e.g. "fips-mode-setup", "update-crypto-policies, grubby", "image files".</summary>
    public string Method { get; init; } = "";

    /// <summary>Every file, link, command or registry value changed in this run (empty when <see cref="NoChange"/>).</summary>
    public IReadOnlyList<FipsModeStep> Changes { get; init; } = Array.Empty<FipsModeStep>();

    /// <summary>
    /// Offline images: what only the image's own tools can do, at first boot or in the image build (for example the
    /// initramfs rebuild); reported on every run until it is done.
    /// </summary>
    public IReadOnlyList<FipsModeStep> FirstBootSteps { get; init; } = Array.Empty<FipsModeStep>();

    /// <summary>True when the target was already configured for FIPS mode: nothing was changed.</summary>
    public bool NoChange { get; init; }

    /// <summary>True when a running node must reboot to run in FIPS mode (its kernel flag is not 1 yet).</summary>
    public bool RebootRequired { get; init; }

    /// <summary>True when -Restart rebooted the node (and, remotely, it came back with a new boot).</summary>
    public bool Restarted { get; init; }

    /// <summary>The Test-FipsNode report of the target after the change: runtime checks still fail until the reboot.</summary>
    public NodeComplianceReport? Verdict { get; init; }

    /// <summary>One sentence for people: what was done, or why nothing was.</summary>
    public string Message { get; init; } = "";

    public override string ToString() => $"{Target}: {Message}";
}
