from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import details, found

NET = Capability.NETWORK


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("const https = require('https');", "https"),
        ("import net from 'node:net';", "net"),
        ("const d = await import('dgram');", "dgram"),
        ("const axios = require('axios');", "library:axios"),
        ("import { request } from 'undici';", "library:undici"),
        ("fetch('https://example.test/a');", "fetch"),
        ("window.fetch('/a'); globalThis.fetch('/b');", "fetch"),
        ("const x = new XMLHttpRequest();", "XMLHttpRequest"),
        ("const s = new WebSocket('wss://example.test');", "WebSocket"),
        ("navigator.sendBeacon('/collect', data);", "sendBeacon"),
    ],
)
def test_network_modules_and_global_calls(source: str, detail: str) -> None:
    assert detail in details(source, NET)


@pytest.mark.parametrize(
    "source",
    [
        "class Store { fetch(key) { return this.fetch(key); } }",
        "cache.fetch('k'); git.fetch(); this.fetch();",
        "// fetch('https://example.test')",
        "/* new XMLHttpRequest() */",
        "const doc = 'call fetch(url) to download';",
        "const re = /fetch\\(/g;",
        "const t = `use fetch(url)`;",
        "function fetch(url) { return url; } fetch('x');",
    ],
)
def test_method_names_comments_strings_regexes_and_local_functions_are_not_network(
    source: str,
) -> None:
    assert not found(source, NET)


def test_an_imported_fetch_is_the_library_not_the_global() -> None:
    assert details("const fetch = require('node-fetch'); fetch('u');", NET) == {
        "library:node-fetch"
    }


def test_every_module_and_library_name_passes_the_keyword_gate() -> None:
    from scanner.behaviour.signals.network import NETWORK_LIBRARIES, NETWORK_MODULES, SIGNAL

    for name in (*NETWORK_MODULES, *NETWORK_LIBRARIES):
        assert SIGNAL.applies_to(f"require('{name}')".encode()), name
