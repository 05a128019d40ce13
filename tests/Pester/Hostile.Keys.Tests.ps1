#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 13, finding 9, as it was proved: a key of the service's user (daemon), group-readable (0640), converted by
# root with ConvertTo-FipsPrivateKey became 0600 root (the service lost access) and the plaintext original stayed as
# .bak. Linux and root, as `dotnet test` runs this folder (CI=true makes a missing condition a failure).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:why = if (-not $IsLinux) { 'owner and group are kept on Linux' }
        elseif ((id -u) -ne '0') { 'giving a key to daemon needs root' }
    if ($script:why -and $env:CI -eq 'true') { throw "CI=true: $script:why" }

    $script:passphrase = ConvertTo-SecureString 'hostile-keys passphrase 7' -AsPlainText -Force
    function New-DaemonKey([string] $Name) {
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $dir
        chmod 755 $dir
        $path = Join-Path $dir $Name
        Set-Content -Path $path -Value ([System.Security.Cryptography.RSA]::Create(2048).ExportRSAPrivateKeyPem()) -NoNewline
        chown daemon:daemon $path
        chmod 640 $path
        $path
    }
    function Get-Owner([string] $Path) { (stat -c '%U %G %a' $Path) }
    # What the service, running as daemon, can read of the key.
    function Read-AsDaemon([string] $Path) { (setpriv --reuid=daemon --regid=daemon --clear-groups cat $Path) -join "`n" }
}

Describe 'ConvertTo-FipsPrivateKey on a key that belongs to a service' {
    BeforeEach {
        if ($script:why) { Set-ItResult -Skipped -Because $script:why }
    }

    It 'keeps daemon:daemon 0640, the service can still read it, and no plaintext copy is left' {
        $key = New-DaemonKey 'service.key'
        Get-Owner $key | Should -Be 'daemon daemon 640'
        $result = ConvertTo-FipsPrivateKey -Path $key -NewPassphrase $script:passphrase -Iterations 1000 -Confirm:$false -WarningVariable warnings
        Get-Owner $key | Should -Be 'daemon daemon 640'
        Read-AsDaemon $key | Should -Match 'BEGIN ENCRYPTED PRIVATE KEY'
        $result.BackupPath | Should -BeNullOrEmpty
        @(Get-ChildItem -Path (Split-Path $key) -Force).Name | Should -Be @('service.key')
        $warnings | Should -BeNullOrEmpty
        ($result.Report.Checks | Where-Object CheckId -eq 'KEY-03').Status | Should -Be 'Warning'
    }

    It 'keeps the original with -Backup as it was: daemon:daemon 0640, the same bytes' {
        $key = New-DaemonKey 'backed-up.key'
        $before = Get-FileHash -Path $key
        $result = ConvertTo-FipsPrivateKey -Path $key -NewPassphrase $script:passphrase -Iterations 1000 -Backup -Confirm:$false
        $result.BackupPath | Should -Be "$key.bak"
        Get-Owner $result.BackupPath | Should -Be 'daemon daemon 640'
        (Get-FileHash -Path $result.BackupPath).Hash | Should -Be $before.Hash
        Get-Owner $key | Should -Be 'daemon daemon 640'
    }

    It 'refuses a key with another hard link (the other name would keep the plaintext) unless -Force' {
        $key = New-DaemonKey 'linked.key'
        $other = Join-Path (Split-Path $key) 'other.key'
        ln $key $other
        $before = Get-FileHash -Path $key
        { ConvertTo-FipsPrivateKey -Path $key -NewPassphrase $script:passphrase -Iterations 1000 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'PrivateKeyHardLinked,FipsCluster.Commands.ConvertToFipsPrivateKeyCommand'
        (Get-FileHash -Path $key).Hash | Should -Be $before.Hash
        $null = ConvertTo-FipsPrivateKey -Path $key -NewPassphrase $script:passphrase -Iterations 1000 -Force -Confirm:$false -WarningVariable warnings 3>$null
        Get-Content -Path $key -Raw | Should -Match 'BEGIN ENCRYPTED PRIVATE KEY'
        (Get-FileHash -Path $other).Hash | Should -Be $before.Hash
        $warnings | Should -Match 'other name'
    }
}
