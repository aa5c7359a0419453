"""The storefronts this support desk serves, one folder each under `data/tenants/`.

A tenant's folder holds `tenant.json` (its id, name, tagline, support email and `policy`: its
returns, refund and delivery rules, app/shop/policy.py), `seed/` (its
customers, products and orders), `kb/` (its help-centre articles) and, optionally, `chaos/` (the
poisoned articles the chaos panel can plant in its help centre). Adding a storefront is adding
a folder: nothing else names them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switchboard.app.shop.policy import ShopPolicy

TENANT_ID = r"[a-z0-9][a-z0-9-]{0,39}"  # a folder name and a prefix of chunk ids ("summit/returns-policy#0")


class TenantError(ValueError):
    """A tenant folder that cannot be read: says which and why."""


class Tenant(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=f"^{TENANT_ID}$")
    name: str = Field(min_length=1)
    tagline: str = ""
    support_email: str = Field(min_length=3)
    policy: ShopPolicy
    folder: Path = Field(exclude=True)

    @property
    def seed_dir(self) -> Path:
        return self.folder / "seed"

    @property
    def kb_dir(self) -> Path:
        return self.folder / "kb"

    @property
    def chaos_dir(self) -> Path:
        return self.folder / "chaos"


class Tenants:
    """Every tenant, by id, in the order of their ids."""

    def __init__(self, tenants: list[Tenant]) -> None:
        self._by_id = {t.id: t for t in sorted(tenants, key=lambda t: t.id)}

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, tenant_id: str) -> Tenant | None:
        return self._by_id.get(tenant_id)

    def __getitem__(self, tenant_id: str) -> Tenant:
        return self._by_id[tenant_id]

    def ids(self) -> list[str]:
        return list(self._by_id)


def load_tenants(tenants_dir: Path) -> Tenants:
    """Every `<tenants_dir>/*/tenant.json`; a folder's name must be its tenant's id."""
    if not tenants_dir.is_dir():
        raise TenantError(f"no such folder: {tenants_dir}")
    found = [load_tenant(path.parent) for path in sorted(tenants_dir.glob("*/tenant.json"))]
    if not found:
        raise TenantError(f"no tenants in {tenants_dir}: each needs a folder with a tenant.json")
    return Tenants(found)


def load_tenant(folder: Path) -> Tenant:
    path = folder / "tenant.json"
    try:
        tenant = Tenant.model_validate({**json.loads(path.read_text(encoding="utf-8")), "folder": folder})
    except ValidationError as error:  # fields missing or malformed: say which, by their path
        raise TenantError(f"tenant {folder.name!r} ({path}): {_fields(error)}") from error
    except ValueError as error:  # not JSON, or not readable as text
        raise TenantError(f"tenant {folder.name!r} ({path}): {error}") from error
    if tenant.id != folder.name:
        raise TenantError(f"{path}: id {tenant.id!r} is not its folder's name {folder.name!r}")
    return tenant


def _fields(error: ValidationError) -> str:
    """One clause per field, by its path: `policy.return_window_days: Input should be greater than 0`."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'tenant.json'}: {e['msg']}" for e in error.errors())


def is_tenant_id(text: str) -> bool:
    return re.fullmatch(TENANT_ID, text) is not None
