"""Instructor's per-call walk for async validators runs once per contract class, and still rejects."""

from __future__ import annotations

from typing import Any

import instructor
import pytest
from instructor.v2.core import patch
from instructor.v2.validation import async_validators
from instructor.v2.validation.async_validators import async_field_validator
from pydantic import BaseModel

from summarise.backends.base import _install_check_once, _prepared, check_once
from summarise.contract.models import ArticleSummary
from tests.fakes import FakeChat


class Counting:
    """A test double for Instructor's check: counts its calls and fails for chosen models."""

    def __init__(self, failing: tuple[Any, ...] = ()) -> None:
        self.calls: list[Any] = []
        self.failing = failing

    def __call__(self, model: Any) -> None:
        self.calls.append(model)
        if model in self.failing:
            raise ValueError("async validator")


class Plain(BaseModel):
    value: int


def test_contract_classes_are_walked_once_other_models_every_time() -> None:
    check = Counting()
    once = check_once(check)
    wrapped = _prepared(ArticleSummary)
    for _ in range(4):
        once(wrapped)
        once(Plain)
        once(None)
    assert check.calls.count(wrapped) == 1
    assert check.calls.count(Plain) == 4
    assert check.calls.count(None) == 4


def test_a_failing_contract_class_fails_every_time() -> None:
    wrapped = _prepared(ArticleSummary)
    once = check_once(Counting(failing=(wrapped,)))
    for _ in range(2):
        with pytest.raises(ValueError, match="async validator"):
            once(wrapped)


def test_installed_where_instructor_looks_it_up_and_only_once() -> None:
    assert _install_check_once()
    installed = async_validators.reject_async_validators
    assert getattr(installed, "summarise_check_once", False)
    assert patch.reject_async_validators is installed
    assert _install_check_once()  # a second install wraps nothing again
    assert async_validators.reject_async_validators is installed and patch.reject_async_validators is installed


def test_instructor_still_rejects_a_model_with_an_async_validator() -> None:
    class WithAsync(BaseModel):
        value: int

        @async_field_validator("value")
        async def _check(self, value: int) -> int:
            return value

    chat = FakeChat('{"value": 1}')
    create = instructor.patch(create=chat.create, mode=instructor.Mode.JSON_SCHEMA)
    for _ in range(2):
        with pytest.raises(ValueError, match="async validators are not supported"):
            create(response_model=WithAsync, messages=[{"role": "user", "content": "x"}], model="m", max_retries=0)
    assert chat.requests == []
