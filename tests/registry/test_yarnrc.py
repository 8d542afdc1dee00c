"""yarn's own registry configuration: .yarnrc (classic) and .yarnrc.yml (berry)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import RegistryError
from scanner.registry.yarnrc import parse_classic, yarn_registries


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(project folder inside a repository folder, home folder, environment)."""
    project = tmp_path / "repo" / "web"
    home = tmp_path / "home"
    project.mkdir(parents=True)
    home.mkdir()
    return project, home, {"HOME": str(home)}


def test_classic_yarnrc_syntax_quoted_bare_and_comments() -> None:
    text = (
        "# yarn lockfile syntax\n"
        'registry "https://registry.example.test/npm"\n'
        '"@acme:registry" "https://acme.example.test/"\n'
        "network-timeout 600000  # trailing comment\n"
        "--install.frozen-lockfile true\n"
        "lone-key\n"
    )
    assert parse_classic(text) == {
        "registry": "https://registry.example.test/npm",
        "@acme:registry": "https://acme.example.test/",
        "network-timeout": "600000",
        "--install.frozen-lockfile": "true",
    }


def test_classic_reads_the_project_then_folders_above_then_home(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    project, home, env = layout
    (project.parent / ".yarnrc").write_text(
        'registry "https://outer.example.test"\n"@acme:registry" "https://acme.example.test/"\n'
    )
    (project / ".yarnrc").write_text('registry "https://inner.example.test/"\n')
    (home / ".yarnrc").write_text('"@acme:registry" "https://home.example.test/"\n'
                                  '"@other:registry" "https://other.example.test/"\n')

    found = yarn_registries("yarn-v1", project, env)

    assert found.default == "https://inner.example.test/"  # the nearest file wins
    assert found.scoped == {"@acme": "https://acme.example.test/",
                            "@other": "https://other.example.test/"}
    assert found.sources == (str(project / ".yarnrc"), str(project.parent / ".yarnrc"),
                             str(home / ".yarnrc"))
    assert set(found.urls) == {"https://inner.example.test/", "https://acme.example.test/",
                               "https://other.example.test/"}


def test_berry_reads_npm_registry_server_and_scopes_with_env_expansion(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    project, home, env = layout
    (project / ".yarnrc.yml").write_text(
        'npmRegistryServer: "${MIRROR:-https://fallback.example.test}"\n'
        "npmScopes:\n"
        "  acme:\n"
        "    npmRegistryServer: https://acme.example.test/npm\n"
        "  nothing-here:\n"
        "    npmAlwaysAuth: true\n"
        "  unset:\n"
        '    npmRegistryServer: "${NOT_SET}"\n'
    )
    (home / ".yarnrc.yml").write_text("npmRegistryServer: https://home.example.test\n")

    found = yarn_registries("yarn-berry", project, env)
    assert found.default == "https://fallback.example.test/"
    assert found.scoped == {"@acme": "https://acme.example.test/npm/"}

    mirrored = yarn_registries("yarn-berry", project, {**env, "MIRROR": "https://m.example.test"})
    assert mirrored.default == "https://m.example.test/"

    overridden = yarn_registries(
        "yarn-berry", project, {**env, "YARN_NPM_REGISTRY_SERVER": "https://env.example.test"}
    )
    assert overridden.default == "https://env.example.test/"
    assert overridden.sources[0] == "$YARN_NPM_REGISTRY_SERVER"


def test_berry_falls_back_to_home_and_honours_yarn_rc_filename(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    project, home, env = layout
    (home / ".yarnrc.yml").write_text("npmRegistryServer: https://home.example.test\n")
    assert yarn_registries("yarn-berry", project, env).default == "https://home.example.test/"
    (project / "custom.yml").write_text("npmRegistryServer: https://custom.example.test\n")
    renamed = yarn_registries("yarn-berry", project, {**env, "YARN_RC_FILENAME": "custom.yml"})
    assert renamed.default == "https://custom.example.test/"


def test_each_generation_reads_only_its_own_file(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    project, _home, env = layout
    (project / ".yarnrc").write_text('registry "https://classic.example.test/"\n')
    (project / ".yarnrc.yml").write_text("npmRegistryServer: https://berry.example.test\n")
    assert yarn_registries("yarn-v1", project, env).urls == ("https://classic.example.test/",)
    assert yarn_registries("yarn-berry", project, env).urls == ("https://berry.example.test/",)
    assert yarn_registries("npm-package-lock", project, env).urls == ()


def test_values_that_are_not_http_urls_name_no_registry(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    project, _home, env = layout
    (project / ".yarnrc").write_text('registry "file:///tmp/x"\n"@a:registry" "not a url"\n')
    assert yarn_registries("yarn-v1", project, env).urls == ()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("npmRegistryServer: [unclosed\n", "is not valid YAML (line 2)"),
        ("- a list\n- not settings\n", "is not a YAML mapping of settings"),
    ],
)
def test_a_broken_yarnrc_yml_is_one_line_naming_the_file(
    layout: tuple[Path, Path, dict[str, str]], content: str, expected: str
) -> None:
    project, _home, env = layout
    path = project / ".yarnrc.yml"
    path.write_text(content)
    with pytest.raises(RegistryError) as caught:
        yarn_registries("yarn-berry", project, env)
    assert caught.value.subject == str(path)
    assert expected in caught.value.message


def test_an_oversized_or_special_file_is_refused(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    project, _home, env = layout
    (project / ".yarnrc").write_text("# x\n" * 300_000)
    with pytest.raises(RegistryError, match="cannot read yarn configuration"):
        yarn_registries("yarn-v1", project, env)


# -- pull-request mode: the repository's files as the base revision has them ----------------------


def _git_repository(project: Path) -> Path:
    from tests.ci.gitrepo import init_repo

    return init_repo(project.parent)


def test_with_a_revision_the_repositorys_files_are_the_revisions(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    from scanner.base_revision import BaseRevision
    from tests.ci.gitrepo import commit_all

    project, home, env = layout
    repo = _git_repository(project)
    (repo / ".yarnrc").write_text('"@acme:registry" "https://acme.example.test/"\n')
    (project / ".keep").write_text("")
    commit_all(repo, "base")
    # The change: the root file now names the attacker's registry, and the project gets one.
    (repo / ".yarnrc").write_text('registry "https://evil.example.test/"\n'
                                  '"@acme:registry" "https://evil.example.test/"\n')
    (project / ".yarnrc").write_text('registry "https://evil.example.test/"\n')
    # Files outside the repository are the machine's: read from disk as usual.
    (home / ".yarnrc").write_text('"@other:registry" "https://other.example.test/"\n')
    revision = BaseRevision.open("HEAD", project)

    found = yarn_registries("yarn-v1", project, env, revision)

    assert found.default is None
    assert found.scoped == {"@acme": "https://acme.example.test/",
                            "@other": "https://other.example.test/"}
    assert found.sources == ("HEAD:.yarnrc", str(home / ".yarnrc"))
    # Without the revision the working tree's files are read, as before.
    assert "https://evil.example.test/" in yarn_registries("yarn-v1", project, env).urls


def test_with_a_revision_berry_files_are_the_revisions_and_errors_name_them(
    layout: tuple[Path, Path, dict[str, str]],
) -> None:
    from scanner.base_revision import BaseRevision
    from tests.ci.gitrepo import commit_all

    project, _home, env = layout
    repo = _git_repository(project)
    (project / ".yarnrc.yml").write_text("npmRegistryServer: https://mirror.example.test\n")
    commit_all(repo, "base")
    (project / ".yarnrc.yml").write_text("npmRegistryServer: https://evil.example.test\n")

    found = yarn_registries("yarn-berry", project, env, BaseRevision.open("HEAD", project))
    assert found.urls == ("https://mirror.example.test/",)
    assert found.sources == ("HEAD:web/.yarnrc.yml",)

    (project / ".yarnrc.yml").write_text("npmRegistryServer: [unclosed\n")
    commit_all(repo, "broken")
    with pytest.raises(RegistryError) as caught:
        yarn_registries("yarn-berry", project, env, BaseRevision.open("HEAD", project))
    assert caught.value.subject == "HEAD:web/.yarnrc.yml"

    (project / ".yarnrc.yml").unlink()
    (project / ".yarnrc.yml").symlink_to("/etc/hostname")
    commit_all(repo, "a link")
    with pytest.raises(RegistryError, match="is a symbolic link in HEAD"):
        yarn_registries("yarn-berry", project, env, BaseRevision.open("HEAD", project))
