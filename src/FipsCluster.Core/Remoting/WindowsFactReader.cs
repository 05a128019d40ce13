using System.Runtime.Versioning;
using FipsCluster.Core.Compliance.Node;

namespace FipsCluster.Core.Remoting;

/// <summary>Registry access behind an interface, so the Windows checks are testable on any OS.</summary>
public interface IWindowsRegistry
{
    /// <summary>A value as text (DWORDs in decimal); null when the key or value does not exist.</summary>
    string? ReadValue(string path);
}

/// <summary>A registry that can also be changed (Enable-FipsMode sets the FIPS algorithm policy through it).</summary>
public interface IWindowsRegistryEditor : IWindowsRegistry
{
    /// <summary>Sets a DWORD value (HKLM\...\Key\Name), creating the key when missing.</summary>
    void SetDword(string path, int value);
}

/// <summary>The real registry (Windows only).</summary>
public sealed class WindowsRegistry : IWindowsRegistryEditor
{
    [SupportedOSPlatform("windows")]
    private static void Write(string path, int value)
    {
        var split = path.LastIndexOf('\\');
        var key = path[..split];
        const string hklm = @"HKLM\";
        if (!key.StartsWith(hklm, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Only HKLM values are written: {path}", nameof(path));
        }
        using var opened = Microsoft.Win32.Registry.LocalMachine.CreateSubKey(key[hklm.Length..], writable: true);
        opened.SetValue(path[(split + 1)..], value, Microsoft.Win32.RegistryValueKind.DWord);
    }

    public void SetDword(string path, int value)
    {
        if (!OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Windows registry exists only on Windows.");
        }
        Write(path, value);
    }

    [SupportedOSPlatform("windows")]
    private static string? Read(string path)
    {
        var split = path.LastIndexOf('\\');
        var key = path[..split];
        var name = path[(split + 1)..];
        const string hklm = @"HKLM\";
        if (!key.StartsWith(hklm, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        using var opened = Microsoft.Win32.Registry.LocalMachine.OpenSubKey(key[hklm.Length..]);
        return opened?.GetValue(name) switch
        {
            null => null,
            int dword => dword.ToString(System.Globalization.CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToHexString(bytes),
            var other => other.ToString(),
        };
    }

    public string? ReadValue(string path) => OperatingSystem.IsWindows() ? Read(path) : null;
}

/// <summary>Builds the facts of a Windows node from a registry and the Windows directory.</summary>
public static class WindowsFactReader
{
    public static NodeFacts Read(IWindowsRegistry registry, string windowsDirectory, NodeTransport transport, IEnumerable<string>? extraConfigFiles = null)
    {
        var facts = new NodeFacts(transport, offline: false) { Platform = "windows" };
        foreach (var value in WindowsFactCatalog.RegistryValues)
        {
            try
            {
                facts.SetRegistryValue(value, registry.ReadValue(value));
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or System.Security.SecurityException or IOException)
            {
                facts.MarkRegistryUnreadable(value);
                facts.CollectionErrors.Add($"{value} could not be read: {ex.Message}");
            }
        }
        var configs = WindowsFactCatalog.MachineConfigs.Select(relative => Path.Combine(windowsDirectory, relative.Replace('\\', Path.DirectorySeparatorChar)))
            .Concat(extraConfigFiles ?? Array.Empty<string>());
        foreach (var config in configs)
        {
            if (!File.Exists(config))
            {
                continue;
            }
            try
            {
                facts.AddFile(new FileFact(config, FileFactState.Present, File.ReadAllBytes(config)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                facts.AddFile(new FileFact(config, FileFactState.Unreadable, Array.Empty<byte>()));
                facts.CollectionErrors.Add($"{config} could not be read: {ex.Message}");
            }
        }
        return facts;
    }
}
