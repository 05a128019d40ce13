# Helpers shared by the Pester files: starting a second pwsh like the one running the tests, and cluster records
# for tests that have no Docker engine or EC2 to create them.
# Import in BeforeAll: Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

function Get-ChildPwshCommand {
    <#
    .SYNOPSIS
        The program and leading arguments that start another pwsh of this version. When pwsh runs as a dotnet tool
        the process is dotnet itself ((Get-Process -Id $PID).Path is dotnet), so pwsh.dll must be named.
    #>
    $processPath = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return , @($processPath, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return , @(Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh'))
}

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS
        Runs a script in a fresh `pwsh -NoProfile -NonInteractive` and returns ExitCode, Output and Errors (text).
    .PARAMETER Environment
        Variables to set (a $null value removes one) on top of this process's environment.
    #>
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = [IO.Path]::GetTempPath(),
        [int] $TimeoutSeconds = 120
    )
    $command = Get-ChildPwshCommand
    $start = [Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Script)) {
        $start.ArgumentList.Add($argument)
    }
    $start.WorkingDirectory = $WorkingDirectory
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { [void]$start.Environment.Remove($name) }
        else { $start.Environment[$name] = [string]$Environment[$name] }
    }
    $process = [Diagnostics.Process]::Start($start)
    try {
        $output = $process.StandardOutput.ReadToEndAsync()
        $errors = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "pwsh did not finish within $TimeoutSeconds s: $Script"
        }
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = $output.GetAwaiter().GetResult()
            Errors   = $errors.GetAwaiter().GetResult()
        }
    }
    finally {
        $process.Dispose()
    }
}

function New-EmptyModuleHome {
    <#
    .SYNOPSIS
        A user profile with no modules: the environment that makes a child pwsh (and PSResourceGet) use $Path as
        HOME, so it sees neither this user's modules nor the repository's out/ folder.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $null = New-Item -ItemType Directory -Force -Path $Path
    $data = Join-Path $Path '.local/share'
    @{
        HOME                        = $Path
        XDG_DATA_HOME               = $data
        XDG_CONFIG_HOME             = Join-Path $Path '.config'
        XDG_CACHE_HOME              = Join-Path $Path '.cache'
        PSModulePath                = Join-Path $data 'powershell/Modules'
        POWERSHELL_TELEMETRY_OPTOUT = '1'
        POWERSHELL_UPDATECHECK      = 'Off'
    }
}

function Add-TestClusterRecord {
    <#
    .SYNOPSIS
        Writes a cluster record (FipsCluster.FipsClusterRecord) into the store at $StorePath, MAC and all, through the
        module's own store. Needs the FipsCluster module imported; its engine lives in the module's private load
        context, hence reflection.
    #>
    param(
        [Parameter(Mandatory)] [string] $StorePath,
        [Parameter(Mandatory, ValueFromPipeline)] [object] $Record
    )
    begin {
        $null = Get-FipsClusterDependency # the engine's load context exists after the module's first call
        $context = [Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'FipsCluster'
        $core = $context.LoadFromAssemblyName([Reflection.AssemblyName]'FipsCluster.Core')
        $storeType = $core.GetType('FipsCluster.Core.Clusters.FileClusterStore', $true)
        $store = [Activator]::CreateInstance($storeType, [object[]]@($StorePath, $null))
    }
    process {
        $store.Create($Record)
    }
}

Export-ModuleMember -Function Get-ChildPwshCommand, Invoke-ChildPwsh, New-EmptyModuleHome, Add-TestClusterRecord
