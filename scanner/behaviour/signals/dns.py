"""DNS lookups.

Detects require/import of the ``dns`` and ``dns/promises`` modules (``detail``: the module).

Why: DNS is the exfiltration channel that firewalls forget: a stolen value encoded into the
labels of a name (``<data>.attacker.example``) reaches the attacker's name server through any
resolver. Dependency-confusion probes of 2021 and later used exactly this.

Ignores: the word in comments and strings, and ``dns-packet``-style encoders that only build
messages (they do not resolve anything themselves).
"""

from __future__ import annotations

from scanner.behaviour.context import ModuleRef
from scanner.behaviour.model import Capability
from scanner.behaviour.signals._modules import module_table
from scanner.behaviour.signals.base import Detector, SignalSpec, Trigger, words

DNS_MODULES = ("dns", "dns/promises")


class DnsDetector(Detector):
    wants_modules = True

    def on_module(self, ref: ModuleRef) -> None:
        if ref.module in DNS_MODULES and ref.kind != "require-resolve":
            self.ctx.emit(Capability.DNS, ref.node, detail=ref.module)


SIGNAL = SignalSpec(
    id=Capability.DNS.value,
    title="Resolves names through DNS",
    capabilities=(Capability.DNS,),
    detector=DnsDetector,
    doc=__doc__ or "",
    triggers=(Trigger(words=words("dns")),),
    modules=module_table(DNS_MODULES),
)
