namespace FipsCluster.Infrastructure;

/// <summary>
/// Marks a cmdlet whose verb usually changes state (New, ConvertTo…) but which only computes a value in
/// the process. The contract test accepts such a cmdlet without SupportsShouldProcess; the reason is required.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NoSideEffectsAttribute : Attribute
{
    public NoSideEffectsAttribute(string reason) => Reason = reason;

    public string Reason { get; }
}
