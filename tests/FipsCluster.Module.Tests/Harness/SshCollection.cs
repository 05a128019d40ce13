using Xunit;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>The tests that share one <see cref="SshNodesFixture"/> (xunit wants the definition in the test assembly).</summary>
[CollectionDefinition("ssh")]
public sealed class SshCollection : ICollectionFixture<SshNodesFixture>
{
}
