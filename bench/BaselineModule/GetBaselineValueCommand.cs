using System.Management.Automation;

namespace BaselineModule;

[Cmdlet(VerbsCommon.Get, "BaselineValue")]
[OutputType(typeof(int))]
public sealed class GetBaselineValueCommand : PSCmdlet
{
    protected override void EndProcessing() => WriteObject(42);
}
