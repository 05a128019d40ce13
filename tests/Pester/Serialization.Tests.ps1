#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Every type an exported cmdlet declares in [OutputType] must survive what runbooks do with output:
# ConvertTo-Json -Depth 8 and Export-Clixml / Import-Clixml, without an exception and without a secret. The types
# come from the cmdlets by reflection, so a new output type without a sample here fails.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $outputTypes = (Get-Command -Module FipsCluster).OutputType.Type |
        Where-Object { $_ -ne [void] } | Sort-Object FullName -Unique |
        ForEach-Object { @{ TypeName = $_.FullName } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $work = Join-Path $TestDrive 'work'
    $null = New-Item -ItemType Directory $work

    # Known secrets, and every way a serializer could spell them.
    $script:knownToken = 'SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61'
    $script:populatedToken = 'SWMTKN-2-1-3ohs2fggkflxn2ub5rozfaxkz1v1cs2ct6wx3iyj4rd2kvyo6v-0c0q7uuxwwb6mcdv1ldrkjoqt'
    $script:passphrase = 'correct horse battery staple 7'
    $caKey = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $ca = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=swarm-ca, O=FIPS.serialization', $caKey, 'SHA256')
    $caPath = Join-Path $work 'ca.pem'
    Set-Content $caPath $ca.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(30)).ExportCertificatePem()
    $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $keyPem = $key.ExportPkcs8PrivateKeyPem()
    $plainKeyPath = Join-Path $work 'plain.key'
    Set-Content $plainKeyPath $keyPem
    $encryptedKeyPath = Join-Path $work 'encrypted.key'
    $pbe = [Security.Cryptography.PbeParameters]::new('Aes256Cbc', 'SHA256', 600000)
    Set-Content $encryptedKeyPath $key.ExportEncryptedPkcs8PrivateKeyPem($script:passphrase, $pbe)
    $securePassphrase = ConvertTo-SecureString $script:passphrase -AsPlainText -Force

    $generated = New-SwarmJoinToken -RootCertificate $caPath -Fips
    $generatedText = ConvertFrom-SecureString -AsPlainText $generated.Token
    $secretTexts = @(
        $script:knownToken, ($script:knownToken -split '-')[-1]
        $script:populatedToken, ($script:populatedToken -split '-')[-1]
        $generatedText, ($generatedText -split '-')[-1]
        $script:passphrase
    ) + @($keyPem -split "`n" | Where-Object { $_ -and $_ -notmatch '^-----' })
    $secretBytes = @(, $key.ExportParameters($true).D) + @(, $key.ExportPkcs8PrivateKey())
    # (Forms shorter than 16 characters, such as a PEM body's last line, would match by chance.)
    $script:secretForms = @(
        foreach ($text in $secretTexts) {
            $text
            foreach ($encoding in [Text.Encoding]::UTF8, [Text.Encoding]::Unicode) {
                $bytes = $encoding.GetBytes($text)
                [Convert]::ToHexString($bytes)
                [Convert]::ToBase64String($bytes)
            }
        }
        foreach ($bytes in $secretBytes) {
            [Convert]::ToHexString($bytes)
            [Convert]::ToBase64String($bytes)
        }
    ) | Where-Object Length -ge 16

    function Find-Secret([string] $Text) {
        $script:secretForms | Where-Object { $Text.IndexOf($_, [StringComparison]::OrdinalIgnoreCase) -ge 0 }
    }

    # A script-visible type with every property and constructor argument set to a non-default value, nested types
    # included, and the known token wherever a SecureString can hold a secret.
    function New-SampleValue([type] $Type, [string] $Name, [int] $Depth) {
        if ($Depth -gt 6) { return $null }
        $Type = [Nullable]::GetUnderlyingType($Type) ?? $Type
        if ($Type -eq [string]) { return "$Name-sample" }
        if ($Type -eq [bool]) { return $true }
        if ($Type -in [int], [long], [double]) { return $Type::Parse('7') }
        if ($Type -eq [DateTimeOffset]) { return [DateTimeOffset]::new(2026, 1, 2, 3, 4, 5, [TimeSpan]::Zero) }
        if ($Type -eq [TimeSpan]) { return [TimeSpan]::FromSeconds(42) }
        if ($Type -eq [version]) { return [version]'1.2.3.4' }
        if ($Type -eq [securestring]) { return ConvertTo-SecureString $script:populatedToken -AsPlainText -Force }
        if ($Type.IsEnum) { return [Enum]::GetValues($Type)[-1] }
        if ($Type.IsGenericType -and $Type.GetGenericArguments().Count -eq 2) {
            $arguments = $Type.GetGenericArguments()
            $dictionary = [Activator]::CreateInstance([Collections.Generic.Dictionary`2].MakeGenericType($arguments))
            $dictionary.Add((New-SampleValue $arguments[0] "$Name-key" $Depth), (New-SampleValue $arguments[1] "$Name-value" $Depth))
            return , $dictionary
        }
        $element = if ($Type.IsArray) { $Type.GetElementType() } elseif ($Type.IsGenericType) { $Type.GetGenericArguments()[0] }
        if ($element) {
            $list = [Array]::CreateInstance($element, 1)
            $list[0] = New-SampleValue $element $Name ($Depth + 1)
            return , $list
        }
        return New-PopulatedInstance $Type ($Depth + 1)
    }

    function New-PopulatedInstance([type] $Type, [int] $Depth = 0) {
        $constructor = $Type.GetConstructors() | Sort-Object { $_.GetParameters().Count } -Descending | Select-Object -First 1
        # Reflection wants the values themselves, not PowerShell's wrappers around them.
        $parameters = $constructor.GetParameters()
        $arguments = [object[]]::new($parameters.Count)
        for ($i = 0; $i -lt $parameters.Count; $i++) {
            $arguments[$i] = (New-SampleValue $parameters[$i].ParameterType $parameters[$i].Name $Depth)?.PSObject.BaseObject
        }
        $instance = $constructor.Invoke($arguments)
        foreach ($property in $Type.GetProperties() | Where-Object { $_.SetMethod -and $_.SetMethod.IsPublic }) {
            $property.SetValue($instance, (New-SampleValue $property.PropertyType $property.Name $Depth)?.PSObject.BaseObject)
        }
        return $instance
    }

    # Real instances from the cmdlets wherever that needs no service; populated ones for every module type.
    $spec = [FipsCluster.AwsClusterSpec]@{
        Name = 'lab'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = '1.33.1+fips.1'
        KubernetesImageRepository = 'docker.io/mesosphere'; EtcdVersion = '3.5.21+fips.1'; EtcdImageRepository = 'docker.io/mesosphere'
    }
    $real = @(
        $script:knownToken | ConvertFrom-SwarmJoinToken
        $generated
        Test-SwarmJoinToken -Token $generated -RootCertificate $caPath -ReferenceToken $generated
        Test-FipsNode
        Test-FipsBinary -Path ([Environment]::ProcessPath)
        Test-FipsBinary -Path ([Environment]::ProcessPath) -Quiet
        Test-FipsCertificate -Path $caPath
        Test-FipsPrivateKey -Path $encryptedKeyPath
        ConvertTo-FipsPrivateKey -Path $plainKeyPath -NewPassphrase $securePassphrase -Backup -Confirm:$false
        Get-FipsComplianceProfile
        Get-FipsClusterDependency
        Export-FipsClusterManifest -InputObject $spec
        Export-FipsClusterManifest -InputObject $spec -Path (Join-Path $work 'cluster.yaml') -Confirm:$false
    )
    $script:samples = @{}
    foreach ($sample in $real) {
        $script:samples[$sample.GetType().FullName] += @(, $sample)
    }
    foreach ($type in (Get-Command -Module FipsCluster).OutputType.Type | Where-Object { $_.Assembly.GetName().Name -eq 'FipsCluster.Models' }) {
        $script:samples[$type.FullName] += @(, (New-PopulatedInstance $type))
    }
}

Describe 'Output type <TypeName>' -ForEach $outputTypes {
    BeforeAll {
        $script:typeSamples = $script:samples[$TypeName]
    }

    It 'has samples (a real or populated instance)' {
        $script:typeSamples | Should -Not -BeNullOrEmpty -Because "every [OutputType] needs a sample in Serialization.Tests.ps1"
    }

    It 'converts to JSON (-Depth 8) without a secret' {
        foreach ($sample in $script:typeSamples) {
            $json = ConvertTo-Json -InputObject $sample -Depth 8 -WarningVariable truncated -WarningAction SilentlyContinue
            if ($TypeName -like 'FipsCluster.*') {
                # The module's own types fit; a FileInfo's object graph (Directory, Parent, Root...) never does.
                $truncated | Should -BeNullOrEmpty
            }
            $json | Should -Not -BeNullOrEmpty
            Find-Secret $json | Should -BeNullOrEmpty
        }
    }

    It 'round-trips through Export-Clixml / Import-Clixml without a secret' {
        $file = Join-Path $TestDrive "$TypeName.clixml"
        foreach ($sample in $script:typeSamples) {
          foreach ($depth in 2, 8) {
            Export-Clixml -InputObject $sample -Path $file -Depth $depth
            Find-Secret (Get-Content -Raw $file) | Should -BeNullOrEmpty
            $back = Import-Clixml -Path $file
            $back | Should -Not -BeNullOrEmpty
            if ($sample -isnot [string] -and $sample -isnot [bool] -and $sample -isnot [IO.FileSystemInfo]) {
                $back.PSTypeNames | Should -Contain "Deserialized.$TypeName"
            }
            $back.ToString() | Should -BeExactly $sample.ToString()
          }
        }
    }
}

Describe 'The secret detector' {
    It 'finds a secret written plain, as lowercase hex of UTF-16 (a SecureString in CliXml outside Windows) or as base64' {
        Find-Secret "token: $($script:knownToken)" | Should -Not -BeNullOrEmpty
        Find-Secret ([Convert]::ToHexString([Text.Encoding]::Unicode.GetBytes($script:knownToken)).ToLowerInvariant()) | Should -Not -BeNullOrEmpty
        Find-Secret ([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($script:passphrase))) | Should -Not -BeNullOrEmpty
        Find-Secret 'SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-*************************' | Should -BeNullOrEmpty
    }
}

Describe 'A SwarmJoinToken after Export-Clixml' {
    It 'keeps what identifies the token and drops the token itself' {
        $token = $script:knownToken | ConvertFrom-SwarmJoinToken
        $file = Join-Path $TestDrive 'token.clixml'
        $token | Export-Clixml -Path $file
        $back = Import-Clixml -Path $file
        foreach ($name in 'Version', 'Fips', 'RootCaDigest', 'SecretFingerprint', 'MaskedToken') {
            "$($back.$name)" | Should -BeExactly "$($token.$name)" -Because $name
        }
        [FipsCluster.SwarmNodeRole]$back.Role | Should -Be $token.Role
        $back.PSObject.Properties.Name | Should -Not -Contain 'Token'
    }
}
