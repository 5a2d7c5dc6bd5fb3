"""Clock stamps: printing, parsing (good and bad stamps) and clamping at the 5-minute boundary."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.sync.engine.hlc import HLC, MAX_SKEW_MS, HLCError, clamp, parse_hlc

NOW = 1_732_273_000_123
stamps = st.builds(
    HLC,
    st.integers(0, 10**15 - 1),
    st.integers(0, 9999),
    st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True),
)


def test_str_pads_to_fixed_widths() -> None:
    assert str(HLC(1_732_273_000_123, 7, "phone-1")) == "001732273000123:0007:phone-1"


def test_parse_reads_a_printed_stamp() -> None:
    assert parse_hlc("001732273000123:0042:Ab-9") == HLC(1_732_273_000_123, 42, "Ab-9")


def test_parse_accepts_a_64_character_client_id() -> None:
    assert parse_hlc(f"000000000000000:0000:{'a' * 64}").client_id == "a" * 64


@given(stamps)
def test_parse_reverses_str(stamp: HLC) -> None:
    assert parse_hlc(str(stamp)) == stamp


@given(stamps, stamps)
def test_string_order_is_clock_order(a: HLC, b: HLC) -> None:
    assert (a < b) == (str(a) < str(b))
    assert (a == b) == (str(a) == str(b))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1732273000123:0000:phone",  # 13 digits of milliseconds
        "0001732273000123:0000:phone",  # 16 digits
        "001732273000123:000:phone",  # 3-digit counter
        "001732273000123:00000:phone",  # 5-digit counter
        "001732273000123:0000:",  # no client id
        "001732273000123:0000",
        "001732273000123-0000-phone",
        "001732273000123:0000:pho_ne",
        "001732273000123:0000:pho:ne",
        "001732273000123:0000:pho ne",
        "001732273000123:0000:téléphone",
        f"001732273000123:0000:{'a' * 65}",
        "00173227300012\u0661:0000:phone",  # an Arabic-Indic digit one
        "001732273000123:0000:phone\n",
        " 001732273000123:0000:phone",
        "-01732273000123:0000:phone",
        "+01732273000123:0000:phone",
    ],
)
def test_parse_rejects_a_malformed_stamp(text: str) -> None:
    with pytest.raises(HLCError, match="clock stamp"):
        parse_hlc(text)


@pytest.mark.parametrize("value", [None, 1732273000123, b"001732273000123:0000:phone"])
def test_parse_rejects_a_non_string(value: object) -> None:
    with pytest.raises(HLCError, match="must be a string"):
        parse_hlc(value)  # type: ignore[arg-type]


def test_hlc_error_is_a_value_error() -> None:
    assert issubclass(HLCError, ValueError)


def test_error_message_does_not_repeat_a_huge_input() -> None:
    with pytest.raises(HLCError) as caught:
        parse_hlc("x" * 100_000)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("ms", "counter", "client_id"),
    [(-1, 0, "c"), (10**15, 0, "c"), (0, -1, "c"), (0, 10**4, "c"), (0, 0, ""), (0, 0, "a:b")],
)
def test_constructor_rejects_what_would_not_print_as_a_stamp(
    ms: int, counter: int, client_id: str
) -> None:
    with pytest.raises(HLCError):
        HLC(ms, counter, client_id)


def test_max_skew_is_five_minutes() -> None:
    assert MAX_SKEW_MS == 5 * 60 * 1000


def test_clamp_keeps_a_stamp_exactly_five_minutes_ahead() -> None:
    stamp = HLC(NOW + MAX_SKEW_MS, 9999, "phone")
    assert clamp(stamp, NOW) == (stamp, False)


def test_clamp_pulls_back_a_stamp_five_minutes_and_one_ms_ahead() -> None:
    stamp = HLC(NOW + MAX_SKEW_MS + 1, 3, "phone")
    assert clamp(stamp, NOW) == (HLC(NOW, 0, "phone"), True)


def test_clamp_keeps_a_stamp_behind_the_server() -> None:
    stamp = HLC(NOW - 86_400_000, 1, "phone")
    assert clamp(stamp, NOW) == (stamp, False)


def test_clamp_honours_a_custom_skew() -> None:
    stamp = HLC(NOW + 11, 0, "phone")
    assert clamp(stamp, NOW, max_skew_ms=10) == (HLC(NOW, 0, "phone"), True)
    assert clamp(stamp, NOW, max_skew_ms=11) == (stamp, False)


def test_clamp_stays_total_for_a_negative_server_time() -> None:
    assert clamp(HLC(NOW, 0, "phone"), -NOW) == (HLC(0, 0, "phone"), True)
