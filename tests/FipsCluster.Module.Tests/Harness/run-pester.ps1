# Runs Pester suites in real pwsh for the xunit bridge (PesterSuiteRun.cs) and writes one JSON row per Pester test,
# per failed block (BeforeAll/AfterAll) and per file that failed on its own (discovery): the bridge turns every row
# into a counted test. Pester's own detailed output goes to stdout, which the bridge keeps as the run's log.
param(
    [Parameter(Mandatory)] [string] $PesterModule,
    [Parameter(Mandatory)] [string] $ResultPath,
    # Several files or folders are joined with the platform's path separator, excluded tags with commas (pwsh -File
    # passes every argument as one string).
    [Parameter(Mandatory)] [string] $Path,
    [string] $ExcludeTag = ''
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $PesterModule -Force

$config = New-PesterConfiguration
$config.Run.Path = @($Path -split [IO.Path]::PathSeparator | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
if ($ExcludeTag) { $config.Filter.ExcludeTag = @($ExcludeTag -split ',') }
$run = Invoke-Pester -Configuration $config

function Format-Errors($records) {
    @($records | Where-Object { $_ } | ForEach-Object {
        $text = "$_"
        # The test's own frames; Pester's internals say nothing about the failure.
        $frames = @("$($_.ScriptStackTrace)" -split "`n" | Where-Object { $_ -and $_ -notmatch '[\\/]Pester\.ps(m1|1)\b|run-pester\.ps1' })
        if ($frames.Count -gt 0) { $text += "`n" + ($frames -join "`n") }
        $text
    }) -join "`n"
}

$rows = [System.Collections.Generic.List[object]]::new()
foreach ($test in $run.Tests) {
    $rows.Add([ordered]@{
        File     = "$($test.Block.BlockContainer.Item)"
        Name     = $test.ExpandedPath
        Result   = "$($test.Result)"
        Error    = Format-Errors $test.ErrorRecord
        Duration = $test.Duration.TotalMilliseconds
    })
}
foreach ($block in $run.FailedBlocks) {
    $rows.Add([ordered]@{
        File     = "$($block.BlockContainer.Item)"
        Name     = "$($block.ExpandedPath) (block setup or teardown)"
        Result   = 'Failed'
        Error    = Format-Errors $block.ErrorRecord
        Duration = 0
    })
}
foreach ($container in $run.Containers | Where-Object { $_.ErrorRecord.Count -gt 0 }) {
    $rows.Add([ordered]@{
        File     = "$($container.Item)"
        Name     = '(file)'
        Result   = 'Failed'
        Error    = Format-Errors $container.ErrorRecord
        Duration = 0
    })
}
# What ran them, so the bridge can show (and assert) that it was real pwsh and the pinned Pester.
ConvertTo-Json -Depth 5 -InputObject ([ordered]@{
    PowerShell = "$($PSVersionTable.PSVersion)"
    Pester     = "$((Get-Module Pester).Version)"
    Tests      = @($rows)
}) | Set-Content -Path $ResultPath -Encoding utf8
