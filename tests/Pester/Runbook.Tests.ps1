#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runbook-safe: in `pwsh -NonInteractive` no state-changing cmdlet prompts when -Confirm:$false (and -Force where it
# exists) is given, a ConfirmImpact High cmdlet without them fails as its help says, and progress honours
# $ProgressPreference. Everything runs in one child pwsh against a temporary cluster store and dead engines.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    # The state-changing cmdlets, by reflection: a new one without a scenario below fails.
    $stateChanging = (Get-Command -Module FipsCluster).Where{ $_.Parameters.ContainsKey('WhatIf') } |
        ForEach-Object { @{ Command = $_.Name } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1'
    Import-Module $script:manifest -Force

    # One call per state-changing cmdlet, on inputs that need no service: a key file, records in a temporary
    # store, and a Docker engine that is not there (an error is fine; a prompt is not).
    $script:scenarios = [ordered]@{
        'Add-FipsClusterNode'        = 'Add-FipsClusterNode -Cluster nodes -DockerHost $deadEngine -Confirm:$false'
        'ConvertTo-FipsPrivateKey'   = 'ConvertTo-FipsPrivateKey -Path $keyPath -NewPassphrase $newPassphrase -Iterations 1000 -Force -Confirm:$false'
        'Enable-FipsMode'            = 'Enable-FipsMode -Root $rhelImage -Confirm:$false'
        'Export-FipsClusterManifest' = 'Export-FipsClusterManifest -InputObject $spec -Path $manifestPath -Confirm:$false'
        'Export-FipsComplianceReport' = '$report | Export-FipsComplianceReport -Path $reportPath -Force -Confirm:$false'
        'New-FipsCluster'            = 'New-FipsCluster -Name fresh -Provider Swarm -DockerHost $deadEngine -Force -Confirm:$false'
        'Remove-FipsCluster'         = 'Remove-FipsCluster -Name removeme -Force -Confirm:$false'
        'Remove-FipsClusterNode'     = 'Remove-FipsClusterNode -Cluster nodes -Node worker1 -Force -Confirm:$false'
        'Set-FipsCluster'            = 'Set-FipsCluster -Name setme -Description runbook -Confirm:$false'
        'Test-FipsCluster'           = 'Test-FipsCluster -Name setme -Confirm:$false'
        'Update-SwarmJoinToken'      = 'Update-SwarmJoinToken -Role Worker -DockerHost $deadEngine -Confirm:$false'
    }
    $work = Join-Path $TestDrive 'work'
    $null = New-Item -ItemType Directory $work
    $resultFile = Join-Path $TestDrive 'result.json'
    $child = @'
$ErrorActionPreference = 'Continue'
Import-Module $env:FC_TEST_HELPERS
Import-Module $env:FC_TEST_MANIFEST
$work = $env:FC_TEST_WORK
$deadEngine = 'unix:///nonexistent/fipscluster-test/docker.sock'
$keyPath = Join-Path $work 'node.key'
Set-Content $keyPath ([Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256).ExportPkcs8PrivateKeyPem())
$newPassphrase = ConvertTo-SecureString 'runbook passphrase 1' -AsPlainText -Force
$manifestPath = Join-Path $work 'cluster.yaml'
$rhelImage = Join-Path $work 'rhel9-image'
Copy-Item -Recurse -LiteralPath (Join-Path $env:FC_TEST_FIXTURES 'rhel9-image-nonfips') -Destination $rhelImage
$reportPath = Join-Path $work 'report.html'
$report = [FipsCluster.NodeComplianceReport]@{ ComputerName = 'runbook-node'; Profile = 'FIPS-140-3'; Status = 'Compliant'; Compliant = $true }
$spec = [FipsCluster.AwsClusterSpec]@{
    Name = 'lab'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = '1.33.1+fips.1'
    KubernetesImageRepository = 'docker.io/mesosphere'; EtcdVersion = '3.5.21+fips.1'; EtcdImageRepository = 'docker.io/mesosphere'
}
$worker = [FipsCluster.ClusterNodeRecord]@{ Name = 'worker1'; NodeId = 'n0de1d'; Role = 'Worker' }
foreach ($name in 'setme', 'removeme', 'keepme', 'nodes') {
    $null = [FipsCluster.FipsClusterRecord]@{
        Name = $name; Provider = 'Swarm'; ComplianceProfile = 'FIPS-140-3'
        Endpoints = [string[]]@($deadEngine); Nodes = [FipsCluster.ClusterNodeRecord[]]@($worker)
    } | Add-TestClusterRecord -StorePath $env:FIPSCLUSTER_HOME
}

function Invoke-Scenario([string] $Script) {
    $Error.Clear()
    $output = try { & ([scriptblock]::Create($Script)) 2>&1 } catch { $_ }
    $errors = @($Error) + @($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
    [ordered]@{
        Output = @($output | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] }).Count
        Errors = @($errors | Sort-Object { $_.GetHashCode() } -Unique | ForEach-Object {
            $messages = for ($e = $_.Exception; $e; $e = $e.InnerException) { "[$($e.GetType().FullName)] $($e.Message)" }
            [ordered]@{ Id = $_.FullyQualifiedErrorId; Text = (@($messages) + $_.ErrorDetails.Message) -join ' | ' }
        })
    }
}

$result = [ordered]@{ Scenarios = [ordered]@{} }
$scenarios = $env:FC_TEST_SCENARIOS | ConvertFrom-Json -AsHashtable
# Every ShouldProcess would ask at this preference: only -Confirm:$false (or -Force) may keep it from prompting.
$ConfirmPreference = 'Low'
foreach ($command in $scenarios.Keys) {
    $result.Scenarios[$command] = Invoke-Scenario $scenarios[$command]
}
$ConfirmPreference = 'High'
$result.SetDescription = (Get-FipsCluster -Name setme).Description
$result.Clusters = @((Get-FipsCluster).Name)
$result.ManifestWritten = Test-Path $manifestPath
$result.ReportWritten = Test-Path $reportPath
$result.KeyEncrypted = (Get-Content -Raw $keyPath) -match 'BEGIN ENCRYPTED PRIVATE KEY'

# ConfirmImpact High without -Force or -Confirm:$false: the help says it asks, which a non-interactive host cannot.
$result.Unconfirmed = Invoke-Scenario 'Remove-FipsCluster -Name keepme'
$result.KeptUnconfirmed = @(Get-FipsCluster -Name keepme -ErrorAction SilentlyContinue).Count

# Progress, as a host sees it: a PowerShell instance's progress stream.
$result.Progress = [ordered]@{}
foreach ($case in @(
        @{ Name = 'SilentlyContinue'; Script = '$ProgressPreference = ''SilentlyContinue''; $null = Test-FipsNode' }
        @{ Name = 'Continue'; Script = '$ProgressPreference = ''Continue''; $null = Test-FipsNode' }
        @{ Name = 'ProgressAction'; Script = '$ProgressPreference = ''Continue''; $null = Test-FipsNode -ProgressAction SilentlyContinue' }
    )) {
    $ps = [powershell]::Create()
    $null = $ps.AddScript("Import-Module '$($env:FC_TEST_MANIFEST)'; $($case.Script)")
    $null = $ps.Invoke()
    $result.Progress[$case.Name] = [ordered]@{
        Records  = $ps.Streams.Progress.Count
        Activity = @($ps.Streams.Progress.Activity | Select-Object -Unique)
        Errors   = @($ps.Streams.Error | ForEach-Object ToString)
    }
    $ps.Dispose()
}
$result | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $env:FC_TEST_RESULT
'@
    $environment = @{
        FIPSCLUSTER_HOME   = Join-Path $TestDrive 'store'
        FC_TEST_HELPERS    = Join-Path $PSScriptRoot 'TestHelpers.psm1'
        FC_TEST_MANIFEST   = (Resolve-Path $script:manifest).Path
        FC_TEST_WORK       = $work
        FC_TEST_FIXTURES   = Join-Path $PSScriptRoot '../FipsCluster.Core.Tests/Fixtures/Roots'
        FC_TEST_RESULT     = $resultFile
        FC_TEST_SCENARIOS  = $script:scenarios | ConvertTo-Json -Compress
    }
    $script:run = Invoke-ChildPwsh -Script $child -Environment $environment -WorkingDirectory $work
    $script:result = if (Test-Path $resultFile) { Get-Content -Raw $resultFile | ConvertFrom-Json -AsHashtable }

    # What PowerShell says when something prompts in a non-interactive host.
    $script:promptPattern = 'NonInteractive|Read and Prompt|HostException|PromptFor'
}

Describe 'The runbook child (pwsh -NonInteractive)' {
    It 'ran to the end' {
        $script:run.Errors | Should -BeNullOrEmpty
        $script:run.ExitCode | Should -Be 0
        $script:result | Should -Not -BeNullOrEmpty
    }
}

Describe '<Command> -Confirm:$false under pwsh -NonInteractive' -ForEach $stateChanging {
    BeforeAll {
        $script:outcome = $script:result.Scenarios[$Command]
    }

    It 'has a scenario with -Confirm:$false, and -Force where the cmdlet has it' {
        $script:scenarios.Contains($Command) | Should -BeTrue -Because "every state-changing cmdlet needs a scenario in Runbook.Tests.ps1"
        $ast = [Management.Automation.Language.Parser]::ParseInput($script:scenarios[$Command], [ref]$null, [ref]$null)
        $call = $ast.Find({ param($a) $a -is [Management.Automation.Language.CommandAst] -and $a.GetCommandName() -eq $Command }, $true)
        $call | Should -Not -BeNullOrEmpty
        $parameters = $call.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] }
        ($parameters | Where-Object ParameterName -eq 'Confirm').Argument.Extent.Text | Should -Be '$false'
        if ((Get-Command $Command).Parameters.ContainsKey('Force')) {
            $parameters.ParameterName | Should -Contain 'Force'
        }
    }

    It 'does not prompt' {
        $script:outcome | Should -Not -BeNullOrEmpty
        $script:outcome.Errors.Text | Where-Object { $_ -match $script:promptPattern } | Should -BeNullOrEmpty
    }
}

Describe 'What the service-free scenarios changed' {
    It 'Set-FipsCluster changed the description' {
        $script:result.SetDescription | Should -BeExactly 'runbook'
        $script:result.Scenarios['Set-FipsCluster'].Errors | Should -BeNullOrEmpty
    }

    It 'Remove-FipsCluster -Force removed the record' {
        $script:result.Clusters | Should -Not -Contain 'removeme'
        $script:result.Clusters | Should -Contain 'setme'
        $script:result.Scenarios['Remove-FipsCluster'].Errors | Should -BeNullOrEmpty
    }

    It 'ConvertTo-FipsPrivateKey rewrote the key' {
        $script:result.KeyEncrypted | Should -BeTrue
        $script:result.Scenarios['ConvertTo-FipsPrivateKey'].Output | Should -Be 1
    }

    It 'Export-FipsComplianceReport wrote the file' {
        $script:result.ReportWritten | Should -BeTrue
        $script:result.Scenarios['Export-FipsComplianceReport'].Errors | Should -BeNullOrEmpty
    }

    It 'Export-FipsClusterManifest wrote the file' {
        $script:result.ManifestWritten | Should -BeTrue
        $script:result.Scenarios['Export-FipsClusterManifest'].Output | Should -Be 1
    }
}

Describe 'Remove-FipsCluster (ConfirmImpact High) without -Force or -Confirm:$false under pwsh -NonInteractive' {
    It 'fails with PowerShell''s non-interactive error instead of removing' {
        $texts = $script:result.Unconfirmed.Errors.Text
        $texts | Should -Not -BeNullOrEmpty
        ($texts -join "`n") | Should -Match 'NonInteractive mode'
        $script:result.KeptUnconfirmed | Should -Be 1
    }
}

Describe 'Progress of Test-FipsNode' {
    It 'writes progress when $ProgressPreference is Continue' {
        $script:result.Progress.Continue.Errors | Should -BeNullOrEmpty
        $script:result.Progress.Continue.Records | Should -BeGreaterThan 0
        $script:result.Progress.Continue.Activity | Should -Contain 'Testing FIPS compliance'
    }

    It 'writes none when $ProgressPreference is SilentlyContinue' {
        $script:result.Progress.SilentlyContinue.Errors | Should -BeNullOrEmpty
        $script:result.Progress.SilentlyContinue.Records | Should -Be 0
    }

    It 'writes none with -ProgressAction SilentlyContinue' {
        $script:result.Progress.ProgressAction.Errors | Should -BeNullOrEmpty
        $script:result.Progress.ProgressAction.Records | Should -Be 0
    }
}
