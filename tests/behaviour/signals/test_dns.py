from __future__ import annotations

from scanner.behaviour.model import Capability

from ..snippets import details, found


def test_dns_modules() -> None:
    assert details("const dns = require('dns');", Capability.DNS) == {"dns"}
    assert details("import { resolve } from 'node:dns/promises';", Capability.DNS) == {
        "dns/promises"
    }


def test_dns_in_text_or_other_packages_is_not_dns() -> None:
    assert not found("// require('dns')\nconst p = require('dns-packet');", Capability.DNS)
