import pytest

# The fault tests' rounds (test_handoff_faults), shown at the end of the run: CI's log carries their figures.
FAULT_ROUND_FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture
def report_round(request):
    """`report_round(line)`: keep a round's figures for the summary at the end of the run."""
    return request.config.stash.setdefault(FAULT_ROUND_FIGURES, []).append


def pytest_terminal_summary(terminalreporter, config):
    rounds = config.stash.get(FAULT_ROUND_FIGURES, [])
    if rounds:
        terminalreporter.section("hand-over fault rounds")
        for line in rounds:
            terminalreporter.write_line(line)
