namespace FipsCluster.Core.Compliance.Node;

/// <summary>The registry values and files read from a Windows node.</summary>
public static class WindowsFactCatalog
{
    public const string FipsPolicyEnabled = @"HKLM\SYSTEM\CurrentControlSet\Control\Lsa\FipsAlgorithmPolicy\Enabled";

    /// <summary>XP/2003-era value directly under Lsa; .NET Framework still reads it.</summary>
    public const string LegacyFipsPolicy = @"HKLM\SYSTEM\CurrentControlSet\Control\Lsa\FIPSAlgorithmPolicy";

    public const string ProductName = @"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProductName";
    public const string CurrentBuild = @"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\CurrentBuild";

    public static readonly string[] RegistryValues = { FipsPolicyEnabled, LegacyFipsPolicy, ProductName, CurrentBuild };

    /// <summary>.NET Framework machine.config files, relative to %WINDIR%; app *.exe.config files are added by the caller.</summary>
    public static readonly string[] MachineConfigs =
    {
        @"Microsoft.NET\Framework\v4.0.30319\Config\machine.config",
        @"Microsoft.NET\Framework64\v4.0.30319\Config\machine.config",
        @"Microsoft.NET\Framework\v2.0.50727\CONFIG\machine.config",
        @"Microsoft.NET\Framework64\v2.0.50727\CONFIG\machine.config",
    };
}
