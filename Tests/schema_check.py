#!/usr/bin/env python3
"""Validates every Experiments/*.json against Experiments/experiment.schema.json.

Run from anywhere, without arguments:  python3 Tests/schema_check.py
Also checks that deliberately broken variants of a shipped experiment are rejected,
so a schema that accepts everything cannot pass. Exits 1 on any failure.
"""
import copy
import json
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "Experiments"
SCHEMA = EXPERIMENTS / "experiment.schema.json"


def broken_variants(valid):
    """(description, document) pairs the schema must reject, each one change away from `valid`."""
    def variant(change):
        doc = copy.deepcopy(valid)
        change(doc)
        return doc

    return [
        ("unknown top-level key", variant(lambda d: d.update(titel="t"))),
        ("unknown key in a step", variant(lambda d: d["client"].append({"recv": 1024, "bytes": 1}))),
        ("negative recv", variant(lambda d: d["client"].append({"recv": -5}))),
        ("two actions in one step", variant(lambda d: d["client"].append({"recv": 5, "send": "x"}))),
        ("unknown bare step", variant(lambda d: d["client"].append("clsoe"))),
        ("echoLoop without recv", variant(lambda d: d["server"].insert(1, {"echoLoop": {"send": "upper"}}))),
        ("server without accept", variant(lambda d: d.update(server=["close"]))),
        ("bad segment reference", variant(lambda d: d["expect"].append({"segment": "server dat 1", "len": 5}))),
        ("two checks in one expectation", variant(lambda d: d["expect"].append({"handshake": True, "rst": "none"}))),
        ("payload compared with itself", variant(lambda d: d["expect"].append({"payload": "server", "upperOf": "server"}))),
        ("unknown TCP flag", variant(lambda d: d["expect"].append({"segment": "client fin", "flags": "FIN,AKC"}))),
        ("bad duration", variant(lambda d: d.update(stepTimeout="5"))),
        ("netem delay on the link", variant(lambda d: d.update(link={"delay": "10ms"}))),
        ("fence port 9", variant(lambda d: d.update(port=9))),
        ("trace with a folder", variant(lambda d: d.update(trace="traces/trace0.pcap"))),
    ]


def main():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    passed = failed = 0

    files = sorted(p for p in EXPERIMENTS.glob("*.json") if p.resolve() != SCHEMA.resolve())
    documents = {}
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"FAIL {path.name}: {error}")
            failed += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            failed += 1
            where = lambda e: "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"FAIL {path.name}: " + "; ".join(f"{where(e)}: {e.message}" for e in errors))
        else:
            passed += 1
            documents[path.name] = doc
            print(f"ok   {path.name}")

    if not documents:
        print("FAIL no valid experiment to derive broken variants from")
        failed += 1
    else:
        base = documents[min(documents)]
        for what, doc in broken_variants(base):
            if validator.is_valid(doc):
                failed += 1
                print(f"FAIL broken variant accepted: {what}")
            else:
                passed += 1
                print(f"ok   broken variant rejected: {what}")

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
