#!/usr/bin/env python3
"""Validates every Experiments/*.json against Experiments/experiment.schema.json.

Run from anywhere, without arguments:  python3 Tests/schema_check.py
Also checks that deliberately broken variants of shipped experiments are rejected,
so a schema that accepts everything cannot pass, and that a few unusual but valid
variants are accepted, so a schema that is too strict cannot pass either.
Exits 1 on any failure.
"""
import copy
import json
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "Experiments"
SCHEMA = EXPERIMENTS / "experiment.schema.json"


# The Part 2 (HTTP) experiment the serveHTTP/fetch/request/response variants start from,
# and the browser/clients/"each"/requests/responses/responseSegments variants too.
HTTP_BASE = "experiment-61.json"


def changed(valid, change):
    """A deep copy of `valid` with `change` applied to it."""
    doc = copy.deepcopy(valid)
    change(doc)
    return doc


def broken_variants(valid):
    """(description, document) pairs the schema must reject, each one change away from `valid`."""
    def variant(change):
        return changed(valid, change)

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
        ("data with mss 0", variant(lambda d: d["expect"].append({"data": "server", "mss": 0}))),
        ("data with a negative mss", variant(lambda d: d["expect"].append({"data": "client", "count": 4, "mss": -5}))),
        ("data with nothing to check", variant(lambda d: d["expect"].append({"data": "server", "why": "x"}))),
        ("file on a data expectation", variant(lambda d: d["expect"].append({"data": "server", "mss": 5, "file": "www/index.html"}))),
        ("a program with an empty command", variant(lambda d: d.update(server={"command": []}))),
        ("a program with a command string", variant(lambda d: d.update(client={"command": "python3 client.py"}))),
        ("a program with an unknown key", variant(lambda d: d.update(server={"command": ["./s"], "cwd": "."}))),
        ("lab code for nobody", variant(lambda d: d.update(labCode={}))),
        ("lab code for the browser", variant(lambda d: d.update(labCode={"browser": ["python3", "b.py"]}))),
        ("a blank labCodeDiffers", variant(lambda d: d["expect"].append({"rst": "none", "labCodeDiffers": " "}))),
        ("a deadline without a unit", variant(lambda d: d.update(deadline="60"))),
        ("a recv of a terabyte", variant(lambda d: d["client"].append({"recv": 1000000000000}))),
        ("a repeat of two million", variant(lambda d: d["client"].append({"send": "x", "repeat": 2000000}))),
        ("1001 steps", variant(lambda d: d["client"].extend([{"recv": 1}] * 1001))),
        ("three hosts", variant(lambda d: d.update(labLink={"hosts": "three"}))),
        ("a host with a port in its address", variant(lambda d: d.update(labLink={"hosts": "two", "server": {"address": "10.0.2.15:80"}}))),
        ("an unknown host TCP setting", variant(lambda d: d.update(labLink={"hosts": "two", "client": {"tcp": {"nagle": False}}}))),
        ("an rmem of two numbers", variant(lambda d: d.update(labLink={"hosts": "two", "client": {"tcp": {"rmem": [4096, 131072]}}}))),
        ("a capture on a third host", variant(lambda d: d.update(labLink={"hosts": "two", "capture": "router"}))),
        ("an expectation for an unknown topology", variant(lambda d: d["expect"].append({"rst": "none", "hosts": ["wan"]}))),
        ("a listing row without its flags", variant(lambda d: d.update(labListing={"trace": "trace1", "rows": ["client Seq=0 Len=0"]}))),
        ("a listing without rows", variant(lambda d: d.update(labListing={"trace": "trace1", "rows": []}))),
        ("awaitUnread of nothing", variant(lambda d: d["client"].insert(2, {"awaitUnread": 0}))),
    ]


def valid_program_variants(valid):
    """Experiments whose sides are programs, which the schema must accept."""
    def variant(change):
        return changed(valid, change)

    return [
        ("a server program", variant(lambda d: d.update(server={"command": ["python3", "server.py", "{port}"]}))),
        ("both sides programs", variant(lambda d: d.update(server={"command": ["./s", "{port}"]},
                                                           client={"command": ["./c", "{host}", "{port}", "{out}"]}))),
        ("lab code for one side, a deadline and labCodeDiffers",
         variant(lambda d: (d.update(labCode={"client": ["python3", "lab/c.py"]}, deadline="20s"),
                            d["expect"].append({"rst": "none", "labCodeDiffers": "the lab's client reads once"})))),
        ("a two-host link with the lab's NAT as the server",
         variant(lambda d: d.update(link={"hosts": "two", "mtu": 1500, "capture": "server", "captureInterface": "eth0",
                                          "client": {"address": "10.0.2.15", "tcp": {"rmem": [4096, 131072, 6291456]}},
                                          "server": {"address": "192.168.68.107", "standsFor": "VirtualBox's NAT",
                                                     "tcp": {"timestamps": False, "sack": False, "windowScaling": False}}}))),
        ("a lab link, a partial listing, an expectation for lab hosts and awaitUnread",
         variant(lambda d: (d.update(labLink={"hosts": "two"},
                                     labListing={"trace": "trace9", "complete": False, "source": "the handout",
                                                 "rows": ["client [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM …"]}),
                            d["client"].insert(2, {"awaitUnread": 13}),
                            d["expect"].append({"rst": "none", "hosts": ["lab"]})))),
    ]


def broken_http_variants(valid):
    """Broken variants of the Part 2 experiment: serveHTTP, fetch, request and response."""
    def variant(change):
        return changed(valid, change)

    def set_step(side, index, step):
        return lambda d: d[side].__setitem__(index, step)

    return [
        ("fetch without a leading slash", variant(set_step("client", 0, {"fetch": "favicon.ico"}))),
        ("fetch of a path with a space", variant(set_step("client", 1, {"fetch": "/fav icon.ico"}))),
        ("fetch of an empty path", variant(set_step("client", 0, {"fetch": ""}))),
        ("fetch of a number", variant(set_step("client", 0, {"fetch": 1}))),
        ("bare \"fetch\" step", variant(set_step("client", 0, "fetch"))),
        ("fetch with an unknown option", variant(set_step("client", 0, {"fetch": "/", "repeat": 2}))),
        ("fetch and connect in one step", variant(set_step("client", 0, {"fetch": "/", "connect": True}))),
        ("serveHTTP without root", variant(lambda d: d["server"].append({"serveHTTP": {"idleTimeout": "1s"}}))),
        ("serveHTTP with a root that is not a string", variant(lambda d: d["server"].append({"serveHTTP": {"root": 1}}))),
        ("serveHTTP with a bare folder name", variant(lambda d: d["server"].append({"serveHTTP": "www"}))),
        ("serveHTTP with an unknown key", variant(lambda d: d["server"].append({"serveHTTP": {"root": "www", "idle": "1s"}}))),
        ("serveHTTP with a step name inside", variant(lambda d: d["server"].append({"serveHTTP": {"root": "www", "name": "up"}}))),
        ("serveHTTP with a bad idleTimeout", variant(lambda d: d["server"].append({"serveHTTP": {"root": "www", "idleTimeout": "1"}}))),
        ("serveHTTP with an unknown step option", variant(lambda d: d["server"].append({"serveHTTP": {"root": "www"}, "repeat": 2}))),
        ("server that neither accepts nor serves", variant(lambda d: d.update(server=[{"sleep": "1s"}]))),
        ("client that neither connects nor fetches", variant(lambda d: d.update(client=[{"sleep": "1s"}]))),
        ("response status 999", variant(lambda d: d["expect"].append({"response": 999}))),
        ("response status 99", variant(lambda d: d["expect"].append({"response": 99}))),
        ("response status as text", variant(lambda d: d["expect"].append({"response": "200"}))),
        ("response with a file that is not a string", variant(lambda d: d["expect"].append({"response": 200, "file": True}))),
        ("response with an unknown key", variant(lambda d: d["expect"].append({"response": 200, "body": "hi"}))),
        ("request line of two words", variant(lambda d: d["expect"].append({"request": "GET /"}))),
        ("request line of four words", variant(lambda d: d["expect"].append({"request": "GET / HTTP/1.1 x"}))),
        ("empty request line", variant(lambda d: d["expect"].append({"request": ""}))),
        ("request with a file", variant(lambda d: d["expect"].append({"request": "GET / HTTP/1.1", "file": "www/index.html"}))),
        ("request and response in one expectation", variant(lambda d: d["expect"].append({"request": "GET / HTTP/1.1", "response": 200}))),
        ("response on connection 0", variant(lambda d: d["expect"].append({"response": 200, "connection": 0}))),
    ]


def valid_http_variants(valid):
    """Unusual but valid variants of the Part 2 experiment, which the schema must accept."""
    def variant(change):
        return changed(valid, change)

    return [
        ("serveHTTP without idleTimeout", variant(lambda d: d["server"].__setitem__(0, {"serveHTTP": {"root": "www"}}))),
        ("named serveHTTP step after a sleep", variant(lambda d: d.update(
            server=[{"sleep": "10ms"}, {"serveHTTP": {"root": "www", "idleTimeout": "500ms"}, "name": "serving"}]))),
        ("fetch with a query and expectError", variant(lambda d: d["client"].append({"fetch": "/index.html?x=1", "expectError": "ECONNRESET"}))),
        ("data with only mss", variant(lambda d: d["expect"].append({"data": "server", "mss": 1448, "connection": 2}))),
        ("data with sizes and mss", variant(lambda d: d["expect"].append({"data": "server", "sizes": [1448, 1448, 3], "mss": 1448}))),
        ("response 404 without a file", variant(lambda d: d["expect"].append({"response": 404, "why": "no such file"}))),
        ("server last data in a segment check", variant(lambda d: d["expect"].append({"segment": "server last data", "flags": "PSH,ACK"}))),
    ]


def broken_browser_variants(valid):
    """Broken variants of the Part 2 experiment: the browser section, clients, connection "each"
    and the whole-trace checks requests, responses and responseSegments.

    A browser section whose visit and responses lists differ in length is not among them: the
    schema cannot compare the lengths of two lists (tcplab itself rejects it)."""
    def variant(change):
        return changed(valid, change)

    def browser(section):
        return lambda d: d.update(browser=section)

    def expect(expectation):
        return lambda d: d["expect"].append(expectation)

    return [
        ("browser without responses", variant(browser({"visit": ["/"]}))),
        ("browser without visit", variant(browser({"responses": [2]}))),
        ("browser with an unknown key", variant(browser({"visit": ["/"], "responses": [2], "wait": "1s"}))),
        ("browser visiting nothing", variant(browser({"visit": [], "responses": []}))),
        ("browser visit without a leading slash", variant(browser({"visit": ["back1.jpg"], "responses": [2]}))),
        ("browser visit as a bare string", variant(browser({"visit": "/", "responses": [2]}))),
        ("browser expecting 0 responses", variant(browser({"visit": ["/"], "responses": [0]}))),
        ("browser responses as text", variant(browser({"visit": ["/"], "responses": ["2"]}))),
        ("browser as a list of paths", variant(browser(["/"]))),
        ("clients [\"firefox\"]", variant(expect({"rst": "none", "clients": ["firefox"]}))),
        ("empty clients list", variant(expect({"rst": "none", "clients": []}))),
        ("clients as a bare string", variant(expect({"rst": "none", "clients": "browser"}))),
        ("clients with a capital", variant(expect({"rst": "none", "clients": ["Browser"]}))),
        ("connection \"all\"", variant(expect({"rst": "none", "connection": "all"}))),
        ("connection \"1\" as text", variant(expect({"handshake": True, "connection": "1"}))),
        ("connection -1", variant(expect({"finOrder": ["server", "client"], "connection": -1}))),
        ("responseSegments without for", variant(expect({"responseSegments": 11, "mss": 1448}))),
        ("responseSegments 0", variant(expect({"responseSegments": 0, "for": "GET / HTTP/1.1"}))),
        ("responseSegments with mss 0", variant(expect({"responseSegments": 11, "for": "GET / HTTP/1.1", "mss": 0}))),
        ("responseSegments for a number", variant(expect({"responseSegments": 11, "for": 1}))),
        ("responseSegments with a file", variant(expect({"responseSegments": 1, "for": "GET / HTTP/1.1", "file": "www/index.html"}))),
        ("for without responseSegments", variant(expect({"response": 200, "for": "GET / HTTP/1.1"}))),
        ("requests as a single line", variant(expect({"requests": "GET / HTTP/1.1"}))),
        ("requests of numbers", variant(expect({"requests": [200]}))),
        ("responses status 999", variant(expect({"responses": [200, 999]}))),
        ("responses status as text", variant(expect({"responses": ["200"]}))),
        ("requests and responses in one expectation", variant(expect({"requests": ["GET / HTTP/1.1"], "responses": [200]}))),
        ("responseSegments and response in one expectation", variant(expect({"responseSegments": 1, "for": "GET / HTTP/1.1", "response": 200}))),
        ("runsOnly without a reason", variant(expect({"rst": "none", "runsOnly": " "}))),
        ("runsOnly as true", variant(expect({"rst": "none", "runsOnly": True}))),
        ("mss as a word other than announced", variant(expect({"data": "server", "mss": "full"}))),
    ]


def valid_browser_variants(valid):
    """Unusual but valid uses of the browser section, clients, "each" and the whole-trace checks."""
    def variant(change):
        return changed(valid, change)

    def expect(expectation):
        return lambda d: d["expect"].append(expectation)

    return [
        ("no browser section", variant(lambda d: d.pop("browser"))),
        ("browser visit with a query", variant(lambda d: d.update(browser={"visit": ["/index.html?x=1", "/"], "responses": [1, 1]}))),
        ("clients browser only", variant(expect({"rst": "none", "clients": ["browser"]}))),
        ("connection \"each\" on a handshake", variant(expect({"handshake": True, "connection": "each"}))),
        ("connection \"each\" on a data check", variant(expect({"data": "server", "mss": 1448, "connection": "each", "clients": ["browser"]}))),
        ("responseSegments without mss", variant(expect({"responseSegments": 1, "for": "GET / HTTP/1.1", "why": "one small page"}))),
        ("no requests at all", variant(expect({"requests": []}))),
        ("responses with a 404", variant(expect({"responses": [200, 404], "clients": ["inprocess"]}))),
        ("an expectation for tcplab's runs only", variant(expect({"rst": "none", "runsOnly": "pinned by a socket option"}))),
        ("mss announced", variant(expect({"data": "server", "mss": "announced"}))),
        ("responseSegments with mss announced", variant(expect({"responseSegments": 11, "for": "GET / HTTP/1.1", "mss": "announced"}))),
    ]


def main():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    passed = failed = 0

    files = sorted(p for p in EXPERIMENTS.glob("*.json") if not p.name.endswith(".schema.json"))
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

    def expect_rejected(variants):
        nonlocal passed, failed
        for what, doc in variants:
            if validator.is_valid(doc):
                failed += 1
                print(f"FAIL broken variant accepted: {what}")
            else:
                passed += 1
                print(f"ok   broken variant rejected: {what}")

    def expect_accepted(variants):
        nonlocal passed, failed
        for what, doc in variants:
            errors = list(validator.iter_errors(doc))
            if errors:
                failed += 1
                print(f"FAIL valid variant rejected: {what}: " + "; ".join(e.message for e in errors))
            else:
                passed += 1
                print(f"ok   valid variant accepted: {what}")

    if not documents:
        print("FAIL no valid experiment to derive broken variants from")
        failed += 1
    else:
        expect_rejected(broken_variants(documents[min(documents)]))
        expect_accepted(valid_program_variants(documents[min(documents)]))
    if HTTP_BASE not in documents:
        print(f"FAIL {HTTP_BASE} is missing or invalid, so the HTTP variants cannot be checked")
        failed += 1
    else:
        expect_rejected(broken_http_variants(documents[HTTP_BASE]))
        expect_accepted(valid_http_variants(documents[HTTP_BASE]))
        expect_rejected(broken_browser_variants(documents[HTTP_BASE]))
        expect_accepted(valid_browser_variants(documents[HTTP_BASE]))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
