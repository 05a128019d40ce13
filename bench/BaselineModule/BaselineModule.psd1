@{
    ModuleVersion     = '1.0.0'
    RootModule        = 'BaselineModule.dll'
    GUID              = '0b9f2c56-7c55-4a5e-9d1e-2f7e3f6f0a11'
    PowerShellVersion = '7.4'
    CmdletsToExport   = @('Get-BaselineValue')
    FunctionsToExport = @()
    AliasesToExport   = @()
    VariablesToExport = @()
}
