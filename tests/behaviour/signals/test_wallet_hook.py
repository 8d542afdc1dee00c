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


def test_an_address_pattern_beside_the_clipboard_is_a_clipper() -> None:
    clipper = (
        "const { execSync } = require('child_process');\n"
        "const ETH = /^0x[a-fA-F0-9]{40}$/;\n"
        "setInterval(() => {\n"
        "  const text = execSync('pbpaste').toString();\n"
        "  if (ETH.test(text)) execSync('pbcopy', { input: MINE });\n"
        "}, 500);\n"
    )
    assert "clipboard-swap" in details(clipper, WALLET)
    browser = "const re = /0x[a-fA-F0-9]{40}/; navigator.clipboard.readText().then(re.test);"
    assert "clipboard-swap" in details(browser, WALLET)


def test_an_address_pattern_without_the_clipboard_or_a_copy_helper_without_one_is_not() -> None:
    validator = "export const isAddress = (s) => /^0x[a-fA-F0-9]{40}$/.test(s);"
    assert "clipboard-swap" not in details(validator, WALLET)
    copy = "export const copy = (t) => navigator.clipboard.writeText(t);"
    assert not found(copy, WALLET)


def test_a_wallet_transaction_request_beside_the_provider() -> None:
    drainer = (
        "const provider = window.ethereum;\n"
        "await provider.request({ method: 'eth_sendTransaction', params: [{ to, value }] });\n"
    )
    assert "wallet-transaction" in details(drainer, WALLET)
    # Reading the account or the chain is what every dapp does.
    reader = "const [a] = await window.ethereum.request({ method: 'eth_requestAccounts' });"
    assert "wallet-transaction" not in details(reader, WALLET)
    # The method name without a provider in the file is not a request.
    assert not found("const METHODS = ['eth_sendTransaction', 'eth_call'];", WALLET)
