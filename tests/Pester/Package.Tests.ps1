#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The package users install: out/FipsCluster.<version>.nupkg, made by `dotnet build FipsCluster.sln` (or
# ./build.ps1 -Task Package), installed by PSResourceGet into an empty module home in a fresh pwsh.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:manifest = Import-PowerShellDataFile (Join-Path $script:repoRoot 'FipsCluster.psd1')
    $script:version = $script:manifest.ModuleVersion
    $script:nupkg = Join-Path $script:repoRoot "out/FipsCluster.$($script:version).nupkg"
    if (-not (Test-Path $script:nupkg)) {
        throw "$($script:nupkg) is missing: run 'dotnet build FipsCluster.sln' (or ./build.ps1 -Task Package) first."
    }
    # A file repository holding only this package.
    $script:feed = Join-Path $TestDrive 'feed'
    $null = New-Item -ItemType Directory $script:feed
    Copy-Item $script:nupkg $script:feed
}

Describe 'FipsCluster.<version>.nupkg' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:nupkg)
        try {
            $script:entries = $zip.Entries.FullName
            $script:packedHashes = @{}
            foreach ($entry in $zip.Entries) {
                $stream = $entry.Open()
                $script:packedHashes[$entry.FullName] = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($stream))
                $stream.Dispose()
            }
            $reader = [IO.StreamReader]::new($zip.GetEntry('FipsCluster.nuspec').Open())
            $script:nuspec = ([xml]$reader.ReadToEnd()).package.metadata
            $reader.Dispose()
            $reader = [IO.StreamReader]::new($zip.GetEntry('FipsCluster.psd1').Open())
            $script:packedManifest = $reader.ReadToEnd()
            $reader.Dispose()
        }
        finally {
            $zip.Dispose()
        }
        $script:psData = $script:manifest.PrivateData.PSData
    }

    It 'holds exactly the staged module of this build' {
        $staged = Join-Path $script:repoRoot 'out/FipsCluster'
        $files = Get-ChildItem -Recurse -File $staged
        $files | Should -Not -BeNullOrEmpty
        foreach ($file in $files) {
            $name = [IO.Path]::GetRelativePath($staged, $file.FullName).Replace('\', '/')
            $script:packedHashes[$name] | Should -BeExactly (Get-FileHash -Algorithm SHA256 $file.FullName).Hash -Because "$name must be this build's (stale package? run 'dotnet build FipsCluster.sln')"
        }
        $script:entries | Where-Object { $_ -notmatch '^(_rels/|package/|\[Content_Types\]\.xml$|FipsCluster\.nuspec$)' } | Should -HaveCount $files.Count
    }

    It 'holds the module at its root, as Install-PSResource expects' {
        foreach ($file in 'FipsCluster.psd1', 'FipsCluster.psm1', 'FipsCluster.dll', 'FipsCluster.Models.dll', 'FipsCluster.Format.ps1xml',
            'FipsCluster.Types.ps1xml', 'LICENSE', 'en-US/FipsCluster.dll-Help.xml', 'dependencies/FipsCluster.Core.dll',
            'FipsCluster.FipsNode.dsc.resource.json', 'FipsCluster.FipsNode.dsc.ps1') {
            $script:entries | Should -Contain $file
        }
        $script:entries | Where-Object { $_ -like 'lib/*' -or $_ -like 'content/*' } | Should -BeNullOrEmpty
        $script:packedManifest | Should -BeExactly (Get-Content -Raw (Join-Path $script:repoRoot 'FipsCluster.psd1'))
    }

    It 'has a nuspec made from the manifest' {
        $script:nuspec.id | Should -BeExactly 'FipsCluster'
        $script:nuspec.version | Should -BeExactly $script:version
        $script:nuspec.authors | Should -BeExactly $script:manifest.Author
        $script:nuspec.description | Should -BeExactly $script:manifest.Description
        $script:nuspec.copyright | Should -BeExactly $script:manifest.Copyright
        $script:nuspec.licenseUrl | Should -BeExactly $script:psData.LicenseUri
        $script:nuspec.projectUrl | Should -BeExactly $script:psData.ProjectUri
        $script:nuspec.releaseNotes | Should -BeExactly ($script:psData.ReleaseNotes -replace "`r`n", "`n")
        $script:nuspec.dependencies | Should -BeNullOrEmpty
    }

    It 'carries the PowerShell Gallery tags, a PSCmdlet_ and PSCommand_ tag per exported cmdlet, a PSDscResource_ tag per DSC resource' {
        $tags = $script:nuspec.tags -split ' '
        foreach ($tag in @('PSModule', 'PSEdition_Core', 'PSIncludes_Cmdlet') + $script:psData.Tags) {
            $tags | Should -Contain $tag
        }
        foreach ($cmdlet in $script:manifest.CmdletsToExport) {
            $tags | Should -Contain "PSCmdlet_$cmdlet"
            $tags | Should -Contain "PSCommand_$cmdlet"
        }
        $script:manifest.DscResourcesToExport | Should -Not -BeNullOrEmpty
        $tags | Should -Contain 'PSIncludes_DscResource'
        foreach ($resource in $script:manifest.DscResourcesToExport) {
            $tags | Should -Contain "PSDscResource_$resource"
        }
        $tags | Group-Object | Where-Object Count -gt 1 | Should -BeNullOrEmpty
    }

    It 'has gallery metadata in the manifest and a LICENSE that agrees with it' {
        foreach ($tag in 'FIPS', 'Compliance', 'Kubernetes', 'DockerSwarm', 'AWS', 'Linux', 'Windows', 'PSEdition_Core') {
            $script:psData.Tags | Should -Contain $tag
        }
        $script:psData.ProjectUri | Should -Match '^https://'
        $script:psData.LicenseUri | Should -BeExactly "$($script:psData.ProjectUri)/blob/main/LICENSE"
        $script:psData.ReleaseNotes | Should -Match ([regex]::Escape($script:version))
        $license = Get-Content -Raw (Join-Path $script:repoRoot 'LICENSE')
        $license | Should -Match '^MIT License'
        $year = [regex]::Match($license, 'Copyright \(c\) (\d{4}) FipsCluster contributors').Groups[1].Value
        $year | Should -Not -BeNullOrEmpty
        $script:manifest.Copyright | Should -Match "^\(c\) $year FipsCluster contributors\. MIT License"
    }
}

Describe 'Install-PSResource FipsCluster into an empty module home under <Name>' -ForEach @(
    @{ Name = 'home' }
    @{ Name = 'a home with spaces' }
) {
    BeforeAll {
        $script:moduleHome = Join-Path $TestDrive $Name
        $environment = New-EmptyModuleHome -Path $script:moduleHome
        $script:modules = $environment.PSModulePath
        $resultFile = Join-Path $TestDrive "$Name.json"
        $environment.FIPSCLUSTER_TEST_FEED = $script:feed
        $environment.FIPSCLUSTER_TEST_RESULT = $resultFile
        # One fresh pwsh: install from the file repository, import by name, use the module.
        $script = @'
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$result = [ordered]@{ VisibleBefore = @(Get-Module -ListAvailable FipsCluster).Count }
Register-PSResourceRepository -Name FipsClusterTestFeed -Uri $env:FIPSCLUSTER_TEST_FEED -Trusted
Install-PSResource FipsCluster -Repository FipsClusterTestFeed -TrustRepository -Scope CurrentUser
$result.DscResources = @((Get-Module -ListAvailable FipsCluster).ExportedDscResources)
Import-Module FipsCluster
$module = Get-Module FipsCluster
$result.ModuleBase = $module.ModuleBase
$result.Version = $module.Version.ToString()
$reports = @(Test-FipsNode)
$result.Reports = $reports.Count
$result.ReportType = $reports[0].GetType().FullName
$result.ComputerName = $reports[0].ComputerName
$result.Checks = @($reports[0].Checks).Count
$help = Get-Help Test-FipsNode -Examples
$result.HelpFile = (Get-Command Test-FipsNode).HelpFile
$result.Examples = @($help.examples.example | Where-Object code).Count
$result.ExampleCode = @($help.examples.example.code)
$result | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath $env:FIPSCLUSTER_TEST_RESULT
'@
        $script:run = Invoke-ChildPwsh -Script $script -Environment $environment -WorkingDirectory $script:moduleHome
        $script:result = if (Test-Path -LiteralPath $resultFile) { Get-Content -Raw -LiteralPath $resultFile | ConvertFrom-Json }
    }

    It 'installs and imports by name in a fresh pwsh' {
        $script:run.Errors | Should -BeNullOrEmpty
        $script:run.ExitCode | Should -Be 0
        $script:result.VisibleBefore | Should -Be 0 -Because 'the child must see neither the user''s modules nor out/'
        $script:result.Version | Should -BeExactly $script:version
        $script:result.ModuleBase | Should -BeExactly (Join-Path $script:modules "FipsCluster/$($script:version)")
    }

    It 'exposes the DSC resources as Get-Module -ListAvailable reports them (what Get-DscResource reads)' {
        $script:result.DscResources | Should -Be @('FipsNode', 'FipsBinary', 'FipsCluster')
    }

    It 'runs Test-FipsNode: one report of the local machine' {
        $script:result.Reports | Should -Be 1
        $script:result.ReportType | Should -BeExactly 'FipsCluster.NodeComplianceReport'
        $script:result.ComputerName | Should -BeExactly ([Environment]::MachineName)
        $script:result.Checks | Should -BeGreaterThan 5
    }

    It 'finds the compiled help: Get-Help Test-FipsNode -Examples' {
        $script:result.HelpFile | Should -BeExactly (Join-Path $script:result.ModuleBase 'en-US/FipsCluster.dll-Help.xml')
        $script:result.Examples | Should -BeGreaterOrEqual 2
        $script:result.ExampleCode -join "`n" | Should -Match 'Test-FipsNode'
    }
}
