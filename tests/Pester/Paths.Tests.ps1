#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# -Path takes wildcards and -LiteralPath takes names as written, as the FileSystem provider's cmdlets do, on every
# cmdlet that reads or writes files. Names with '[' are the case that tells the two apart.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force

    $script:dir = Join-Path $TestDrive 'files'
    New-Item -ItemType Directory -Path $script:dir | Out-Null
    # Three non-Go files (each named explicitly gets a NotGo report) and one whose name holds a wildcard class.
    foreach ($name in 'a.bin', 'b.bin', 'c[1].bin', 'c1.bin') {
        [IO.File]::WriteAllText((Join-Path $script:dir $name), "not a go binary: $name`n")
    }

    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=paths', $key, 'SHA256')
    $cert = $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddMinutes(-1), [datetimeoffset]::UtcNow.AddDays(1))
    foreach ($name in 'ca.pem', 'ca[old].pem') {
        [IO.File]::WriteAllText((Join-Path $script:dir $name), $cert.ExportCertificatePem() + "`n")
    }
    foreach ($name in 'k.key', 'k[1].key') {
        $k = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        [IO.File]::WriteAllText((Join-Path $script:dir $name), $k.ExportPkcs8PrivateKeyPem() + "`n")
    }
    $script:passphrase = ConvertTo-SecureString 'paths-test-passphrase' -AsPlainText -Force

    $profileSource = Join-Path $PSScriptRoot '../../src/FipsCluster.Core/Compliance/Profiles/FIPS-140-3.yaml'
    foreach ($name in 'site.yaml', 'site[2].yaml') {
        Copy-Item -LiteralPath $profileSource -Destination (Join-Path $script:dir $name)
    }

    # Two image roots, one named with a wildcard class: a Debian 12 capture (no FIPS, but a full report).
    $fixture = Join-Path $PSScriptRoot '../FipsCluster.Core.Tests/Fixtures/Roots/debian12'
    $script:images = Join-Path $TestDrive 'images'
    New-Item -ItemType Directory -Path $script:images | Out-Null
    foreach ($name in 'img1', 'img[2]') {
        Copy-Item -LiteralPath $fixture -Destination (Join-Path $script:images $name) -Recurse
    }

    $script:spec = [FipsCluster.AwsClusterSpec]@{
        Name = 'paths'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = '1.33.1+fips.1'
        KubernetesImageRepository = 'docker.io/mesosphere'; EtcdVersion = '3.5.21+fips.1'; EtcdImageRepository = 'docker.io/mesosphere'
    }
}

Describe 'Test-FipsBinary -Path and -LiteralPath' {
    It 'expands a wildcard to every matching file' {
        $reports = Test-FipsBinary -Path (Join-Path $script:dir '*.bin')
        ($reports.Path | Split-Path -Leaf | Sort-Object) | Should -Be (@('a.bin', 'b.bin', 'c1.bin', 'c[1].bin') | Sort-Object)
    }

    It 'reads [1] in -Path as a character class, as Get-Item does' {
        $reports = Test-FipsBinary -Path (Join-Path $script:dir 'c[1].bin')
        $reports | Should -HaveCount 1
        $reports.Path | Split-Path -Leaf | Should -Be 'c1.bin'
    }

    It 'takes a name with [ as written with -LiteralPath' {
        $reports = Test-FipsBinary -LiteralPath (Join-Path $script:dir 'c[1].bin')
        $reports | Should -HaveCount 1
        $reports.Path | Split-Path -Leaf | Should -Be 'c[1].bin'
    }

    It 'takes an escaped [ in -Path literally' {
        $reports = Test-FipsBinary -Path (Join-Path $script:dir 'c`[1`].bin')
        $reports.Path | Split-Path -Leaf | Should -Be 'c[1].bin'
    }

    It 'binds piped files by PSPath, so a name with [ is never a wildcard' {
        $reports = Get-ChildItem -LiteralPath $script:dir -Filter 'c*.bin' | Test-FipsBinary
        ($reports.Path | Split-Path -Leaf | Sort-Object) | Should -Be (@('c1.bin', 'c[1].bin') | Sort-Object)
    }

    It 'resolves a relative wildcard against the current location' {
        Push-Location -LiteralPath $script:dir
        try {
            (Test-FipsBinary -Path './?.bin').Path | Split-Path -Leaf | Should -Be @('a.bin', 'b.bin')
        }
        finally { Pop-Location }
    }

    It 'reports a wildcard that matches nothing as BinaryNotFound, and -Quiet says false' {
        $r = Test-FipsBinary -Path (Join-Path $script:dir 'nothing*.bin') -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'BinaryNotFound,FipsCluster.Commands.TestFipsBinaryCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].Exception.Message | Should -Match 'no item matches'
        Test-FipsBinary -Path (Join-Path $script:dir 'nothing*.bin') -Quiet -ErrorAction SilentlyContinue | Should -BeFalse
    }

    It 'reports a literal path that does not exist as BinaryNotFound' {
        { Test-FipsBinary -LiteralPath (Join-Path $script:dir 'missing[1].bin') -ErrorAction Stop } |
            Should -Throw -ErrorId 'BinaryNotFound,FipsCluster.Commands.TestFipsBinaryCommand'
    }

    It 'refuses an item of another provider' {
        $r = Test-FipsBinary -Path 'Env:/PATH' -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'BinaryNotFound,FipsCluster.Commands.TestFipsBinaryCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'goes on with the next path after one that matches nothing' {
        $r = Test-FipsBinary -Path (Join-Path $script:dir 'none*'), (Join-Path $script:dir 'a.bin') -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -HaveCount 1
        $errs | Should -HaveCount 1
    }
}

Describe 'Test-FipsCertificate -Path and -LiteralPath' {
    It 'expands a wildcard' {
        (Test-FipsCertificate -Path (Join-Path $script:dir 'ca*.pem')) | Should -HaveCount 2
    }

    It 'takes a name with [ as written with -LiteralPath' {
        (Test-FipsCertificate -LiteralPath (Join-Path $script:dir 'ca[old].pem')).Subject | Should -Match 'CN=paths'
    }

    It 'reports [old] in -Path as a class that matches nothing, with CertificateFileNotFound' {
        { Test-FipsCertificate -Path (Join-Path $script:dir 'ca[old].pem') -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateFileNotFound,FipsCluster.Commands.TestFipsCertificateCommand'
    }

    It 'still takes certificate objects from the pipeline' {
        $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem([IO.File]::ReadAllText((Join-Path $script:dir 'ca.pem')))
        ($cert | Test-FipsCertificate).Subject | Should -Match 'CN=paths'
    }
}

Describe 'Test-FipsPrivateKey and ConvertTo-FipsPrivateKey -Path and -LiteralPath' {
    It 'expands a wildcard' {
        Test-FipsPrivateKey -Path (Join-Path $script:dir 'k*.key') | Should -HaveCount 2
    }

    It 'takes a name with [ as written with -LiteralPath' {
        (Test-FipsPrivateKey -LiteralPath (Join-Path $script:dir 'k[1].key')).Path | Split-Path -Leaf | Should -Be 'k[1].key'
    }

    It 'reports a wildcard that matches nothing as PrivateKeyFileNotFound' {
        { Test-FipsPrivateKey -Path (Join-Path $script:dir 'none*.key') -ErrorAction Stop } |
            Should -Throw -ErrorId 'PrivateKeyFileNotFound,FipsCluster.Commands.TestFipsPrivateKeyCommand'
    }

    It 'converts a key named with [ through -LiteralPath, and -WhatIf changes nothing' {
        $path = Join-Path $script:dir 'k[1].key'
        $before = [IO.File]::ReadAllText($path)
        ConvertTo-FipsPrivateKey -LiteralPath $path -NewPassphrase $script:passphrase -Iterations 1000 -WhatIf
        [IO.File]::ReadAllText($path) | Should -BeExactly $before
        $result = ConvertTo-FipsPrivateKey -LiteralPath $path -NewPassphrase $script:passphrase -Iterations 1000 -Confirm:$false
        $result | Should -HaveCount 1
        [IO.File]::ReadAllText($path) | Should -Match 'BEGIN ENCRYPTED PRIVATE KEY'
    }

    It 'reports a wildcard that matches nothing as PrivateKeyFileNotFound' {
        $r = ConvertTo-FipsPrivateKey -Path (Join-Path $script:dir 'none*.key') -NewPassphrase $script:passphrase -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'PrivateKeyFileNotFound,FipsCluster.Commands.ConvertToFipsPrivateKeyCommand'
    }
}

Describe 'Get-FipsComplianceProfile -Path and -LiteralPath' {
    It 'loads every profile a wildcard matches' {
        Get-FipsComplianceProfile -Path (Join-Path $script:dir 'site*.yaml') | Should -HaveCount 2
    }

    It 'loads a file named with [ through -LiteralPath and from Get-ChildItem' {
        Get-FipsComplianceProfile -LiteralPath (Join-Path $script:dir 'site[2].yaml') | Should -HaveCount 1
        Get-ChildItem -LiteralPath $script:dir -Filter 'site*.yaml' | Get-FipsComplianceProfile | Should -HaveCount 2
    }

    It 'reports a wildcard that matches nothing as ComplianceProfileNotFound' {
        { Get-FipsComplianceProfile -Path (Join-Path $script:dir 'none*.yaml') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ComplianceProfileNotFound,FipsCluster.Commands.GetFipsComplianceProfileCommand'
    }
}

Describe 'Export-FipsClusterManifest -Path and -LiteralPath' {
    It 'writes a new file named with [ through -LiteralPath' {
        $target = Join-Path $TestDrive 'capi[prod].yaml'
        $file = Export-FipsClusterManifest -InputObject $script:spec -LiteralPath $target -Confirm:$false
        $file.Name | Should -Be 'capi[prod].yaml'
        Test-Path -LiteralPath $target | Should -BeTrue
    }

    It 'overwrites the one existing file a wildcard matches' {
        $target = Join-Path $TestDrive 'one.yaml'
        Set-Content -LiteralPath $target -Value 'old'
        $file = Export-FipsClusterManifest -InputObject $script:spec -Path (Join-Path $TestDrive 'on?.yaml') -Confirm:$false
        $file.FullName | Should -Be $target
        Get-Content -LiteralPath $target -Raw | Should -Match 'kind: Cluster'
    }

    It 'refuses a wildcard that matches no file, writing nothing' {
        $r = Export-FipsClusterManifest -InputObject $script:spec -Path (Join-Path $TestDrive 'zz*.yaml') -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'ManifestWriteFailed,FipsCluster.Commands.ExportFipsClusterManifestCommand'
        Get-ChildItem -LiteralPath $TestDrive -Filter 'zz*' | Should -BeNullOrEmpty
    }
}

Describe 'Export-FipsComplianceReport -Path and -LiteralPath' {
    It 'writes a report file named with [ through -LiteralPath' {
        $target = Join-Path $TestDrive 'report[1].csv'
        $file = Test-FipsNode -LiteralPath (Join-Path $script:images 'img1') | Export-FipsComplianceReport -Format Csv -LiteralPath $target -PassThru -Confirm:$false
        $file.Name | Should -Be 'report[1].csv'
        (Import-Csv -LiteralPath $target).Count | Should -BeGreaterThan 0
    }

    It 'refuses a wildcard that matches two files' {
        Set-Content -LiteralPath (Join-Path $TestDrive 'r1.csv') -Value 'a'
        Set-Content -LiteralPath (Join-Path $TestDrive 'r2.csv') -Value 'b'
        { Test-FipsNode -LiteralPath (Join-Path $script:images 'img1') | Export-FipsComplianceReport -Format Csv -Path (Join-Path $TestDrive 'r?.csv') -Force -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ComplianceReportWriteFailed,FipsCluster.Commands.ExportFipsComplianceReportCommand'
        Get-Content -LiteralPath (Join-Path $TestDrive 'r1.csv') | Should -Be 'a'
    }
}

Describe 'Test-FipsNode -Root and -LiteralPath' {
    It 'tests every image root a wildcard matches' {
        $reports = Test-FipsNode -Root (Join-Path $script:images 'img*')
        $reports | Should -HaveCount 2
        $reports.Transport | Sort-Object -Unique | Should -Be 'Root'
    }

    It 'takes a root named with [ as written with -LiteralPath' {
        $reports = Test-FipsNode -LiteralPath (Join-Path $script:images 'img[2]')
        $reports | Should -HaveCount 1
        $reports.ComputerName | Should -Match 'img\[2\]'
    }

    It 'reports [2] in -Root as a class that matches nothing, with InvalidRootPath' {
        $r = Test-FipsNode -Root (Join-Path $script:images 'img[2]') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvalidRootPath,FipsCluster.Commands.TestFipsNodeCommand'
        $errs[0].Exception.Message | Should -Match 'LiteralPath'
        Test-FipsNode -Root (Join-Path $script:images 'img[2]') -Quiet -ErrorAction SilentlyContinue | Should -BeFalse
    }

    It 'binds piped folders to -LiteralPath' {
        Get-ChildItem -LiteralPath $script:images -Directory | Test-FipsNode | Should -HaveCount 2
    }
}
