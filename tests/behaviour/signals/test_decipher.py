from __future__ import annotations

from scanner.behaviour.model import Capability

from ..snippets import details, found


def test_decipher_calls() -> None:
    source = (
        "const c = require('crypto'); c.createDecipheriv('AES-256-CBC', k, iv);"
        "createDecipher(alg, pw); crypto.subtle.decrypt(params, key, data);"
        "crypto.privateDecrypt(key, buf);"
    )
    assert details(source, Capability.DECIPHER) == {
        "createDecipheriv:aes-256-cbc",
        "createDecipher",
        "subtle.decrypt",
        "privateDecrypt",
    }


def test_encrypting_and_hashing_are_not_deciphering() -> None:
    source = "crypto.createCipheriv(a, k, iv); crypto.createHash('sha256'); // createDecipher("
    assert not found(source, Capability.DECIPHER)
