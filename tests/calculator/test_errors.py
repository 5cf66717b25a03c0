"""Clear errors that list what is accepted: unknown program, missing, negative, wrong option."""

import pytest

from assistant.calculator import calculate
from assistant.errors import InputError, NotFoundError, UnknownProgramError


def test_unknown_program_lists_accepted_programs():
    with pytest.raises(UnknownProgramError) as info:
        calculate("shanghai_compute_voucher", {})
    message = str(info.value)
    assert "shanghai_compute_voucher" in message and "hangzhou_compute_voucher" in message and "zhengzhou_event_subsidy" in message
    assert isinstance(info.value, NotFoundError) and isinstance(info.value, InputError)


def test_missing_input_names_it_and_lists_inputs():
    with pytest.raises(InputError) as info:
        calculate("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万"})
    message = str(info.value)
    assert "missing input compute_type" in message and "domestic|other|maas_agent" in message


@pytest.mark.parametrize("amount", [-1, "-1000万", -0.5])
def test_negative_amount_is_refused(amount):
    with pytest.raises(InputError, match="must not be negative"):
        calculate("zhengzhou_compute_voucher", {"contract_amount_yuan": amount})


def test_wrong_choice_lists_options():
    with pytest.raises(InputError) as info:
        calculate("hangzhou_compute_voucher", {"contract_amount_yuan": "1000万", "compute_type": "quantum"})
    message = str(info.value)
    assert "'quantum'" in message and "domestic" in message and "other" in message and "maas_agent" in message


def test_wrong_level_lists_levels():
    with pytest.raises(InputError, match="national.*provincial.*municipal"):
        calculate("jiaxing_tech_center_award", {"level": "county"})


def test_garbage_amount_is_not_guessed():
    with pytest.raises(InputError, match="cannot read amount"):
        calculate("zhengzhou_compute_voucher", {"contract_amount_yuan": "a lot"})


def test_bad_bool_is_refused():
    with pytest.raises(InputError, match="true or false"):
        calculate("zhengzhou_compute_voucher", {"contract_amount_yuan": "300万", "self_built_self_use": "maybe"})


def test_unknown_input_is_refused():
    with pytest.raises(InputError, match="unknown input"):
        calculate("zhengzhou_compute_voucher", {"contract_amount": "300万"})
