import json
import shutil
from pathlib import Path

import pytest

from switchboard.app.settings import Settings
from switchboard.app.shop.tenants import TenantError, load_tenant, load_tenants

SHIPPED = Settings().tenants_dir


def summit_with(tmp_path: Path, **policy: object) -> Path:
    """A copy of Summit's tenant.json with its policy changed (a value of None removes the field)."""
    folder = tmp_path / "summit"
    folder.mkdir()
    fields = json.loads((SHIPPED / "summit" / "tenant.json").read_text())
    fields["policy"] = {k: v for k, v in {**fields["policy"], **policy}.items() if v is not None}
    (folder / "tenant.json").write_text(json.dumps(fields))
    return folder


def test_each_shipped_tenant_carries_its_own_policy() -> None:
    tenants = load_tenants(SHIPPED)
    assert tenants["tidewater"].policy.return_window_days == 45
    assert tenants["summit"].policy.return_window_days == 30
    assert tenants["summit"].policy.return_label_fee == 9.95
    assert (tenants["tidewater"].policy.reply_within, tenants["summit"].policy.reply_within) == (
        "1 business day",
        "2 business days",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"return_window_days": 0}, "policy.return_window_days"),
        ({"ticket_reply_business_days": 0}, "policy.ticket_reply_business_days"),
        ({"return_label_fee": None}, "policy.return_label_fee"),
        ({"late_return": "maybe"}, "policy.late_return"),
        ({"transit_business_days": {"express": 2}}, "policy.transit_business_days"),
        ({"refund_window": 30}, "policy.refund_window"),  # a misspelt field is not silently ignored
        ({"freight_return": {"categories": [], "fee": 59}}, "policy.freight_return.categories"),
        ({"freight_return": {"categories": ["bikes"], "fee": -1}}, "policy.freight_return.fee"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_tenant_and_the_field(
    tmp_path: Path, change: dict[str, object], field: str
) -> None:
    with pytest.raises(TenantError, match=rf"tenant 'summit'.*{field}"):
        load_tenant(summit_with(tmp_path, **change))


def test_a_tenant_without_a_policy_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "summit"
    shutil.copytree(SHIPPED / "summit", folder, ignore=shutil.ignore_patterns("kb", "seed"))
    fields = json.loads((folder / "tenant.json").read_text())
    del fields["policy"]
    (folder / "tenant.json").write_text(json.dumps(fields))
    with pytest.raises(TenantError, match=r"tenant 'summit'.*policy: Field required"):
        load_tenant(folder)
