#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The cmdlet surface as one vocabulary: a parameter name means one thing, with one type, on every cmdlet that has it,
# and no switch is on unless the user says so. Read from what PowerShell itself reports (Get-Command, including the
# dynamic parameters the shared SSH and AWS blocks add), so a cmdlet cannot drift from the table without failing here.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    # Every parameter of every exported cmdlet, with its element type (string[] and string are one vocabulary entry).
    $script:parameters = foreach ($command in Get-Command -Module FipsCluster -CommandType Cmdlet) {
        foreach ($parameter in $command.Parameters.Values | Where-Object Name -notin $script:common) {
            $type = $parameter.ParameterType
            [pscustomobject]@{
                Cmdlet  = $command.Name
                Name    = $parameter.Name
                Type    = if ($type.IsArray) { $type.GetElementType().FullName } else { $type.FullName }
                Aliases = @($parameter.Aliases)
                Dynamic = $parameter.IsDynamic
            }
        }
    }

    # The shared vocabulary: name -> the one type it has wherever it appears.
    $script:vocabulary = @{
        # SSH login (one block)
        SshCredential     = 'System.Management.Automation.PSCredential'
        UserName          = 'System.String'
        KeyFilePath       = 'System.String'
        KeyPassphrase     = 'System.Security.SecureString'
        KnownHostsPath    = 'System.String'
        HostKeyPolicy     = 'FipsCluster.HostKeyPolicy'
        SshPort           = 'System.Int32'
        # AWS account (one block)
        AwsCredential     = 'System.Management.Automation.PSCredential'
        AccessKey         = 'System.String'
        SecretKey         = 'System.Security.SecureString'
        SessionToken      = 'System.Security.SecureString'
        ProfileName       = 'System.String'
        Region            = 'System.String'
        EndpointUrl       = 'System.String'
        UseFipsEndpoint   = 'System.Management.Automation.SwitchParameter'
        # The rest of the shared names
        ComplianceProfile = 'FipsCluster.ComplianceProfile'
        Role              = 'FipsCluster.SwarmNodeRole'
        ClusterName       = 'System.String'
        Name              = 'System.String'
        ComputerName      = 'System.String'
        Kubeconfig        = 'System.String'
        Context           = 'System.String'
        Path              = 'System.String'
        LiteralPath       = 'System.String'
        ThrottleLimit     = 'System.Int32'
        TimeoutSeconds    = 'System.Int32'
        Force             = 'System.Management.Automation.SwitchParameter'
        PassThru          = 'System.Management.Automation.SwitchParameter'
        Quiet             = 'System.Management.Automation.SwitchParameter'
    }

    # Names retired because they meant two things or broke a convention; none may come back.
    $script:retired = @{
        Credential       = 'meant an SSH login on some cmdlets and AWS keys on others: -SshCredential or -AwsCredential'
        Profile          = 'is -ComplianceProfile (and prefix-collides with -ProfileName, the AWS profile)'
        Port             = 'on an SSH cmdlet is -SshPort'
        BootstrapTimeout = 'timeouts are int seconds: -BootstrapTimeoutSeconds'
        Fips             = 'on a cluster is -FipsMode Enabled|Disabled (a switch that defaults to on can only be turned off with -Fips:$false)'
    }
    # Where a retired name keeps a meaning of its own: the TLS port of an endpoint; New-SwarmJoinToken -Fips mints a FIPS token (off unless given).
    $script:retiredExceptions = 'Test-FipsTlsEndpoint -Port', 'New-SwarmJoinToken -Fips'
    # PowerShell's convention: -InputObject is each cmdlet's own pipeline input, typed by what that cmdlet takes.
    $script:perCmdletTypes = @('InputObject')
}

Describe 'The parameter vocabulary' {
    It 'gives every parameter name one type on every cmdlet' {
        $conflicts = $script:parameters | Where-Object Name -notin $script:perCmdletTypes | Group-Object Name | Where-Object { @($_.Group.Type | Sort-Object -Unique).Count -gt 1 } |
            ForEach-Object { "$($_.Name): " + (($_.Group | ForEach-Object { "$($_.Cmdlet) $($_.Type)" }) -join '; ') }
        $conflicts | Should -BeNullOrEmpty
    }

    It 'gives each shared name the type the table says' {
        $wrong = $script:parameters | Where-Object { $script:vocabulary.ContainsKey($_.Name) -and $script:vocabulary[$_.Name] -ne $_.Type } |
            ForEach-Object { "$($_.Cmdlet) -$($_.Name) is $($_.Type), not $($script:vocabulary[$_.Name])" }
        $wrong | Should -BeNullOrEmpty
    }

    It 'uses no retired name' {
        $found = $script:parameters | Where-Object { $script:retired.ContainsKey($_.Name) -and "$($_.Cmdlet) -$($_.Name)" -notin $script:retiredExceptions } |
            ForEach-Object { "$($_.Cmdlet) -$($_.Name): $($script:retired[$_.Name])" }
        $found | Should -BeNullOrEmpty
    }

    It 'has no alias that is another cmdlet''s parameter of another type' {
        $byName = @{}
        $script:parameters | ForEach-Object { $byName[$_.Name] = $_.Type }
        $clashes = foreach ($p in $script:parameters) {
            foreach ($alias in $p.Aliases) {
                if ($byName.ContainsKey($alias) -and $byName[$alias] -ne $p.Type) { "$($p.Cmdlet) -$($p.Name) alias $alias is $($p.Type); -$alias elsewhere is $($byName[$alias])" }
            }
        }
        $clashes | Should -BeNullOrEmpty
    }

    It 'has no TimeSpan parameter (timeouts are int seconds)' {
        $script:parameters | Where-Object Type -eq 'System.TimeSpan' | ForEach-Object { "$($_.Cmdlet) -$($_.Name)" } | Should -BeNullOrEmpty
    }

    It 'declares the SSH and AWS parameters once, in their blocks' {
        $blockNames = 'SshCredential', 'UserName', 'KeyFilePath', 'KeyPassphrase', 'KnownHostsPath', 'HostKeyPolicy', 'SshPort',
            'AwsCredential', 'AccessKey', 'SecretKey', 'SessionToken', 'ProfileName', 'Region', 'EndpointUrl', 'UseFipsEndpoint'
        $script:parameters | Where-Object { $_.Name -in $blockNames -and -not $_.Dynamic } | ForEach-Object { "$($_.Cmdlet) -$($_.Name) is declared on the cmdlet" } |
            Should -BeNullOrEmpty
        $ssh = $script:parameters | Where-Object Name -eq 'SshPort' | ForEach-Object Cmdlet
        $ssh | Should -Contain 'Test-FipsNode'
    }
}

Describe 'Switches' {
    It 'are all off until the user gives them (no default-true switch)' {
        $on = foreach ($command in Get-Command -Module FipsCluster -CommandType Cmdlet) {
            $instance = [Activator]::CreateInstance($command.ImplementingType)
            foreach ($property in $command.ImplementingType.GetProperties() | Where-Object PropertyType -eq ([System.Management.Automation.SwitchParameter])) {
                if ($property.GetValue($instance).IsPresent) { "$($command.Name) -$($property.Name)" }
            }
        }
        $blocks = [FipsCluster.Infrastructure.ParameterBlocks.ParameterBlock].Assembly.GetTypes() |
            Where-Object { $_.IsSubclassOf([FipsCluster.Infrastructure.ParameterBlocks.ParameterBlock]) -and -not $_.IsAbstract }
        $blocks | Should -Not -BeNullOrEmpty
        $on += foreach ($block in $blocks) {
            $instance = [Activator]::CreateInstance($block)
            foreach ($property in $block.GetProperties() | Where-Object PropertyType -eq ([System.Management.Automation.SwitchParameter])) {
                if ($property.GetValue($instance).IsPresent) { "$($block.Name) -$($property.Name)" }
            }
        }
        $on | Should -BeNullOrEmpty
    }
}

Describe 'Login parameters given two ways' {
    It 'refuses -SshCredential with a key login, naming SshLoginConflict' {
        $credential = [pscredential]::new('ops', (ConvertTo-SecureString 'not-used' -AsPlainText -Force))
        { Test-FipsNode -ComputerName 192.0.2.1 -SshCredential $credential -KeyFilePath /nonexistent -ErrorAction Stop } |
            Should -Throw -ErrorId 'SshLoginConflict,FipsCluster.Commands.TestFipsNodeCommand'
    }

    It 'refuses an SSH parameter where no SSH node is tested' {
        { Test-FipsNode -Root $TestDrive -SshPort 2222 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterNotInParameterSet,FipsCluster.Commands.TestFipsNodeCommand'
    }
}
