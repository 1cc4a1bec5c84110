import pytest
from django.core.management import call_command

from wants.models import Want


@pytest.mark.django_db
def test_bench_command_runs_and_cleans_up(carriers, capsys):
    call_command("bench_wants", wants=600, listings=30)
    out = capsys.readouterr().out
    assert "Matched 30 listings" in out and "queries per listing" in out
    assert not Want.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_matching_holds_at_100000_wants(carriers, capsys):
    """1,000 listings against 100,000 wants: matching must take well under the hour they arrive in."""
    call_command("bench_wants", wants=100_000, listings=1_000)
    out = capsys.readouterr().out
    print(out)
    seconds = float(out.split("Matched 1,000 listings in ")[1].split(" s")[0])
    assert seconds < 120
