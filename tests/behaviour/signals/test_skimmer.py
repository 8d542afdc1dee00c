from __future__ import annotations

from scanner.behaviour.model import Capability

from ..snippets import details, found

HOOK = "document.querySelector('form').addEventListener('submit', () => {\n"


def test_submit_hook_with_password_and_card_fields_and_a_beacon() -> None:
    source = (
        HOOK
        + "  const p = document.querySelector('input[type=password]').value;\n"
        + "  const c = document.querySelector('#cc-number').value;\n"
        + "  navigator.sendBeacon('/collect', p + c);\n});"
    )
    assert details(source, Capability.SKIMMER) == {"password+card"}


def test_onsubmit_with_card_field_and_fetch() -> None:
    source = "form.onsubmit = () => fetch('/c', { body: byId('cvv').value });"
    assert details(source, Capability.SKIMMER) == {"card"}


def test_image_beacon_counts_as_the_network_call() -> None:
    source = (
        HOOK + "new Image().src = '/p?d=' + document.querySelector('[name=cardnumber]').value;});"
    )
    assert details(source, Capability.SKIMMER) == {"card"}


def test_two_of_the_three_parts_are_not_skimming() -> None:
    strength_meter = (
        "el.addEventListener('input', e => { if (e.target.type === 'password') rate(); });"
    )
    assert not found(strength_meter, Capability.SKIMMER)
    analytics = HOOK + "fetch('/track', { body: 'submitted' }); });"
    assert not found(analytics, Capability.SKIMMER)
    no_hook = "const p = $('input[type=password]').val(); fetch('/x', { body: p });"
    assert not found(no_hook, Capability.SKIMMER)
