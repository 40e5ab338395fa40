#!/usr/bin/env python3
"""Check published versions of a district's public kindergarten queue, independently of Kezek.

    python3 tools/verify-queue.py --key CENTER_PUBLIC_KEY_HEX v1.bin [v2.bin ...]

Each file is one version as served by `GET /v1/public/districts/{code}/queue`. Checks:

1. the file is a signed document: b"KZKD", u32 little-endian JSON length, the JSON, and a
   64-byte ed25519 signature (RFC 8032) by the center's key over the JSON bytes;
2. versions given in order form a chain: the same district, version numbers one apart,
   and each version's `previous` is the SHA-256 (hex) of the previous file's bytes;
3. every position is recomputed from the rows by the ordering rules and must equal the
   published one: within a queue (queue type, group year) only `queued` applications have
   positions; by class of right, each class ordered by registration instant at full
   precision whatever its UTC offset, ties by registration number bytewise; all
   extraordinary first, then first-priority and the rest interleaved F, G, G, G (when
   one runs out the other goes on); position = 1-based index.

Python standard library only (the ed25519 check below follows RFC 8032, section 5.1.7).
Exit status 0 when every check passes, 1 with the reasons otherwise.
"""

import argparse
import hashlib
import json
import sys
from datetime import datetime

# ----- ed25519 verification (RFC 8032) -----

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - c, dd + c, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, point):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, point)
        point = _add(point, point)
        s >>= 1
    return q


def _equal(a, b):
    x1, y1, z1, _ = a
    x2, y2, z2, _ = b
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(b):
    if len(b) != 32:
        return None
    y = int.from_bytes(b, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


G_Y = 4 * pow(5, P - 2, P) % P
G = (_recover_x(G_Y, 0), G_Y, 1, _recover_x(G_Y, 0) * G_Y % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return _equal(_mul(s, G), _add(r, _mul(h, a)))


# ----- the document -----


def open_document(data, key):
    if data[:4] != b"KZKD" or len(data) < 8:
        raise ValueError("not a signed document (no KZKD header)")
    length = int.from_bytes(data[4:8], "little")
    if len(data) != 8 + length + 64:
        raise ValueError("the length field does not match the file")
    body, signature = data[8 : 8 + length], data[8 + length :]
    if not ed25519_verify(key, body, signature):
        raise ValueError("the signature does not verify against the center's key")
    return json.loads(body.decode("utf-8"))


def instant_key(text):
    """An RFC 3339 instant as (UTC seconds, nanoseconds), at full precision."""
    main, fraction, offset = text, "", ""
    for i in range(len(text) - 1, 9, -1):
        if text[i] in "+-Z":
            main, offset = text[:i], text[i:]
            break
    if "." in main:
        main, fraction = main.split(".", 1)
    seconds = int(datetime.fromisoformat(main + ("+00:00" if offset == "Z" else offset)).timestamp())
    nanos = int((fraction + "000000000")[:9])
    return (seconds, nanos)


RANK = {"extraordinary": 0, "first": 1, "none": 2}


def allocation_order(rows):
    """Registration numbers of one queue's queued rows in allocation order."""
    classes = {0: [], 1: [], 2: []}
    for row in rows:
        classes[RANK[row["right"]]].append(row)
    for members in classes.values():
        members.sort(key=lambda r: (instant_key(r["registeredAt"]), r["registration"].encode("utf-8")))
    order = [r["registration"] for r in classes[0]]
    first, general = list(classes[1]), list(classes[2])
    slot = 0
    while first or general:
        take_first = slot % 4 == 0 or not general
        slot += 1
        if take_first and first:
            order.append(first.pop(0)["registration"])
        elif general:
            order.append(general.pop(0)["registration"])
        else:
            order.append(first.pop(0)["registration"])
    return order


def check_positions(doc):
    problems = []
    queues = {}
    for row in doc["rows"]:
        key = (row["queueType"], row["groupYear"])
        queues.setdefault(key, []).append(row)
    for key, rows in queues.items():
        queued = [r for r in rows if r["status"] == "queued"]
        expected = {reg: i + 1 for i, reg in enumerate(allocation_order(queued))}
        for row in rows:
            want = expected.get(row["registration"])
            have = row.get("position")
            if want != have:
                problems.append(
                    f"{row['registration']} ({key[0]}, {key[1]}): published position {have}, the rules give {want}"
                )
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", required=True, help="the center's ed25519 public key, 64 hex digits")
    parser.add_argument("files", nargs="+", help="published versions, oldest first")
    args = parser.parse_args()
    try:
        key = bytes.fromhex(args.key.strip())
    except ValueError:
        print("the key is not hex", file=sys.stderr)
        return 1
    problems = []
    previous = None
    rows = 0
    for path in args.files:
        with open(path, "rb") as f:
            data = f.read()
        try:
            doc = open_document(data, key)
        except ValueError as e:
            problems.append(f"{path}: {e}")
            previous = None
            continue
        if previous is not None:
            prev_doc, prev_data = previous
            if doc["district"] != prev_doc["district"]:
                problems.append(f"{path}: district {doc['district']} after {prev_doc['district']}")
            if doc["version"] != prev_doc["version"] + 1:
                problems.append(f"{path}: version {doc['version']} does not follow {prev_doc['version']}")
            if doc.get("previous") != hashlib.sha256(prev_data).hexdigest():
                problems.append(f"{path}: `previous` is not the SHA-256 of the version before: the chain is broken")
        problems.extend(f"{path}: {p}" for p in check_positions(doc))
        rows += len(doc["rows"])
        previous = (doc, data)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"FAILED: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"OK: {len(args.files)} version(s), {rows} row(s); signatures, chain and every position check out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
