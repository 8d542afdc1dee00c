from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import details, found

WALLET = Capability.WALLET_HOOK


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("const o = window.fetch; window.fetch = async (...a) => o(...a);", "fetch-override"),
        ("globalThis.fetch = wrapped;", "fetch-override"),
        ("XMLHttpRequest.prototype.open = function () {};", "xhr-override"),
        ("window.XMLHttpRequest.prototype.send = send;", "xhr-override"),
        ("window.ethereum.request = hooked;", "ethereum-hook"),
        ("window.ethereum = new Proxy(window.ethereum, {});", "ethereum-hook"),
        ("Object.defineProperty(window, 'ethereum', { get: () => fake });", "ethereum-hook"),
        ("const re = /0x[a-fA-F0-9]{40}/g; body = body.replace(re, swap);", "address-swap"),
        ("text.replace(/\\b0x[0-9a-fA-F]{40}\\b/g, m => nearest(m));", "address-swap"),
    ],
)
def test_hooks_and_address_swaps(source: str, detail: str) -> None:
    assert detail in details(source, WALLET)


def test_an_address_regex_with_a_long_address_list_of_two_chains() -> None:
    eth = ", ".join(f"'0x{i:040x}'" for i in range(6))
    btc = ", ".join(f"'1BoatSLRHtKNngkdXEeobR76b53LETtp{c}'" for c in "abcde")
    source = f"const list = [{eth}, {btc}]; const re = /0x[a-fA-F0-9]{{40}}/; test(re);"
    assert details(source, WALLET) == {"address-swap"}


@pytest.mark.parametrize(
    "source",
    [
        "if (!self.fetch) { self.fetch = polyfill; }",
        "global.fetch || (global.fetch = nodeFetch);",
        "globalThis.fetch ??= impl;",
        "if (typeof window.fetch === 'undefined') window.fetch = impl;",
        "this.fetch = fetch.bind(this); client.fetch = custom;",
        "const valid = /^0x[a-fA-F0-9]{40}$/.test(addr);",
        "// window.fetch = hook",
    ],
)
def test_polyfills_validation_and_other_objects_are_not_hooks(source: str) -> None:
    assert not found(source, WALLET)
