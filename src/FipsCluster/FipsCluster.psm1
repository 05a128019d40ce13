# FipsCluster's root module: the cmdlets (FipsCluster.dll, imported here) and the DSC resources FipsNode, FipsBinary
# and FipsCluster for PSDesiredStateConfiguration 2.x, Azure Machine Configuration and Microsoft DSC v3's PowerShell
# adapter. The resources live here because the engines find class-based resources only by parsing a module's script
# root module (DSC v3 types them '<root module base name>/<class>': FipsCluster/FipsNode). Every resource method
# calls the cmdlets: the resources hold no FIPS knowledge of their own.

# The cmdlets. Imported by this file rather than listed as NestedModules: the DSC engines' class cache refuses a
# module with a binary nested module. The manifest's CmdletsToExport exports them. Only the engine's own cmdlets
# are used here (no Join-Path): hosts such as the SDK's default session state may have nothing else.
Import-Module -Name ([IO.Path]::Combine($PSScriptRoot, 'FipsCluster.dll'))

# One reason a resource is not in the desired state, as Azure Machine Configuration reads it: Code is
# '<resource>:<resource>:<id>' (a check id such as LNX-FIPS-01, or an error id), Phrase says why in words.
class FipsReason {
    [DscProperty()]
    [string] $Code

    [DscProperty()]
    [string] $Phrase

    FipsReason() {}

    FipsReason([string] $resource, [string] $id, [string] $phrase) {
        $this.Code = '{0}:{0}:{1}' -f $resource, $id
        $this.Phrase = $phrase
    }
}

# What the three resources share: reasons from a cmdlet's errors, and the refusal of a Set that cannot help.
class FipsResourceSupport {
    # An id of [FipsCluster.ErrorIds], looked up when called: a type literal would make the engines' parse of this
    # file fail where the module's assemblies are not loaded (DSC discovery parses it without importing).
    static [string] ErrorId([string] $name) {
        return ('FipsCluster.ErrorIds' -as [type])::$name
    }

    # The errors a cmdlet wrote (-ErrorVariable) as reasons, coded by their error id (the part before the comma).
    static [FipsReason[]] ReasonsFromErrors([string] $resource, [object[]] $errors) {
        $found = [Collections.Generic.List[FipsReason]]::new()
        foreach ($record in $errors) {
            if ($record -isnot [Management.Automation.ErrorRecord]) { continue }
            $id = "$($record.FullyQualifiedErrorId)".Split(',')[0]
            $found.Add([FipsReason]::new($resource, $id, $record.Exception.Message))
        }
        return $found.ToArray()
    }

    # A Set that cannot bring the desired state: a terminating error whose id scripts and engines can match on.
    static [Management.Automation.ErrorRecord] CannotSet([string] $message, [object] $target) {
        $exception = [InvalidOperationException]::new($message)
        return [Management.Automation.ErrorRecord]::new($exception, [FipsResourceSupport]::ErrorId('DscSetNotPossible'),
            [Management.Automation.ErrorCategory]::NotImplemented, $target)
    }
}

# The machine (Target 'localhost'), an SSH node (a host name) or an offline OS image (an absolute path to its root)
# runs in FIPS mode and complies with a compliance profile. Get and Test are Test-FipsNode's verdict; Set is
# Enable-FipsMode, and asks the engine for the reboot that FIPS mode needs on a running node.
[DscResource()]
class FipsNode {
    # 'localhost' (also '.' or empty): this machine; an absolute path: an image root; anything else: an SSH host.
    [DscProperty(Key)]
    [string] $Target

    # A built-in profile name (FIPS-140-3, FIPS-140-2) or a profile YAML file; empty: the module's default.
    [DscProperty()]
    [string] $ComplianceProfile

    # SSH login for a remote Target: the module's SSH parameters of the same names (defaults as in Test-FipsNode).
    [DscProperty()]
    [string] $UserName

    [DscProperty()]
    [string] $KeyFilePath

    [DscProperty()]
    [string] $KnownHostsPath

    [DscProperty()]
    [ValidateRange(0, 65535)]
    [int] $SshPort

    [DscProperty()]
    [ValidateSet('', 'Strict', 'AcceptNew')]
    [string] $HostKeyPolicy

    # The verdict: every required check of the profile passes.
    [DscProperty(NotConfigurable)]
    [bool] $Compliant

    # Compliant, NonCompliant, or Error (the target could not be examined).
    [DscProperty(NotConfigurable)]
    [string] $Status

    # Set changed a running node that must reboot to run in FIPS mode.
    [DscProperty(NotConfigurable)]
    [bool] $RebootRequired

    # Every failing check (Code FipsNode:FipsNode:<check id>) and every error that kept the target from being judged.
    [DscProperty(NotConfigurable)]
    [FipsReason[]] $Reasons

    [FipsNode] Get() {
        $parameters = $this.TargetParameters($true)
        if ($this.ComplianceProfile) { $parameters.ComplianceProfile = $this.ComplianceProfile }
        $problems = @()
        # One target, one report. (No Select-Object: the resources use only the engine's Core cmdlets.)
        $report = @(Test-FipsNode @parameters -ErrorAction SilentlyContinue -ErrorVariable problems)[0]

        $state = [FipsNode]::new()
        foreach ($property in 'Target', 'UserName', 'KeyFilePath', 'KnownHostsPath', 'SshPort', 'HostKeyPolicy') {
            $state.$property = $this.$property
        }
        $state.RebootRequired = $this.RebootRequired
        $found = [Collections.Generic.List[FipsReason]]::new()
        if ($null -eq $report) {
            $state.ComplianceProfile = $this.ComplianceProfile
            $state.Compliant = $false
            $state.Status = 'Error'
        }
        else {
            $state.ComplianceProfile = $report.Profile
            $state.Compliant = $report.Compliant
            $state.Status = "$($report.Status)"
            foreach ($check in $report.Findings) {
                $found.Add([FipsReason]::new('FipsNode', $check.CheckId, ('{0}: {1} (expected: {2})' -f $check.Title, $check.Actual, $check.Expected)))
            }
            if ($report.ErrorId -and $problems.Count -eq 0) {
                foreach ($text in $report.Errors) { $found.Add([FipsReason]::new('FipsNode', $report.ErrorId, $text)) }
            }
        }
        foreach ($reason in [FipsResourceSupport]::ReasonsFromErrors('FipsNode', $problems)) { $found.Add($reason) }
        $state.Reasons = $found.ToArray()
        return $state
    }

    [bool] Test() {
        return $this.Get().Compliant
    }

    [void] Set() {
        $parameters = $this.TargetParameters($false)
        if ($this.ComplianceProfile) { $parameters.ComplianceProfile = $this.ComplianceProfile }
        $change = @(Enable-FipsMode @parameters -Confirm:$false -ErrorAction Stop)[0]
        if ($change.RebootRequired) {
            $this.RebootRequired = $true
            # PSDesiredStateConfiguration 2.x and Machine Configuration reboot when a Set leaves this at 1.
            $global:DSCMachineStatus = 1
        }
    }

    # Test-FipsNode's (-ForTest) and Enable-FipsMode's target and login parameters for this Target.
    hidden [hashtable] TargetParameters([bool] $forTest) {
        $name = "$($this.Target)".Trim()
        if ($name -in '', '.', 'localhost') {
            return @{}
        }
        if ([IO.Path]::IsPathRooted($name)) {
            # Taken as written: an image folder may have '[' in its name.
            if ($forTest) { return @{ LiteralPath = $name } }
            return @{ Root = [Management.Automation.WildcardPattern]::Escape($name) }
        }
        $parameters = @{ ComputerName = $name }
        foreach ($login in 'UserName', 'KeyFilePath', 'KnownHostsPath', 'HostKeyPolicy') {
            if ($this.$login) { $parameters[$login] = $this.$login }
        }
        if ($this.SshPort -gt 0) { $parameters.SshPort = $this.SshPort }
        return $parameters
    }
}

# The files at Path (a Go binary, or a folder of them with Recurse) are FIPS builds, as Test-FipsBinary judges them.
# An audit: no resource can rebuild a binary, so Set refuses.
[DscResource()]
class FipsBinary {
    [DscProperty(Key)]
    [string] $Path

    # A folder: look into its subfolders too.
    [DscProperty()]
    [bool] $Recurse

    [DscProperty(NotConfigurable)]
    [bool] $Compliant

    # How many Go binaries were judged.
    [DscProperty(NotConfigurable)]
    [int] $BinaryCount

    # Every binary that is not a FIPS build (Code FipsBinary:FipsBinary:BIN-01) and every error (by its error id).
    [DscProperty(NotConfigurable)]
    [FipsReason[]] $Reasons

    [FipsBinary] Get() {
        $problems = @()
        $reports = @(Test-FipsBinary -LiteralPath $this.Path -Recurse:$this.Recurse -ErrorAction SilentlyContinue -ErrorVariable problems)
        $found = [Collections.Generic.List[FipsReason]]::new()
        $judged = 0
        foreach ($report in $reports) {
            if ("$($report.CryptoModule)" -eq 'NotGo') { continue }
            $judged++
            if ("$($report.Status)" -notin 'Pass', 'NotApplicable') {
                $found.Add([FipsReason]::new('FipsBinary', 'BIN-01', ('{0}: {1} ({2})' -f $report.Path, $report.CryptoModule, $report.Reason)))
            }
        }
        foreach ($reason in [FipsResourceSupport]::ReasonsFromErrors('FipsBinary', $problems)) { $found.Add($reason) }
        $state = [FipsBinary]::new()
        $state.Path = $this.Path
        $state.Recurse = $this.Recurse
        $state.BinaryCount = $judged
        $state.Reasons = $found.ToArray()
        $state.Compliant = $found.Count -eq 0
        return $state
    }

    [bool] Test() {
        return $this.Get().Compliant
    }

    [void] Set() {
        $found = @($this.Get().Reasons | ForEach-Object Phrase)
        throw [FipsResourceSupport]::CannotSet(("FipsBinary only audits: it cannot make '{0}' a FIPS build. Replace what is not one with a build that uses a FIPS 140 validated module (Go with GOFIPS140, BoringCrypto, or an OpenSSL-backed toolchain). {1}" -f $this.Path, ($found -join '; ')).Trim(), $this.Path)
    }
}

# A cluster record with this Name exists with this FIPS mode (and, when given, this compliance profile). Set creates
# a missing one with New-FipsCluster (Provider Swarm, on the Docker engine DockerHost names); a record that exists
# with another FIPS mode or profile is never changed: Set fails with FipsModeImmutable, as Set-FipsCluster does.
[DscResource()]
class FipsCluster {
    [DscProperty(Key)]
    [string] $Name

    # Enabled (the default) or Disabled; Get reports '' when there is no record.
    [DscProperty()]
    [ValidateSet('', 'Enabled', 'Disabled')]
    [string] $FipsMode = 'Enabled'

    # Empty: not part of the desired state (Set creates the cluster with the module's default profile).
    [DscProperty()]
    [string] $ComplianceProfile

    # Used by Set to create the cluster (New-FipsCluster's parameters of the same names).
    [DscProperty()]
    [string] $DockerHost

    [DscProperty()]
    [string] $ListenAddress

    [DscProperty()]
    [string] $AdvertiseAddress

    [DscProperty()]
    [string] $Description

    # Whether the record exists.
    [DscProperty(NotConfigurable)]
    [bool] $Exists

    [DscProperty(NotConfigurable)]
    [string] $Provider

    [DscProperty(NotConfigurable)]
    [FipsReason[]] $Reasons

    [FipsCluster] Get() {
        $problems = @()
        $record = @(Get-FipsCluster -Name ([Management.Automation.WildcardPattern]::Escape($this.Name)) -ErrorAction SilentlyContinue -ErrorVariable problems)[0]
        $state = [FipsCluster]::new()
        foreach ($property in 'Name', 'DockerHost', 'ListenAddress', 'AdvertiseAddress') { $state.$property = $this.$property }
        $found = [Collections.Generic.List[FipsReason]]::new()
        if ($null -eq $record) {
            $state.Exists = $false
            $state.FipsMode = ''
            $state.ComplianceProfile = ''
            $state.Description = ''
            $notFound = $problems | Where-Object { "$($_.FullyQualifiedErrorId)".StartsWith([FipsResourceSupport]::ErrorId('FipsClusterNotFound') + ',') }
            if ($problems.Count -eq 0 -or $notFound) {
                $found.Add([FipsReason]::new('FipsCluster', [FipsResourceSupport]::ErrorId('FipsClusterNotFound'), "There is no cluster record named '$($this.Name)'."))
            }
            foreach ($reason in [FipsResourceSupport]::ReasonsFromErrors('FipsCluster', @($problems | Where-Object { $_ -notin $notFound }))) { $found.Add($reason) }
        }
        else {
            $state.Exists = $true
            $state.FipsMode = [FipsCluster]::FipsModeOf($record)
            $state.ComplianceProfile = $record.ComplianceProfile
            $state.Description = $record.Description
            $state.Provider = "$($record.Provider)"
            if ($this.FipsMode -and $state.FipsMode -ne $this.FipsMode) {
                $found.Add([FipsReason]::new('FipsCluster', 'FipsMode', "The cluster '$($this.Name)' was created with FIPS mode $($state.FipsMode), not $($this.FipsMode); FIPS mode never changes once set."))
            }
            if ($this.ComplianceProfile -and $state.ComplianceProfile -ne $this.ComplianceProfile) {
                $found.Add([FipsReason]::new('FipsCluster', 'ComplianceProfile', "The cluster '$($this.Name)' is judged against $($state.ComplianceProfile), not $($this.ComplianceProfile); the profile is fixed at creation."))
            }
        }
        $state.Reasons = $found.ToArray()
        return $state
    }

    [bool] Test() {
        return $this.Get().Reasons.Count -eq 0
    }

    [void] Set() {
        $actual = $this.Get()
        if ($actual.Exists) {
            if ($actual.Reasons.Count -gt 0) {
                # Set-FipsCluster is where the rule lives: it refuses another FIPS mode or profile with FipsModeImmutable.
                $parameters = @{ Name = $this.Name; Confirm = $false; ErrorAction = 'Stop' }
                if ($this.FipsMode) { $parameters += [FipsCluster]::FipsModeParameter('Set-FipsCluster', $this.FipsMode) }
                if ($this.ComplianceProfile) { $parameters.ComplianceProfile = $this.ComplianceProfile }
                Set-FipsCluster @parameters
                throw [FipsResourceSupport]::CannotSet("The cluster '$($this.Name)' differs from the desired state and cannot be changed: $(@($actual.Reasons.Phrase) -join ' ')", $this.Name)
            }
            return
        }
        $unreadable = @($actual.Reasons | Where-Object Code -ne "FipsCluster:FipsCluster:$([FipsResourceSupport]::ErrorId('FipsClusterNotFound'))")
        if ($unreadable.Count -gt 0) {
            # A record that exists but cannot be read (tampered, unreadable store): never replaced.
            Get-FipsCluster -Name ([Management.Automation.WildcardPattern]::Escape($this.Name)) -ErrorAction Stop | Out-Null
        }
        $parameters = @{ Name = $this.Name; Provider = 'Swarm'; Confirm = $false; ErrorAction = 'Stop' }
        if ($this.FipsMode) { $parameters += [FipsCluster]::FipsModeParameter('New-FipsCluster', $this.FipsMode) }
        foreach ($property in 'ComplianceProfile', 'DockerHost', 'ListenAddress', 'AdvertiseAddress', 'Description') {
            if ($this.$property) { $parameters[$property] = $this.$property }
        }
        New-FipsCluster @parameters | Out-Null
    }

    # 'Enabled' or 'Disabled' from a record (FipsMode, or the Fips flag of records before the FipsMode enum).
    hidden static [string] FipsModeOf([object] $record) {
        if ($record.PSObject.Properties['FipsMode']) { return "$($record.FipsMode)" }
        if ($record.Fips) { return 'Enabled' }
        return 'Disabled'
    }

    # The cmdlet's FIPS mode parameter: -FipsMode Enabled|Disabled, or the -Fips switch of cmdlets before it.
    hidden static [hashtable] FipsModeParameter([string] $command, [string] $mode) {
        if ((Get-Command $command).Parameters.ContainsKey('FipsMode')) { return @{ FipsMode = $mode } }
        return @{ Fips = [switch]($mode -eq 'Enabled') }
    }
}
