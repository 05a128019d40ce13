#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Test-FipsBinary, Test-FipsCertificate, Test-FipsPrivateKey and ConvertTo-FipsPrivateKey without network, on
# material made in $TestDrive (certificates with .NET's CertificateRequest, keys with .NET's exporters).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force

    function New-SelfSignedPem([System.Security.Cryptography.HashAlgorithmName] $Hash, [int] $RsaBits, [string] $Subject = 'CN=test') {
        $rsa = [System.Security.Cryptography.RSA]::Create($RsaBits)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $rsa, $Hash, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(365))
    }
}

Describe 'Test-FipsCertificate' {
    It 'passes an RSA 2048 SHA-256 certificate from the pipeline' {
        $report = New-SelfSignedPem -Hash SHA256 -RsaBits 2048 | Test-FipsCertificate
        $report.KeyAlgorithm | Should -Be 'RSA'
        $report.KeySize | Should -Be 2048
        $report.Status | Should -Be 'Pass'
    }

    It 'fails an RSA 1024 certificate on CRT-01' {
        $report = New-SelfSignedPem -Hash SHA256 -RsaBits 1024 | Test-FipsCertificate
        ($report.Checks | Where-Object CheckId -eq 'CRT-01').Status | Should -Be 'Fail'
        $report.Status | Should -Be 'Fail'
    }

    It 'reads every certificate of a PEM bundle' {
        $pem = (New-SelfSignedPem -Hash SHA256 -RsaBits 2048).ExportCertificatePem() + "`n" + (New-SelfSignedPem -Hash SHA384 -RsaBits 3072).ExportCertificatePem()
        Set-Content -Path "$TestDrive/bundle.pem" -Value $pem
        $reports = Test-FipsCertificate -Path "$TestDrive/bundle.pem"
        $reports | Should -HaveCount 2
        $reports[1].Path | Should -Match 'bundle\.pem#2$'
    }

    It 'reads every certificate of a bundle piped as a path string, relative to the current location' {
        $pem = (New-SelfSignedPem -Hash SHA256 -RsaBits 2048).ExportCertificatePem() + "`n" + (New-SelfSignedPem -Hash SHA384 -RsaBits 3072).ExportCertificatePem()
        Set-Content -Path "$TestDrive/piped.pem" -Value $pem
        Push-Location $TestDrive
        try {
            $reports = 'piped.pem' | Test-FipsCertificate
        }
        finally {
            Pop-Location
        }
        $reports | Should -HaveCount 2
        $reports[1].Path | Should -Match 'piped\.pem#2$'
    }

    It 'fails a swarm worker certificate without the FIPS. marker when FIPS is expected' {
        $report = New-SelfSignedPem -Hash SHA256 -RsaBits 2048 -Subject 'CN=node1, OU=swarm-worker, O=abc123cluster' | Test-FipsCertificate -ExpectFips
        $report.SwarmRole | Should -Be 'swarm-worker'
        $report.SwarmFips | Should -BeFalse
        $report.Status | Should -Be 'Fail'
    }
}

Describe 'Test-FipsPrivateKey and ConvertTo-FipsPrivateKey' {
    BeforeAll {
        $script:key = "$TestDrive/rsa.key"
        Set-Content -Path $script:key -Value ([System.Security.Cryptography.RSA]::Create(2048).ExportRSAPrivateKeyPem())
        if (-not $IsWindows) { chmod 600 $script:key }
        $script:pass = [securestring]::new()
        'Pester-Only-Passphrase-1'.ToCharArray() | ForEach-Object { $script:pass.AppendChar($_) }
    }

    It 'reports an unencrypted PKCS#1 key as Pkcs1 and prefers PKCS#8' {
        $report = Test-FipsPrivateKey -Path $script:key
        $report.Format | Should -Be 'Pkcs1'
        ($report.Checks | Where-Object CheckId -eq 'KEY-04').Status | Should -Be 'Warning'
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-FileHash $script:key
        ConvertTo-FipsPrivateKey -Path $script:key -NewPassphrase $script:pass -WhatIf
        (Get-FileHash $script:key).Hash | Should -Be $before.Hash
    }

    It 'rewrites it as PKCS#8 PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, keeping the original with -Backup' {
        $result = ConvertTo-FipsPrivateKey -Path $script:key -NewPassphrase $script:pass -Backup -Confirm:$false
        $result.Report.Format | Should -Be 'Pkcs8Encrypted'
        $result.Report.Prf | Should -Be 'HMAC-SHA256'
        $result.Report.Cipher | Should -Be 'AES-256-CBC'
        Test-Path $result.BackupPath | Should -BeTrue
        (Get-Content $script:key -Raw) | Should -Match 'BEGIN ENCRYPTED PRIVATE KEY'
    }

    It 'refuses to write an unencrypted key' {
        { ConvertTo-FipsPrivateKey -Path $script:key -ErrorAction Stop } | Should -Throw -ErrorId 'PrivateKeyPassphraseRequired,FipsCluster.Commands.ConvertToFipsPrivateKeyCommand'
    }
}

Describe 'Test-FipsBinary' {
    It 'reports a file that is not an executable as NotGo' {
        Set-Content -Path "$TestDrive/readme.txt" -Value 'not a program'
        (Test-FipsBinary -Path "$TestDrive/readme.txt").CryptoModule | Should -Be 'NotGo'
    }

    It 'gives BinaryNotFound for a missing path' {
        $null = Test-FipsBinary -Path "$TestDrive/missing" -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'BinaryNotFound,FipsCluster.Commands.TestFipsBinaryCommand'
    }
}
