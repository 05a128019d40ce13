#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, cleans or packages FipsCluster. A thin wrapper: everything here also works through dotnet.
.EXAMPLE
    ./build.ps1                  # dotnet build: stages the module at out/FipsCluster
.EXAMPLE
    ./build.ps1 -Task Test       # dotnet test FipsCluster.sln: xunit, and tests/Pester in real pwsh + Pester 5.9.1
.EXAMPLE
    ./build.ps1 -Task Package    # dotnet pack src/FipsCluster.Package -c Release: out/FipsCluster.<version>.nupkg
                                 # (Install-PSResource FipsCluster from a repository holding it)
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean', 'Package')]
    [string[]] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed ($LASTEXITCODE)" }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Dotnet build FipsCluster.sln -c $Configuration }
        'Clean' { Invoke-Dotnet clean FipsCluster.sln -c $Configuration; Remove-Item -Recurse -Force out -ErrorAction SilentlyContinue }
        # The xunit suites and every tests/Pester file under real pwsh 7.6.10 + Pester 5.9.1 (see PesterRunTests).
        'Test' { Invoke-Dotnet test FipsCluster.sln -c $Configuration }
        'Package' {
            # The packaging is MSBuild's (src/FipsCluster.Package); always Release, the build users install.
            Invoke-Dotnet pack src/FipsCluster.Package -c Release
            $version = (Import-PowerShellDataFile ./FipsCluster.psd1).ModuleVersion
            Get-Item (Join-Path $PSScriptRoot "out/FipsCluster.$version.nupkg")
        }
    }
}
