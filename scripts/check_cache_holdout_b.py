"""Standalone check of the blind cache sets `cache_paraphrase_holdout_b` / `cache_near_miss_holdout_b`.

Uses only json, pathlib and re (no project code), so it can be run without the package:

    python3 scripts/check_cache_holdout_b.py [PARAPHRASE.jsonl NEAR_MISS.jsonl]

It checks that every line is valid JSON in the shape `switchboard.evals.dataset` accepts, and that
every customer, order (and that it belongs to the asker), product, article id and expected fact
really exists in `data/tenants/<id>/`. Exit status 1 if anything is wrong.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "tenants"
PARA = Path(sys.argv[1]) if len(sys.argv) > 2 else ROOT / "evals" / "datasets" / "cache_paraphrase_holdout_b.jsonl"
NEAR = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "evals" / "datasets" / "cache_near_miss_holdout_b.jsonl"

ROUTES = {"orders", "knowledge", "account", "human", "out_of_scope", "generalist"}
EXPECT_KEYS = {
    "route",
    "tools",
    "contains",
    "not_contains",
    "sources",
    "escalated",
    "blocked",
    "declined",
    "no_pii",
    "forbidden_tools",
}
LINE_KEYS = {"id", "customer", "turns", "variants", "expect", "tags", "must_pass", "reference"}
TOOL_KEYS = {"name", "any_of", "args"}
TOOLS = {"get_order", "track_shipment", "list_orders", "get_account", "request_refund"}
KINDS = {"order", "product", "customer", "tenant", "topic", "negation"}
ORDER_ID = re.compile(r"(?<!\d)1[08]\d{3}(?!\d)")
NEGATION = re.compile(r"\b(not|no|never)\b|n't\b", re.I)

errors: list[str] = []


def err(where: str, msg: str) -> None:
    errors.append(f"{where}: {msg}")


# ---------------------------------------------------------------- the shops' data
def load_tenant(tenant: str) -> dict:
    seed = DATA / tenant / "seed"
    customers = {c["id"]: c for c in json.loads((seed / "customers.json").read_text("utf-8"))}
    orders = {o["id"]: o for o in json.loads((seed / "orders.json").read_text("utf-8"))}
    products = {p["sku"]: p for p in json.loads((seed / "products.json").read_text("utf-8"))}
    articles = {}
    for md in sorted((DATA / tenant / "kb").glob("*.md")):
        text = md.read_text("utf-8")
        m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
        if not m:
            err(str(md), "no front matter")
            continue
        front = dict(re.findall(r"^(\w+):\s*(.*)$", m.group(1), re.M))
        body = m.group(2).replace("**", "")
        articles[front["id"]] = body
    return {"customers": customers, "orders": orders, "products": products, "articles": articles}


SHOPS = {t: load_tenant(t) for t in ("tidewater", "summit")}
TENANT_OF = {cid: t for t, s in SHOPS.items() for cid in s["customers"]}


def order_total(shop: dict, order: dict) -> float:
    return sum(shop["products"][i["sku"]]["price"] * i["qty"] for i in order["items"])


def order_evidence(shop: dict, order: dict) -> str:
    names = [shop["products"][i["sku"]]["name"] for i in order["items"]]
    total = order_total(shop, order)
    words = [json.dumps(order, ensure_ascii=False), *names, f"{total:g}", f"{total:.2f}"]
    if order.get("refund"):
        words.append(f"{order['refund']['amount']:.2f}")
    if order["status"] == "shipped" and order["events"]:
        words.append(order["events"][-1]["description"])
    return "\n".join(words)


# ---------------------------------------------------------------- one expectation
def check_expect(where: str, customer: str, texts: list[str], expect: object) -> str | None:
    """Validate an `expect` against the data; returns the evidence text its facts come from."""
    if not isinstance(expect, dict):
        err(where, "expect is not an object")
        return None
    extra = set(expect) - EXPECT_KEYS
    if extra:
        err(where, f"unknown expect fields {sorted(extra)}")
    tenant = TENANT_OF.get(customer)
    if tenant is None:
        err(where, f"unknown customer {customer!r}")
        return None
    shop = SHOPS[tenant]
    route = expect.get("route")
    if route not in ROUTES:
        err(where, f"bad route {route!r}")
    for key in ("contains", "not_contains", "sources", "forbidden_tools"):
        value = expect.get(key, [])
        if not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
            err(where, f"{key} must be a list of non-empty strings")
    contains = expect.get("contains", [])
    if not 1 <= len(contains) <= 3:
        err(where, f"{len(contains)} contains facts (want 1-2, at most 3)")

    # order ids typed by the customer must be theirs
    typed = {m for t in texts for m in ORDER_ID.findall(t)}
    for oid in typed:
        order = shop["orders"].get(oid)
        if order is None:
            err(where, f"order {oid} is not a {tenant} order")
        elif order["customer_id"] != customer:
            err(where, f"order {oid} belongs to {order['customer_id']}, not {customer}")
    # product names typed by the customer must exist, and the final-sale claim must match
    for text in texts:
        for p in shop["products"].values():
            base = p["name"].split(" (")[0]
            cites_final_sale = "final-sale-items" in expect.get("sources", [])
            if base.lower() in text.lower() and cites_final_sale and not p["final_sale"]:
                err(where, f"{p['name']} is not final sale but the case cites final-sale-items")

    tools = expect.get("tools", [])
    tool_orders: set[str] = set()
    for t in tools:
        if not isinstance(t, dict) or set(t) - TOOL_KEYS:
            err(where, f"bad tool expectation {t!r}")
            continue
        if ("name" in t) == bool(t.get("any_of")):
            err(where, 'a tool expectation needs exactly one of "name" or "any_of"')
        for name in [t["name"]] if "name" in t else t.get("any_of", []):
            if name not in TOOLS:
                err(where, f"unknown tool {name!r}")
        oid = t.get("args", {}).get("order_id")
        if oid is not None:
            tool_orders.add(oid)
            order = shop["orders"].get(oid)
            if order is None or order["customer_id"] != customer:
                err(where, f"tool order_id {oid} is not an order of {customer}")

    if route == "knowledge":
        sources = expect.get("sources", [])
        if not sources:
            err(where, "a help-centre case needs sources")
        if tools:
            err(where, "a help-centre case should not expect tools")
        missing = [s for s in sources if s not in shop["articles"]]
        if missing:
            err(where, f"no {tenant} article {missing}")
            return None
        evidence = "\n".join(shop["articles"][s] for s in sources)
    elif route in ("orders", "account"):
        if not tools:
            err(where, f"an {route} case needs tools")
        if expect.get("sources"):
            err(where, f"an {route} case should not expect sources")
        if typed and typed != tool_orders:
            err(where, f"orders typed {sorted(typed)} but tools expect {sorted(tool_orders)}")
        names = {n for t in tools for n in ([t.get("name")] if t.get("name") else t.get("any_of", []))}
        parts = [json.dumps(shop["customers"][customer], ensure_ascii=False)]
        if "list_orders" in names:
            parts += [order_evidence(shop, o) for o in shop["orders"].values() if o["customer_id"] == customer]
        parts += [order_evidence(shop, shop["orders"][o]) for o in tool_orders if o in shop["orders"]]
        evidence = "\n".join(parts)
    else:
        err(where, f"unexpected route {route!r} for this set")
        return None
    for fact in contains:
        if fact.lower() not in evidence.lower():
            err(where, f"fact {fact!r} is not in the evidence ({route})")
    for fact in expect.get("not_contains", []):
        if not isinstance(fact, str):
            err(where, "not_contains must be strings")
    return evidence


def read_lines(path: Path) -> list[tuple[int, dict]]:
    rows = []
    for n, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not raw.strip():
            err(f"{path.name}:{n}", "blank line")
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            err(f"{path.name}:{n}", f"not valid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            err(f"{path.name}:{n}", "not an object")
            continue
        rows.append((n, row))
    return rows


# ---------------------------------------------------------------- paraphrase groups
def check_paraphrase() -> Counter:
    counts: Counter = Counter()
    seen_ids, seen_variants = set(), {}
    articles: Counter = Counter()
    rows = read_lines(PARA)
    for n, row in rows:
        where = f"{PARA.name}:{n} {row.get('id')}"
        extra = set(row) - LINE_KEYS
        if extra:
            err(where, f"unknown fields {sorted(extra)}")
        rid = row.get("id", "")
        if not re.fullmatch(r"cpb-\d{3}", rid) or rid in seen_ids:
            err(where, "id must be a new cpb-NNN")
        seen_ids.add(rid)
        if "turns" in row:
            err(where, "a paraphrase group has variants, not turns")
        variants = row.get("variants")
        if not (isinstance(variants, list) and all(isinstance(v, str) and v.strip() for v in variants)):
            err(where, "variants must be non-empty strings")
            continue
        if not 4 <= len(variants) <= 6:
            err(where, f"{len(variants)} variants (want 4-6)")
        norm = [re.sub(r"\W+", " ", v.lower()).strip() for v in variants]
        if len(set(norm)) != len(norm):
            err(where, "two variants are the same words")
        for v, k in zip(variants, norm, strict=True):
            if k in seen_variants:
                err(where, f"variant {v!r} also in {seen_variants[k]}")
            seen_variants[k] = rid
        customer = row.get("customer", "")
        expect = row.get("expect", {})
        tags = row.get("tags", [])
        if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            err(where, "tags must be strings")
        route = expect.get("route") if isinstance(expect, dict) else None
        want = "shareable" if route == "knowledge" else "per-customer"
        if want not in tags or ({"shareable", "per-customer"} - {want}) & set(tags):
            err(where, f"a {route} group must be tagged {want!r} (only)")
        check_expect(where, customer, variants, expect)
        tenant = TENANT_OF.get(customer, "?")
        counts[f"tenant={tenant}"] += 1
        counts[f"route={route}"] += 1
        counts[f"{tenant}/{route}"] += 1
        counts["variants"] += len(variants)
        for s in expect.get("sources", []):
            articles[f"{tenant}/{s}"] += 1
    counts["groups"] = len(rows)
    counts["distinct articles"] = len(articles)
    counts["distinct tidewater articles"] = sum(1 for a in articles if a.startswith("tidewater/"))
    counts["distinct summit articles"] = sum(1 for a in articles if a.startswith("summit/"))
    counts["most groups on one article"] = max(articles.values()) if articles else 0
    return counts


# ---------------------------------------------------------------- near-miss pairs
def check_near_miss() -> Counter:
    counts: Counter = Counter()
    seen_ids = set()
    rows = read_lines(NEAR)
    for n, row in rows:
        where = f"{NEAR.name}:{n} {row.get('id')}"
        extra = set(row) - {"id", "differs_by", "cases"}
        if extra:
            err(where, f"unknown fields {sorted(extra)}")
        rid = row.get("id", "")
        if not re.fullmatch(r"cnb-\d{3}", rid) or rid in seen_ids:
            err(where, "id must be a new cnb-NNN")
        seen_ids.add(rid)
        kind = row.get("differs_by")
        if kind not in KINDS:
            err(where, f"bad differs_by {kind!r}")
        cases = row.get("cases")
        if not (isinstance(cases, list) and len(cases) == 2):
            err(where, "a pair needs exactly two cases")
            continue
        evidence = []
        for i, case in enumerate(cases):
            w = f"{where} case {i}"
            if not isinstance(case, dict) or set(case) != {"customer", "text", "expect"}:
                err(w, "a case is exactly {customer, text, expect}")
                evidence.append(None)
                continue
            if not (isinstance(case["text"], str) and case["text"].strip()):
                err(w, "empty text")
            evidence.append(check_expect(w, case["customer"], [case["text"]], case["expect"]))
        if any(not isinstance(c, dict) or set(c) != {"customer", "text", "expect"} for c in cases):
            continue
        a, b = cases
        ta, tb = TENANT_OF.get(a["customer"]), TENANT_OF.get(b["customer"])
        if a["expect"] == b["expect"] and ta == tb:
            err(where, "the two cases expect the same answer")
        if a["text"].strip().lower() == b["text"].strip().lower() and kind not in ("tenant", "customer"):
            err(where, "same text but differs_by is not tenant/customer")
        # the kind must be what actually differs
        if kind == "tenant" and (ta == tb or a["text"] != b["text"]):
            err(where, "a tenant pair is the same words at the two shops")
        if kind == "customer" and (a["customer"] == b["customer"] or ta != tb or a["text"] != b["text"]):
            err(where, "a customer pair is the same words from two customers of one shop")
        if kind in ("order", "product", "topic", "negation") and a["customer"] != b["customer"]:
            err(where, f"a {kind} pair keeps the customer")
        if kind == "order":
            oa = {t.get("args", {}).get("order_id") for t in a["expect"].get("tools", [])}
            ob = {t.get("args", {}).get("order_id") for t in b["expect"].get("tools", [])}
            if not oa or oa == ob:
                err(where, "an order pair asks about two different orders")
        if kind == "negation" and bool(NEGATION.search(a["text"])) == bool(NEGATION.search(b["text"])):
            err(where, "a negation pair has one negated text and one not")
        # each case's facts must not all be satisfied by the other case's evidence
        ea, eb = evidence
        if ea is not None and eb is not None:

            def beaten(case, other_evidence):
                return all(f.lower() in other_evidence.lower() for f in case["expect"]["contains"])

            if ea != eb:
                if beaten(a, eb) and beaten(b, ea):
                    err(where, "neither case's facts tell the two answers apart")
                else:
                    counts["pairs whose facts are absent from the other's evidence"] += 1
            else:
                if set(map(str.lower, a["expect"]["contains"])) == set(map(str.lower, b["expect"]["contains"])):
                    err(where, "same evidence and same facts")
                counts["pairs on one article that differ by the fact asked"] += 1
        counts[f"differs_by={kind}"] += 1
        for c in cases:
            counts[f"case tenant={TENANT_OF.get(c['customer'], '?')}"] += 1
            counts[f"case route={c['expect'].get('route')}"] += 1
    counts["pairs"] = len(rows)
    return counts


def main() -> int:
    para = check_paraphrase()
    near = check_near_miss()
    print(PARA)
    for k in sorted(para):
        print(f"  {k}: {para[k]}")
    print(NEAR)
    for k in sorted(near):
        print(f"  {k}: {near[k]}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: valid JSON lines; every id, customer, order (and owner), product, article and fact checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
