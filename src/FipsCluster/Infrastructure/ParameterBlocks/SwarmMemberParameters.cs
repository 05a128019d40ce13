using System.Management.Automation;

namespace FipsCluster.Infrastructure.ParameterBlocks;

/// <summary>A swarm member's host and addresses, as New-FipsCluster (the first manager) and Add-FipsClusterNode (a new member) take them.</summary>
public sealed class SwarmMemberParameters : ParameterBlock
{
    /// <summary>The engine's host, whose evidence is read over SSH; without it the local machine is the evidence.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ComputerName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "0.0.0.0:2377";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AdvertiseAddress { get; set; }
}
