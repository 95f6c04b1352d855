<#
  tebiki capture script for Windows (PowerShell 5.1 or later; no Python needed).

    powershell -ExecutionPolicy Bypass -File capture.ps1 -Url https://tebiki.example.jp/api/v1/ -Token tbk_... [-Owner name] [-Ownership company|byod]

  Runs a fixed set of read-only commands, keeps their raw output as JSON (the capture layout in docs/agent.md)
  and uploads it to your organisation's tebiki server, which evaluates it. Nothing is changed on this PC
  except a random device ID kept in %LOCALAPPDATA%\tebiki\device-id. With -CaptureOnly DIR it only writes
  the outputs into DIR and uploads nothing. Some values (BitLocker) need an administrator PowerShell.
#>
param(
  [string]$Url = "",
  [string]$Token = $env:TEBIKI_TOKEN,
  [string]$Owner = "",
  [ValidateSet("company", "byod", "unknown")][string]$Ownership = "unknown",
  [string]$CaptureOnly = ""
)
$ErrorActionPreference = "SilentlyContinue"

if (-not $CaptureOnly -and (-not $Url -or -not $Token)) {
  Write-Error "usage: capture.ps1 -Url API_URL -Token TOKEN [-Owner NAME] [-Ownership company|byod]"
  exit 2
}

# Each entry: file name in the capture layout -> script block whose output is converted to JSON
$sources = [ordered]@{
  "bitlocker.json"  = { Get-BitLockerVolume -MountPoint C: | Select-Object MountPoint,VolumeStatus,ProtectionStatus,EncryptionPercentage,EncryptionMethod }
  "defender.json"   = { Get-MpComputerStatus }
  "firewall.json"   = { Get-NetFirewallProfile | Select-Object Name,Enabled,DefaultInboundAction }
  "rdp.json"        = { Get-ItemProperty 'HKLM:\System\CurrentControlSet\Control\Terminal Server' | Select-Object fDenyTSConnections }
  "smb.json"        = { Get-SmbServerConfiguration | Select-Object EnableSMB1Protocol,EnableSMB2Protocol }
  "os.json"         = { Get-CimInstance Win32_OperatingSystem | Select-Object Caption,Version,BuildNumber,LastBootUpTime }
  "hotfix.json"     = { Get-HotFix | Select-Object HotFixID,InstalledOn }
  "shares.json"     = { Get-SmbShare | Select-Object Name,Special,ShareType }
  # only the state and authentication lines (English or Japanese labels; no network names or addresses)
  "wlan.txt"        = { netsh wlan show interfaces | Select-String -Pattern '^\s*(State|Authentication|\u72b6\u614b|\u8a8d\u8a3c)\s*:|wlansvc' | ForEach-Object { $_.Line } | Out-String }
  "screenlock.json" = {
    $p = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System'
    $d = Get-ItemProperty 'HKCU:\Control Panel\Desktop'
    [pscustomobject]@{ InactivityTimeoutSecs = $p.InactivityTimeoutSecs; ScreenSaveActive = $d.ScreenSaveActive;
                       ScreenSaverIsSecure = $d.ScreenSaverIsSecure; ScreenSaveTimeOut = $d.ScreenSaveTimeOut }
  }
}

$files = [ordered]@{}
# One line per source for exit-status.txt: "NAME exit=0|1 lines=N stderr=0|1[ cut]" (1: the command raised
# an error), so that the server can tell a command that found nothing from one that failed or was cut short.
$status = New-Object System.Collections.Generic.List[string]
foreach ($name in $sources.Keys) {
  $Error.Clear()
  $value = & $sources[$name]
  $code = if ($Error.Count -gt 0) { 1 } else { 0 }
  # .txt sources are command text as it is; the others are objects, written as JSON
  $json = if ($null -eq $value) { "" } elseif ($name.EndsWith(".txt")) { [string]$value } else { $value | ConvertTo-Json -Depth 3 }
  $cut = ""
  if ($json.Length -gt 60000) { $json = $json.Substring(0, 60000); $cut = " cut" }
  $lines = if ($json.Length -eq 0) { 0 } else { ($json -split "`n").Count - [int]$json.EndsWith("`n") }
  $status.Add("$name exit=$code lines=$lines stderr=$code$cut")
  $files["windows/$name"] = $json
}
$files["windows/exit-status.txt"] = ($status -join "`n") + "`n"

if ($CaptureOnly) {
  New-Item -ItemType Directory -Force -Path (Join-Path $CaptureOnly "windows") | Out-Null
  foreach ($k in $files.Keys) { [IO.File]::WriteAllText((Join-Path $CaptureOnly $k), $files[$k], (New-Object Text.UTF8Encoding $false)) }
  Write-Output "captured into $CaptureOnly\windows"
  exit 0
}

$state = Join-Path $env:LOCALAPPDATA "tebiki"
New-Item -ItemType Directory -Force -Path $state | Out-Null
$idFile = Join-Path $state "device-id"
if (-not (Test-Path $idFile)) { [guid]::NewGuid().ToString("N") | Set-Content -NoNewline -Path $idFile }
$key = (Get-Content $idFile -Raw).Trim()
$os = Get-CimInstance Win32_OperatingSystem

$body = [ordered]@{
  idempotency_key = [guid]::NewGuid().ToString("N")
  device = [ordered]@{ key = $key; hostname = $env:COMPUTERNAME; os = "windows"; os_version = "$($os.Caption) $($os.Version)";
                       owner = $Owner; ownership = $Ownership }
  files = $files
} | ConvertTo-Json -Depth 4

$endpoint = $Url.TrimEnd("/")
if ($endpoint -notmatch "/agent/captures$") {
  if ($endpoint -match "/api/v1$") { $endpoint += "/agent/captures" } else { $endpoint += "/api/v1/agent/captures" }
}
$ErrorActionPreference = "Stop"
try {
  $answer = Invoke-RestMethod -Method Post -Uri $endpoint -ContentType "application/json; charset=utf-8" `
    -Headers @{ Authorization = "Bearer $Token" } -Body ([Text.Encoding]::UTF8.GetBytes($body)) -TimeoutSec 30
  Write-Output "tebiki: report stored (device $($answer.device))"
  # the answer to a new report holds a personal link to this PC's result and what to do about it; the line is the
  # one capture.sh prints. The Japanese words are written as code points because the file must stay ASCII:
  # PowerShell 5.1 reads a script without BOM in the ANSI code page.
  $ja = [regex]::Unescape("\u7d50\u679c\u3068\u76f4\u3057\u65b9\u306f\u3053\u3061\u3089")
  if ($answer.page) { Write-Output "tebiki: $ja (your result and what to do): $($answer.page)" } else {
    Write-Output "tebiki: this report was stored before; its result is on the page of the first upload" }
  exit 0
} catch {
  Write-Error "tebiki: upload failed: $($_.Exception.Message)"
  exit 1
}
