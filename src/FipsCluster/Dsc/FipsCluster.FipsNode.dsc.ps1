# Microsoft DSC v3 command resource FipsCluster.Command/FipsNode (manifest: FipsCluster.FipsNode.dsc.resource.json
# beside this file). DSC runs it with the resource's folder as the working directory, the instance as one JSON object
# on stdin, and reads one JSON object from stdout: the actual state (Get), with _inDesiredState (Test), or the state
# after the change, with _restartRequired when the node must reboot (Set). Messages go to stderr as JSON lines.
# The work is the FipsNode class resource's (FipsCluster.psm1): this file only speaks the protocol.
using module ./FipsCluster.psd1
param(
    [Parameter(Mandatory)]
    [ValidateSet('Get', 'Test', 'Set')]
    [string] $Operation
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Exit codes, as the manifest's exitCodes names them.
$invalidInput = 1
$failed = 2

function Write-DscMessage([string] $Level, [string] $Text) {
    [Console]::Error.WriteLine((@{ $Level = $Text } | ConvertTo-Json -Compress))
}

# The instance's properties, as JSON names them: the class's configurable properties and what Get reports.
$settable = 'Target', 'ComplianceProfile', 'UserName', 'KeyFilePath', 'KnownHostsPath', 'SshPort', 'HostKeyPolicy'
$reported = 'Compliant', 'Status', 'Reasons'

function ConvertTo-DscState([FipsNode] $State) {
    $out = [ordered]@{}
    foreach ($name in $settable) {
        $value = $State.$name
        if ($null -ne $value -and "$value" -ne '' -and -not ($name -eq 'SshPort' -and $value -eq 0)) { $out[$name] = $value }
    }
    $out.Compliant = $State.Compliant
    $out.Status = $State.Status
    $out.Reasons = @($State.Reasons | ForEach-Object { [ordered]@{ Code = $_.Code; Phrase = $_.Phrase } })
    $out
}

try {
    $text = [Console]::In.ReadToEnd()
    $desired = if ([string]::IsNullOrWhiteSpace($text)) { @{} } else { $text | ConvertFrom-Json -AsHashtable }
    if ($desired -isnot [Collections.IDictionary]) { throw 'The input is not a JSON object.' }
    $resource = [FipsNode]::new()
    foreach ($name in $desired.Keys) {
        if ($name.StartsWith('_') -or $name -in $reported) { continue } # canonical and read-only properties are not settings
        if ($name -notin $settable) { throw "FipsNode has no property '$name'." }
        $resource.$name = $desired[$name]
    }
}
catch {
    Write-DscMessage 'error' "Invalid FipsNode instance: $($_.Exception.Message)"
    exit $invalidInput
}

try {
    switch ($Operation) {
        'Get' {
            $state = ConvertTo-DscState $resource.Get()
        }
        'Test' {
            $actual = $resource.Get()
            $state = ConvertTo-DscState $actual
            $state._inDesiredState = $actual.Compliant
        }
        'Set' {
            $resource.Set()
            $after = $resource.Get()
            $state = ConvertTo-DscState $after
            if ($resource.RebootRequired) {
                $machine = if ($resource.Target -in $null, '', '.', 'localhost') { [Environment]::MachineName } else { $resource.Target }
                $state._restartRequired = @(@{ system = $machine })
                Write-DscMessage 'warn' "$machine must restart to run in FIPS mode."
            }
        }
    }
    [Console]::Out.WriteLine(($state | ConvertTo-Json -Depth 5 -Compress))
}
catch {
    $id = "$($_.FullyQualifiedErrorId)".Split(',')[0]
    Write-DscMessage 'error' "$id`: $($_.Exception.Message)"
    exit $failed
}
