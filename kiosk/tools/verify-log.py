#!/usr/bin/env python3
"""Verify a Kezek kiosk change log without Kezek's code (see docs/change-log.md).

usage: verify-log.py FILE PUBLIC_KEY_HEX [--after-hash HEX]

FILE is a kiosk's log (`log/entries.bin`) or a bundle (`kezek-kiosk export`, starts with
"KZKB"). PUBLIC_KEY_HEX is the kiosk's ed25519 public key as `init` printed it. A log
starts at sequence 1 after 32 zero bytes; a bundle may start later: give the hash of the
entry before it with --after-hash to check the link too.

Needs Python 3.9+ and the `cryptography` package. Exit 0 when every entry verifies, 1 at
the first one that does not (its sequence number and the reason are printed).
"""
import hashlib
import json
import struct
import sys
import zlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_BODY = 64 * 1024


class Bad(Exception):
    pass


def varint(b, i):
    """Unsigned LEB128 as postcard writes it (at most 10 bytes)."""
    out = 0
    for n in range(10):
        if i >= len(b):
            raise Bad("truncated varint")
        byte = b[i]
        i += 1
        out |= (byte & 0x7F) << (7 * n)
        if byte & 0x80 == 0:
            return out, i
    raise Bad("bad varint")


def take(b, i, n):
    if i + n > len(b):
        raise Bad("truncated body")
    return b[i : i + n], i + n


def string(b, i):
    n, i = varint(b, i)
    raw, i = take(b, i, n)
    return raw.decode("utf-8"), i


def decode_body(body):
    """The postcard layout of changelog::EntryBody, field by field."""
    i = 0
    (version,), i = take(body, i, 1)
    kiosk, i = string(body, i)
    seq, i = varint(body, i)
    prev_hash, i = take(body, i, 32)
    kiosk_time, i = string(body, i)
    (flag,), i = take(body, i, 1)
    if flag == 0:
        last_contact = None
    elif flag == 1:
        last_contact, i = string(body, i)
    else:
        raise Bad("bad option tag")
    operator, i = string(body, i)
    n, i = varint(body, i)
    payload, i = take(body, i, n)
    return {
        "version": version,
        "kiosk": kiosk,
        "seq": seq,
        "prev_hash": prev_hash,
        "kiosk_time": kiosk_time,
        "last_contact": last_contact,
        "operator": operator,
        "payload": json.loads(payload.decode("utf-8")),
    }


def records(data):
    """Framed records: u32 LE body length | body | 64-byte signature."""
    i = 0
    while i < len(data):
        if i + 4 > len(data):
            raise Bad(f"truncated record at byte {i}")
        (n,) = struct.unpack_from("<I", data, i)
        if n > MAX_BODY:
            raise Bad(f"record at byte {i} claims a {n}-byte body")
        end = i + 4 + n + 64
        if end > len(data):
            raise Bad(f"truncated record at byte {i}")
        yield i, data[i + 4 : i + 4 + n], data[i + 4 + n : end]
        i = end


def read(path):
    data = open(path, "rb").read()
    if data[:4] != b"KZKB":
        return None, data, True
    if data[4] != 1:
        raise Bad(f"unsupported bundle version {data[4]}")
    raw = zlib.decompress(data[5:], -15)  # raw DEFLATE, no zlib header
    (klen,) = struct.unpack_from("<H", raw, 0)
    return raw[2 : 2 + klen].decode("utf-8"), raw[2 + klen :], False


def main(argv):
    if len(argv) not in (3, 5):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, key_hex = argv[1], argv[2]
    after_hash = bytes.fromhex(argv[4]) if len(argv) == 5 else None
    kiosk, data, is_log = read(path)
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex))
    prev = bytes(32) if is_log else after_hash
    expected = 1 if is_log else None
    count, seq = 0, None
    for offset, body, signature in records(data):
        where = f"entry at byte {offset}"
        try:
            e = decode_body(body)
            seq = e["seq"]
            where = f"entry {seq}"
            if e["version"] != 1:
                raise Bad(f"unsupported version {e['version']}")
            kiosk = kiosk or e["kiosk"]
            if e["kiosk"] != kiosk:
                raise Bad(f"belongs to kiosk {e['kiosk']}, not {kiosk}")
            if expected is not None and seq != expected:
                raise Bad(f"sequence gap: expected {expected}")
            if prev is not None and e["prev_hash"] != prev:
                raise Bad("previous-hash mismatch (broken chain)")
            key.verify(signature, body)  # ed25519 over the exact body bytes
        except InvalidSignature:
            print(f"BAD {where}: bad signature")
            return 1
        except (Bad, ValueError, UnicodeDecodeError) as problem:
            print(f"BAD {where}: {problem}")
            return 1
        if e["payload"].get("type") == "keyRotated":
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(e["payload"]["publicKey"]))
        prev = hashlib.sha256(body + signature).digest()
        expected = seq + 1
        count += 1
    print(f"OK kiosk={kiosk} entries={count} last_seq={seq} last_hash={prev.hex() if prev else '-'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Bad as problem:
        print(f"BAD {problem}")
        sys.exit(1)
