using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remediation;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests.Remediation;

/// <summary>Enable-FipsMode on Windows through the registry interface (an in-memory registry, as the Windows checks' tests use).</summary>
public sealed class EnableFipsModeWindowsTests : IDisposable
{
    private readonly string _windir = Directory.CreateTempSubdirectory("fc-windir-").FullName;

    private sealed class MemoryRegistry : IWindowsRegistryEditor
    {
        public Dictionary<string, string?> Values { get; } = new(StringComparer.OrdinalIgnoreCase)
        {
            [WindowsFactCatalog.ProductName] = "Windows Server 2022 Datacenter",
            [WindowsFactCatalog.CurrentBuild] = "20348",
        };

        public List<(string Path, int Value)> Writes { get; } = new();

        public string? ReadValue(string path) => Values.GetValueOrDefault(path);

        public void SetDword(string path, int value)
        {
            Writes.Add((path, value));
            Values[path] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public void Dispose() => Directory.Delete(_windir, recursive: true);

    private static readonly OperationContext Yes = new() { ShouldProcess = static (_, _) => true };

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    public async Task Sets_the_policy_then_changes_nothing(string? before)
    {
        var registry = new MemoryRegistry();
        registry.Values[WindowsFactCatalog.FipsPolicyEnabled] = before;
        var target = new WindowsFipsModeTarget("win1", registry, _windir);
        var service = new FipsModeService();

        var first = await service.EnableAsync(target, Yes);
        Assert.NotNull(first);
        Assert.Equal(new[] { (WindowsFactCatalog.FipsPolicyEnabled, 1) }, registry.Writes);
        var step = Assert.Single(first.Changes);
        Assert.Equal((FipsModeStepKind.Registry, WindowsFactCatalog.FipsPolicyEnabled, FipsModeStepState.Applied), (step.Kind, step.Path, step.State));
        Assert.True(first.RebootRequired);
        Assert.Equal(CheckStatus.Pass, first.Verdict!.StatusOf("WIN-FIPS-01"));

        var second = await service.EnableAsync(target, Yes);
        Assert.True(second!.NoChange);
        Assert.False(second.RebootRequired);
        Assert.Single(registry.Writes); // nothing written the second time
    }

    [Fact]
    public async Task WhatIf_writes_nothing()
    {
        var registry = new MemoryRegistry();
        var result = await new FipsModeService().EnableAsync(new WindowsFipsModeTarget("win1", registry, _windir), new OperationContext { ShouldProcess = static (_, _) => false });
        Assert.Null(result);
        Assert.Empty(registry.Writes);
    }
}
