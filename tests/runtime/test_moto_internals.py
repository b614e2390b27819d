"""Fails loudly when a moto upgrade moves an internal the local runtime hooks into."""

from fargate_ops_cli.local import moto_hooks


def test_every_hooked_moto_internal_is_still_where_the_runtime_expects_it() -> None:
    problems = moto_hooks.check_internals()
    assert not problems, (
        "moto moved internals the local runtime hooks into (moto is pinned in pyproject.toml; "
        "fix src/fargate_ops_cli/local/moto_hooks.py before upgrading):\n" + "\n".join(problems)
    )


def test_moto_is_the_pinned_version() -> None:
    from importlib.metadata import version

    assert version("moto") == "5.2.5", "the runtime's hooks were written against moto 5.2.5"
