#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The DSC resources FipsNode, FipsBinary and FipsCluster as the engines meet them: found by parsing the module (what
# PSDesiredStateConfiguration's and DSC v3's PowerShell adapter's discovery does; neither engine can be installed
# here), then instances made and driven through Get/Test/Set as Invoke-DscResource does, on copies of the non-FIPS
# RHEL image fixtures, real Go builds and a temporary cluster store.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = (Resolve-Path (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1')).Path
    $script:module = Import-Module $script:manifestPath -Force -PassThru
    $script:fixtures = Join-Path $PSScriptRoot '../FipsCluster.Core.Tests/Fixtures/Roots'
    # The resource classes, from the module's own scope (Import-Module does not export classes; `using module` would).
    $script:classes = & $script:module { @{ FipsNode = [FipsNode]; FipsBinary = [FipsBinary]; FipsCluster = [FipsCluster] } }

    # An instance with these properties, as Invoke-DscResource makes one: new(), then each property set.
    function New-DscInstance([string] $Name, [hashtable] $Property) {
        $instance = $script:classes[$Name]::new()
        foreach ($key in $Property.Keys) { $instance.$key = $Property[$key] }
        $instance
    }

    # Every entry of a tree: its path, and its link target or the SHA-256 of its content (links may point outside).
    function Get-TreeHash([string] $Root) {
        Get-ChildItem -LiteralPath $Root -Recurse -Force | Sort-Object FullName | ForEach-Object {
            $relative = [IO.Path]::GetRelativePath($Root, $_.FullName)
            if ($_.LinkTarget) { "$relative -> $($_.LinkTarget)" }
            elseif ($_.PSIsContainer) { "$relative/" }
            else { "$relative $((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash)" }
        }
    }

    function Copy-Image([string] $Fixture) {
        $target = Join-Path $TestDrive ($Fixture + '-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
        Copy-Item -Recurse -Path (Join-Path $script:fixtures $Fixture) -Destination $target
        $target
    }

    # A module home holding the staged module as <home>/FipsCluster/<version>, as Install-PSResource lays it out.
    function New-ModuleHome([string] $Path) {
        $version = (Import-PowerShellDataFile $script:manifestPath).ModuleVersion
        $folder = Join-Path $Path "FipsCluster/$version"
        $null = New-Item -ItemType Directory (Split-Path $folder)
        $null = New-Item -ItemType SymbolicLink -Path $folder -Target (Split-Path $script:manifestPath)
        $Path
    }

    # Two real Go builds of one program: the standard library's crypto, and BoringCrypto (a FIPS 140 module).
    $source = Join-Path $TestDrive 'gosrc'
    $null = New-Item -ItemType Directory $source
    Set-Content -LiteralPath (Join-Path $source 'go.mod') -Value "module example.com/dscfixture`n`ngo 1.19"
    Set-Content -LiteralPath (Join-Path $source 'main.go') -Value @'
package main

import (
	"crypto/sha256"
	"fmt"
)

func main() { fmt.Printf("%x\n", sha256.Sum256([]byte("fips"))) }
'@
    $script:bin = Join-Path $TestDrive 'bin'
    $null = New-Item -ItemType Directory $script:bin
    $go = (Get-Command go -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    foreach ($build in @{ Name = 'std'; Experiment = '' }, @{ Name = 'boring'; Experiment = 'boringcrypto' }) {
        $start = [Diagnostics.ProcessStartInfo]::new($go)
        foreach ($argument in 'build', '-o', (Join-Path $script:bin $build.Name), '.') { $start.ArgumentList.Add($argument) }
        $start.WorkingDirectory = $source
        $start.Environment['GOEXPERIMENT'] = $build.Experiment
        $start.Environment['CGO_ENABLED'] = '1'
        $start.Environment['GOFLAGS'] = '-mod=mod'
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($start)
        $stderr = $process.StandardError.ReadToEnd()
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "go build ($($build.Name)) failed: $stderr" }
    }

    $script:savedHome = $env:FIPSCLUSTER_HOME
    $env:FIPSCLUSTER_HOME = Join-Path $TestDrive 'store'
    $script:savedMachineStatus = $global:DSCMachineStatus
}

AfterAll {
    $env:FIPSCLUSTER_HOME = $script:savedHome
    $global:DSCMachineStatus = $script:savedMachineStatus
}

Describe 'Discovery as the DSC engines do it' {
    BeforeAll {
        $modules = New-ModuleHome (Join-Path $TestDrive 'modules')
        $resultFile = Join-Path $TestDrive 'discovery.json'
        # A fresh pwsh that has not loaded the module: the engines parse its files without importing it. Module manifests
        # under PSModulePath whose text names DscResourcesToExport (Get-DSCResourceModules in PSDesiredStateConfiguration
        # and in DSC v3's psDscAdapter); Get-Module -ListAvailable must report the module's ExportedDscResources (Get-DscResource
        # skips a module without) and no binary nested module (PowerShell's DscClassCache refuses one with
        # ConfigurationNotSupportedInPowerShellCore); the RootModule is parsed when it is a script, and every [DscResource()]
        # class in it is a resource, typed '<root module base name>/<class>' by DSC v3.
        $script = @'
$ErrorActionPreference = 'Stop'
$found = foreach ($module in Get-Module -ListAvailable -Name FipsCluster) {
    $text = Get-Content -Raw -LiteralPath $module.Path
    if ($text -notmatch 'DscResourcesToExport') { continue }
    $manifest = Import-PowerShellDataFile -LiteralPath $module.Path
    $root = Join-Path $module.ModuleBase $manifest.RootModule
    $tokens = $null; $errors = $null
    $ast = [Management.Automation.Language.Parser]::ParseFile($root, [ref]$tokens, [ref]$errors)
    $classes = $ast.FindAll({ param($a) $a -is [Management.Automation.Language.TypeDefinitionAst] -and
        @($a.Attributes | Where-Object { $_.TypeName.Name -eq 'DscResource' }).Count -gt 0 }, $false)
    [ordered]@{
        Exported    = @($module.ExportedDscResources)
        NestedBinary = @($module.NestedModules | Where-Object ModuleType -eq 'Binary' | ForEach-Object Name)
        RootModule  = $manifest.RootModule
        ParseErrors = @($errors | ForEach-Object { "$($_.ErrorId): $($_.Message)" })
        Resources   = @(foreach ($class in $classes) {
            [ordered]@{
                Type       = '{0}/{1}' -f [IO.Path]::GetFileNameWithoutExtension($root), $class.Name
                Name       = $class.Name
                Methods    = @($class.Members | Where-Object { $_ -is [Management.Automation.Language.FunctionMemberAst] } |
                                ForEach-Object { '{0} {1}({2})' -f $_.ReturnType.TypeName.Name, $_.Name, $_.Parameters.Count })
                Properties = @($class.Members | Where-Object { $_ -is [Management.Automation.Language.PropertyMemberAst] } | ForEach-Object {
                    $dsc = $_.Attributes | Where-Object { $_.TypeName.Name -eq 'DscProperty' }
                    if ($dsc) {
                        [ordered]@{
                            Name = $_.Name
                            Type = $_.PropertyType.TypeName.FullName
                            Kind = @($dsc.NamedArguments.ArgumentName) -join ','
                        }
                    }
                })
            }
        })
    }
}
$found | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $env:FC_RESULT
'@
        $run = Invoke-ChildPwsh -Script $script -Environment @{ PSModulePath = $modules; FC_RESULT = $resultFile }
        $script:runErrors = $run.Errors
        $script:discovered = Get-Content -Raw -LiteralPath $resultFile | ConvertFrom-Json
        $script:byName = @{}
        foreach ($resource in $script:discovered.Resources) { $script:byName[$resource.Name] = $resource }
    }

    It 'finds the module by its manifest, which exports the three resources' {
        $script:runErrors | Should -BeNullOrEmpty
        $script:discovered | Should -HaveCount 1
        $script:discovered.Exported | Should -Be @('FipsNode', 'FipsBinary', 'FipsCluster')
        $script:discovered.RootModule | Should -Be 'FipsCluster.psm1'
        $script:discovered.NestedBinary | Should -BeNullOrEmpty
    }

    It 'parses the root module without error where the module is not loaded' {
        $script:discovered.ParseErrors | Should -BeNullOrEmpty
    }

    It 'finds <Name> as FipsCluster/<Name> with a Key, Get, Test and Set, and Reasons of Code and Phrase' -ForEach @(
        @{ Name = 'FipsNode'; Key = 'Target' }
        @{ Name = 'FipsBinary'; Key = 'Path' }
        @{ Name = 'FipsCluster'; Key = 'Name' }
    ) {
        $resource = $script:byName[$Name]
        $resource | Should -Not -BeNullOrEmpty
        $resource.Type | Should -Be "FipsCluster/$Name"
        $resource.Methods | Should -Contain "$Name Get(0)"
        $resource.Methods | Should -Contain 'bool Test(0)'
        $resource.Methods | Should -Contain 'void Set(0)'
        @($resource.Properties | Where-Object Kind -eq 'Key').Name | Should -Be @($Key)
        $reasons = $resource.Properties | Where-Object Name -eq 'Reasons'
        $reasons.Kind | Should -Be 'NotConfigurable'
        $reasons.Type | Should -Be 'FipsReason[]'
        $script:discovered.Resources.Name | Should -Not -Contain 'FipsReason' -Because 'the reason class is no resource'
    }

    It 'lists every resource the manifest exports, and no other' {
        @($script:discovered.Resources.Name | Sort-Object) | Should -Be @($script:discovered.Exported | Sort-Object)
    }
}

Describe 'FipsNode on an offline RHEL 9 image' {
    BeforeAll {
        $script:image = Copy-Image 'rhel9-image-nonfips'
        $script:node = New-DscInstance FipsNode @{ Target = $script:image }
        $script:findings = @((Test-FipsNode -LiteralPath $script:image).Findings.CheckId)
    }

    It 'Get reports the verdict, and a reason for every failing check' {
        $script:findings | Should -Not -BeNullOrEmpty -Because 'the fixture is not FIPS'
        $state = $script:node.Get()
        $state.Target | Should -Be $script:image
        $state.Compliant | Should -BeFalse
        $state.Status | Should -Be 'NonCompliant'
        $state.ComplianceProfile | Should -Be 'FIPS-140-3'
        @($state.Reasons.Code) | Should -Be @($script:findings | ForEach-Object { "FipsNode:FipsNode:$_" })
        $state.Reasons | ForEach-Object { $_.Phrase | Should -Not -BeNullOrEmpty }
        ($state.Reasons | Where-Object Code -eq 'FipsNode:FipsNode:LNX-FIPS-08').Phrase | Should -Match 'crypto policy'
    }

    It 'Test is false, Set enables FIPS mode with Enable-FipsMode, then Test is true with no reasons' {
        $global:DSCMachineStatus = 0
        $script:node.Test() | Should -BeFalse
        $script:node.Set()
        $script:node.RebootRequired | Should -BeFalse -Because 'an offline image boots into FIPS mode'
        $global:DSCMachineStatus | Should -Be 0
        $script:node.Test() | Should -BeTrue
        $after = $script:node.Get()
        $after.Reasons | Should -BeNullOrEmpty
        $after.Status | Should -Be 'Compliant'
        (Get-Content -Raw (Join-Path $script:image 'etc/crypto-policies/config')).Trim() | Should -Be 'FIPS'
        (Test-FipsNode -LiteralPath $script:image).Compliant | Should -BeTrue
    }

    It 'a second Set changes nothing' {
        $before = Get-TreeHash $script:image
        $script:node.Set()
        Get-TreeHash $script:image | Should -Be $before
        $script:node.Test() | Should -BeTrue
    }

    It 'judges against the profile it is given' {
        $state = (New-DscInstance FipsNode @{ Target = $script:image; ComplianceProfile = 'FIPS-140-2' }).Get()
        $state.ComplianceProfile | Should -Be 'FIPS-140-2'
    }
}

Describe 'FipsNode on targets it cannot change' {
    It 'a FIPS image is compliant: Test is true and nothing is set' {
        $image = Copy-Image 'rhel9-image-fips'
        $node = New-DscInstance FipsNode @{ Target = $image }
        $node.Test() | Should -BeTrue
        $node.Get().Reasons | Should -BeNullOrEmpty
    }

    It 'a Debian image: Test is false and Set fails with FipsModeUnsupported, changing nothing' {
        $image = Copy-Image 'debian12'
        $hashes = Get-TreeHash $image
        $node = New-DscInstance FipsNode @{ Target = $image }
        $node.Test() | Should -BeFalse
        { $node.Set() } | Should -Throw -ErrorId 'FipsModeUnsupported,FipsCluster.Commands.EnableFipsModeCommand'
        Get-TreeHash $image | Should -Be $hashes
    }

    It 'an SSH node whose login cannot be built: Test is false, the reason is the error id, Set fails with it' {
        $node = New-DscInstance FipsNode @{ Target = 'node-1.invalid'; UserName = 'admin'; KeyFilePath = (Join-Path $TestDrive 'missing.key'); SshPort = 2222; HostKeyPolicy = 'Strict' }
        $state = $node.Get()
        $state.Compliant | Should -BeFalse
        $state.Status | Should -Be 'Error'
        $state.Reasons.Code | Should -Contain 'FipsNode:FipsNode:SshKeyFileInvalid'
        $node.Test() | Should -BeFalse
        { $node.Set() } | Should -Throw -ErrorId 'SshKeyFileInvalid,FipsCluster.Commands.EnableFipsModeCommand'
    }
}

Describe 'FipsBinary' {
    BeforeAll {
        $script:boringOnly = Join-Path $TestDrive 'boring-only'
        $null = New-Item -ItemType Directory $script:boringOnly
        Copy-Item (Join-Path $script:bin 'boring') $script:boringOnly
        Set-Content -LiteralPath (Join-Path $script:boringOnly 'README') -Value 'not a program'
    }

    It 'a BoringCrypto build is a FIPS build: Test is true' {
        $resource = New-DscInstance FipsBinary @{ Path = (Join-Path $script:bin 'boring') }
        $resource.Test() | Should -BeTrue
        $state = $resource.Get()
        $state.BinaryCount | Should -Be 1
        $state.Reasons | Should -BeNullOrEmpty
    }

    It 'a folder of FIPS builds (and files that are no programs) is compliant' {
        $state = (New-DscInstance FipsBinary @{ Path = $script:boringOnly }).Get()
        $state.Compliant | Should -BeTrue
        $state.BinaryCount | Should -Be 1
    }

    It 'a folder with a standard build: Test is false, and the reason names that binary under BIN-01' {
        $resource = New-DscInstance FipsBinary @{ Path = $script:bin }
        $resource.Test() | Should -BeFalse
        $state = $resource.Get()
        $state.BinaryCount | Should -Be 2
        $state.Reasons | Should -HaveCount 1
        $state.Reasons[0].Code | Should -Be 'FipsBinary:FipsBinary:BIN-01'
        $state.Reasons[0].Phrase | Should -BeLike "$(Join-Path $script:bin 'std'): Standard*"
    }

    It 'a missing path is not compliant, with the error id as the reason' {
        $state = (New-DscInstance FipsBinary @{ Path = (Join-Path $TestDrive 'nowhere') }).Get()
        $state.Compliant | Should -BeFalse
        $state.Reasons.Code | Should -Be 'FipsBinary:FipsBinary:BinaryNotFound'
    }

    It 'Set refuses with DscSetNotPossible, naming the path and what is wrong, and leaves the file alone' {
        $std = Join-Path $script:bin 'std'
        $hash = (Get-FileHash -LiteralPath $std).Hash
        $resource = New-DscInstance FipsBinary @{ Path = $std }
        $failure = { $resource.Set() } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -BeExactly 'DscSetNotPossible' -Because 'a class method throws the record as it is made'
        $failure.Exception.Message | Should -BeLike "*only audits*$std*Standard*"
        $failure.CategoryInfo.Category | Should -Be 'NotImplemented'
        (Get-FileHash -LiteralPath $std).Hash | Should -Be $hash
    }
}

Describe 'FipsCluster' {
    BeforeAll {
        @(
            [FipsCluster.FipsClusterRecord]@{ Name = 'prod'; Provider = 'Swarm'; Fips = $true; ComplianceProfile = 'FIPS-140-3' }
            [FipsCluster.FipsClusterRecord]@{ Name = 'lab'; Provider = 'Swarm'; Fips = $false; ComplianceProfile = 'FIPS-140-2' }
        ) | Add-TestClusterRecord -StorePath $env:FIPSCLUSTER_HOME
        $script:deadEngine = 'unix:///nonexistent/fipscluster-test/docker.sock'
    }

    It 'a record with the desired FIPS mode and profile: Test is true, Get reports it' {
        $resource = New-DscInstance FipsCluster @{ Name = 'prod'; FipsMode = 'Enabled'; ComplianceProfile = 'FIPS-140-3' }
        $resource.Test() | Should -BeTrue
        $state = $resource.Get()
        $state.Exists | Should -BeTrue
        $state.FipsMode | Should -Be 'Enabled'
        $state.ComplianceProfile | Should -Be 'FIPS-140-3'
        $state.Provider | Should -Be 'Swarm'
        $state.Reasons | Should -BeNullOrEmpty
    }

    It 'a record with another FIPS mode: Test is false with a FipsMode reason; Set fails with FipsModeImmutable and the record stays' {
        $resource = New-DscInstance FipsCluster @{ Name = 'lab'; FipsMode = 'Enabled' }
        $resource.Test() | Should -BeFalse
        $resource.Get().Reasons.Code | Should -Be 'FipsCluster:FipsCluster:FipsMode'
        { $resource.Set() } | Should -Throw -ErrorId 'FipsModeImmutable,FipsCluster.Commands.SetFipsClusterCommand'
        (Get-FipsCluster -Name lab).Fips | Should -BeFalse
    }

    It 'a record with another profile: Test is false; Set fails with FipsModeImmutable' {
        $resource = New-DscInstance FipsCluster @{ Name = 'prod'; FipsMode = 'Enabled'; ComplianceProfile = 'FIPS-140-2' }
        $resource.Test() | Should -BeFalse
        $resource.Get().Reasons.Code | Should -Be 'FipsCluster:FipsCluster:ComplianceProfile'
        { $resource.Set() } | Should -Throw -ErrorId 'FipsModeImmutable,FipsCluster.Commands.SetFipsClusterCommand'
        (Get-FipsCluster -Name prod).ComplianceProfile | Should -Be 'FIPS-140-3'
    }

    It 'no record: Test is false with FipsClusterNotFound; Set creates it with New-FipsCluster on DockerHost' {
        $resource = New-DscInstance FipsCluster @{ Name = 'fresh'; FipsMode = 'Disabled'; DockerHost = $script:deadEngine }
        $resource.Test() | Should -BeFalse
        $state = $resource.Get()
        $state.Exists | Should -BeFalse
        $state.FipsMode | Should -Be ''
        $state.Reasons.Code | Should -Be 'FipsCluster:FipsCluster:FipsClusterNotFound'
        # New-FipsCluster goes to the engine DockerHost names (here one that is not there: the real creation is
        # FipsClusterResourceTests' in the xunit suite, against a real dockerd).
        { $resource.Set() } | Should -Throw -ErrorId 'DockerEngineUnreachable,FipsCluster.Commands.NewFipsClusterCommand'
        Get-FipsCluster -Name fresh -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'a record edited on disk is never replaced: Get gives the tamper reason, Set fails with it' {
        [FipsCluster.FipsClusterRecord]@{ Name = 'edited'; Provider = 'Swarm'; Fips = $true; ComplianceProfile = 'FIPS-140-3' } |
            Add-TestClusterRecord -StorePath $env:FIPSCLUSTER_HOME
        $path = Join-Path $env:FIPSCLUSTER_HOME 'clusters/edited/cluster.json'
        (Get-Content -Raw $path) -replace '"fips": true', '"fips": false' | Set-Content -NoNewline $path
        $resource = New-DscInstance FipsCluster @{ Name = 'edited'; FipsMode = 'Disabled'; DockerHost = $script:deadEngine }
        $resource.Get().Reasons.Code | Should -Be 'FipsCluster:FipsCluster:FipsClusterRecordTampered'
        $resource.Test() | Should -BeFalse
        { $resource.Set() } | Should -Throw -ErrorId 'FipsClusterRecordTampered,FipsCluster.Commands.GetFipsClusterCommand'
    }
}

Describe 'The examples of about_FipsCluster_DSC' {
    BeforeAll {
        $topic = Get-Content -Raw (Join-Path (Split-Path $script:manifestPath) 'en-US/about_FipsCluster_DSC.help.txt')
        # An example's code as a user copies it: the lines from '#region <Name>' to '#endregion', unindented.
        function Get-ExampleCode([string] $Name) {
            $match = [regex]::Match($topic, "(?ms)^( +)#region $Name\r?\n.*?^\1#endregion")
            if (-not $match.Success) { throw "about_FipsCluster_DSC has no '#region $Name' example" }
            $indent = $match.Groups[1].Value.Length
            ($match.Value -split '\r?\n' | ForEach-Object { if ($_.Length -ge $indent) { $_.Substring($indent) } else { $_.TrimStart() } }) -join "`n"
        }
        $script:runbook = Join-Path $TestDrive 'Enable-FipsImage.ps1'
        Set-Content -LiteralPath $script:runbook -Value (Get-ExampleCode 'Runbook')
        $script:configuration = Get-ExampleCode 'Configuration'
        $script:exampleModules = New-ModuleHome (Join-Path $TestDrive 'example-modules')

        # The runbook as Azure Automation starts one: a fresh pwsh, the module found by name, the parameters given.
        function Invoke-Runbook([string] $ImageRoot) {
            $run = Invoke-ChildPwsh -Script "& '$($script:runbook)' -ImageRoot '$ImageRoot'" -Environment @{ PSModulePath = $script:exampleModules }
            $json = $run.Output -split '\r?\n' | Where-Object { $_.StartsWith('{') } | Select-Object -Last 1
            [pscustomobject]@{ ExitCode = $run.ExitCode; Errors = $run.Errors; Output = $run.Output; Result = if ($json) { $json | ConvertFrom-Json } }
        }
    }

    It 'Example 1, the runbook, makes a non-FIPS RHEL 9 image FIPS and reports what it changed' {
        $image = Copy-Image 'rhel9-image-nonfips'
        $run = Invoke-Runbook $image
        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
        $run.Result.Image | Should -Be $image
        $run.Result.Failed | Should -Contain 'LNX-FIPS-08'
        $run.Result.Changed | Should -Contain '/etc/crypto-policies/config'
        $run.Result.Compliant | Should -BeTrue
        (Test-FipsNode -LiteralPath $image).Compliant | Should -BeTrue
        $run.Output | Should -Match 'At first boot: '

        $again = Invoke-Runbook $image
        $again.ExitCode | Should -Be 0
        $again.Result.Failed | Should -BeNullOrEmpty
        $again.Result.Changed | Should -BeNullOrEmpty
        $again.Result.Compliant | Should -BeTrue
    }

    It 'Example 1, the runbook, fails the job on an image it cannot make FIPS (Debian)' {
        $image = Copy-Image 'debian12'
        $run = Invoke-Runbook $image
        $run.ExitCode | Should -Not -Be 0
        $run.Errors | Should -Match 'FipsModeUnsupported|Debian'
        $run.Result | Should -BeNullOrEmpty
    }

    It 'Example 2, the configuration: each resource block applied in order as an engine does (Test, Set, Test)' {
        # The Configuration keyword needs PSDesiredStateConfiguration, which cannot be installed here. Each resource block
        # is turned into the properties its compiler would record (its body evaluated in the configuration's scope, with
        # the configuration's parameters), and the resources are applied in order as Invoke-DscResource does.
        $image = Copy-Image 'rhel9-image-nonfips'
        $tools = Join-Path $image 'usr/local/bin'
        $null = New-Item -ItemType Directory -Force $tools
        Copy-Item (Join-Path $script:bin 'boring') $tools

        $blocks = [Collections.Generic.List[object]]::new()
        $record = {
            param([string] $Type, [string] $Name, [scriptblock] $Body)
            $properties = & ([scriptblock]::Create("@{`n$Body`n}"))
            $blocks.Add([pscustomobject]@{ Type = $Type; Name = $Name; Properties = $properties })
        }
        function FipsNode([string] $Name, [scriptblock] $Body) { & $record 'FipsNode' $Name $Body }
        function FipsBinary([string] $Name, [scriptblock] $Body) { & $record 'FipsBinary' $Name $Body }
        function FipsCluster([string] $Name, [scriptblock] $Body) { & $record 'FipsCluster' $Name $Body }
        $definition = $script:configuration -replace '(?m)^Configuration (\w+) \{', 'function $1 {' `
            -replace '(?m)^\s*Import-DscResource -ModuleName FipsCluster\s*$', '' -replace '(?m)^(\s*)Node \S+ \{', '$1& {'
        . ([scriptblock]::Create($definition))
        FipsImage -ImageRoot $image -BinaryFolder $tools

        @($blocks.Type) | Should -Be @('FipsNode', 'FipsBinary')
        $blocks[1].Properties.DependsOn | Should -Be '[FipsNode]Image'
        $applied = foreach ($block in $blocks) {
            $settings = $block.Properties.Clone()
            $settings.Remove('DependsOn')
            $instance = New-DscInstance $block.Type $settings
            $before = $instance.Test()
            if (-not $before) { $instance.Set() }
            [pscustomobject]@{ Resource = "[$($block.Type)]$($block.Name)"; Before = $before; After = $instance.Test() }
        }
        $applied[0].Resource | Should -Be '[FipsNode]Image'
        $applied[0].Before | Should -BeFalse
        $applied[0].After | Should -BeTrue
        $applied[1].Resource | Should -Be '[FipsBinary]Tools'
        $applied[1].Before | Should -BeTrue
        $applied[1].After | Should -BeTrue
    }
}
