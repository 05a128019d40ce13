using System.Management.Automation;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Remediation;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Commands;

/// <summary>
/// Makes the local machine, SSH nodes or offline OS images FIPS (FipsModeService): one FipsModeChange per target with
/// what changed, whether a reboot is needed, and the Test-FipsNode verdict of what can be judged now. -Restart reboots a
/// running node and, remotely, waits for it to come back. One target's failure is that target's error; the others go on.
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "FipsMode", DefaultParameterSetName = LocalSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FipsModeChange))]
public sealed class EnableFipsModeCommand : FipsCmdlet
{
    private const string LocalSet = "Local";
    private const string ComputerNameSet = "ComputerName";
    private const string RootSet = "Root";

    private readonly SshParameters _login;
    private FipsModeService? _service;

    public EnableFipsModeCommand() => _login = Blocks.Add<SshParameters>(ComputerNameSet);

    /// <summary>SSH nodes ("host", "host:port"); by value (strings) or by property name, as Test-FipsNode takes them.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ComputerNameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CN", "Address", "IPAddress", "PrivateIpAddress", "PublicIpAddress", "HostName", "PrivateDnsName", "PublicDnsName")]
    [HostNameTransformation(typeof(EnableFipsModeCommand))]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    /// <summary>Offline image roots (wildcards as the FileSystem cmdlets' -Path).</summary>
    [Parameter(Mandatory = true, ParameterSetName = RootSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Root { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = LocalSet)]
    [Parameter(ParameterSetName = ComputerNameSet)]
    public SwitchParameter Restart { get; set; }

    [Parameter(ParameterSetName = ComputerNameSet)]
    [ValidateRange(10, 7200)]
    public int RestartTimeoutSeconds { get; set; } = 600;

    [Parameter(ParameterSetName = ComputerNameSet)]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }

    protected override void BeginProcessingCore() => _service = new FipsModeService(ComplianceProfile ?? ComplianceProfiles.Default);

    protected override void ProcessRecordCore()
    {
        switch (ParameterSetName)
        {
            case RootSet:
                foreach (var path in Root)
                {
                    var resolved = ProviderPaths.ResolveExisting(this, path, literal: false, ErrorIds.InvalidRootPath, "image root");
                    if (resolved.Failure is { } failure)
                    {
                        WriteFailure(failure);
                    }
                    foreach (var root in resolved.Paths)
                    {
                        Enable(new ImageFipsModeTarget(root));
                    }
                }
                break;
            case ComputerNameSet:
                var ssh = _login.RequireOptions(this, "Enable-FipsMode -ComputerName", TimeSpan.FromSeconds(TimeoutSeconds));
                foreach (var name in ComputerName)
                {
                    FipsModeTarget target;
                    try
                    {
                        target = new SshFipsModeTarget(HostEndpoint.Parse(name.Trim(), _login.SshPort), ssh);
                    }
                    catch (FipsClusterException invalid)
                    {
                        WriteFailure(invalid);
                        continue;
                    }
                    Enable(target);
                }
                break;
            default:
                Enable(FipsModeTarget.Local());
                break;
        }
    }

    private void Enable(FipsModeTarget target)
    {
        try
        {
            var change = RunCore(context => _service!.EnableAsync(target, context));
            if (change is null)
            {
                return; // -WhatIf, or declined
            }
            if (Restart && change.RebootRequired)
            {
                change = RunCore(context => _service!.RestartAsync(target, change, TimeSpan.FromSeconds(RestartTimeoutSeconds), context));
            }
            WriteObject(change);
        }
        catch (FipsClusterException failure)
        {
            WriteFailure(failure); // this target's failure: the next target goes on
        }
    }
}
