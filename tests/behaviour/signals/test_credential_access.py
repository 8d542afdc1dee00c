from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import details, found

CRED = Capability.CREDENTIAL_ACCESS


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("fs.readFileSync(path.join(os.homedir(), '.npmrc'));", "npmrc"),
        ("path.join(home, '.ssh', 'id_rsa');", "ssh"),
        ("const k = '~/.ssh/id_ed25519';", "ssh"),
        ("path.join(home, '.aws', 'credentials');", "aws"),
        ("const c = '.docker/config.json';", "docker"),
        ("path.join(home, '.git-credentials');", "git-credentials"),
        ("const k = `${home}/.kube/config`;", "kube"),
        ("path.join(profile, 'Default', 'Login Data');", "browser"),
        ("const p = 'Google/Chrome/User Data';", "browser"),
        ("path.join(appdata, 'discord', 'Local Storage', 'leveldb');", "discord"),
        ("const d = 'discordcanary';", "discord"),
        ("const w = path.join(home, '.bitcoin', 'wallet.dat');", "wallet"),
        ("path.join(appdata, 'Exodus', 'exodus.wallet');", "wallet"),
        ("const ids = ['nkbihfbeogaeaoehlefnkodbefgpgknn'];", "wallet-extension:metamask"),
        (
            "const ids = ['abcdefghijklmnopabcdefghijklmnop', 'ponmlkjihgfedcbaponmlkjihgfedcba'];",
            "extension-ids",
        ),
        ("const re = /[\\w-]{24}\\.[\\w-]{6}\\.[\\w-]{27}/g;", "discord-token"),
        ("exec('security find-generic-password -s x');", "keychain"),
    ],
)
def test_credential_stores(source: str, detail: str) -> None:
    assert detail in details(source, CRED)


@pytest.mark.parametrize(
    "source",
    [
        "// read ~/.npmrc and .ssh/id_rsa",
        "const label = 'Accept Cookies';",
        "const help = 'Clear your cookies in the browser settings';",
        "const one = 'Cookies';",
        "const id = 'abcdefghijklmnopabcdefghijklmnop';",
        "const dir = '.sshx'; const f = 'my.npmrc.bak';",
        "const url = 'https://discord.com/invite/x';",
    ],
)
def test_comments_prose_and_lone_weak_names_are_not_credential_access(source: str) -> None:
    assert not found(source, CRED)
