#!/usr/bin/env python3
"""An independent encoder for logmaster-chunk/1 and logmaster-chunk/1.1, in
Python's standard library only, written from docs/custody-format.md. It
rebuilds every records.jsonl and manifest.json of a vector set from its
inputs.json and compares them byte for byte with the committed files. For
format 1.1 it also builds the RFC 6962 Merkle tree over the lines (section 16):
the root goes into the manifest, and every leaf hash and audit path must be
the one expected.json lists and lead back to the root (RFC 9162 2.1.3.2), while
the proofs invalid.json lists must not. A second implementation in another
language is the best evidence that the spec, not our TypeScript, defines the
format.

    python3 tests/vectors/reference-encoder.py [tests/vectors/v1 | tests/vectors/v1.1]

Exit status 0 when every file matches.
"""
import base64
import datetime
import hashlib
import json
import sys
from pathlib import Path

HOUR = datetime.timedelta(hours=1)
FORMAT_1_1 = "logmaster-chunk/1.1"


# --- the Merkle tree of format 1.1 (RFC 6962 2.1), straight from its definitions ---

def leaf_hash(line: bytes) -> bytes:
    """A leaf: SHA-256(0x00 || the line without its newline)."""
    return hashlib.sha256(b"\x00" + line).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list) -> bytes:
    """MTH(D[n]) over leaf hashes; the empty tree's root is SHA-256 of no bytes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list) -> list:
    """PATH(m, D[n]) of RFC 6962 2.1.1: sibling hashes from the leaf up."""
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def root_from_path(leaf: bytes, index: int, size: int, proof: list):
    """RFC 9162 2.1.3.2: the root an audit path leads to, or None."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def check_tree(name: str, records: bytes, want: dict) -> int:
    """Every leaf hash and audit path of a 1.1 chunk as expected.json lists them."""
    leaves = [leaf_hash(line) for line in records.split(b"\n")[:-1]]
    root = mth(leaves)
    failures = 0
    ok = [leaf.hex() for leaf in leaves] == want["leaf_hashes"]
    for index, leaf in enumerate(leaves):
        mine = path(index, leaves)
        listed = [bytes.fromhex(p) for p in want["audit_paths"][index]]
        ok = ok and mine == listed and root_from_path(leaf, index, len(leaves), listed) == root
    failures += 0 if ok else 1
    print(f'{"ok  " if ok else "FAIL"} {name} {len(leaves)} leaf hashes and audit paths')
    return failures


def check_invalid_proofs(vectors: Path, expected: dict) -> int:
    """The proofs of invalid.json must not lead to their chunk's root."""
    invalid_path = vectors / "invalid.json"
    if not invalid_path.exists():
        return 0
    roots = {c["dir"]: (c.get("merkle_root"), c.get("merkle_size")) for c in expected["chunks"]}
    failures = 0
    for proof in json.loads(invalid_path.read_text("utf-8")).get("proofs", []):
        root, size = roots[proof["dir"]]
        found = root_from_path(
            bytes.fromhex(proof["leaf_hash"]), proof["index"], size,
            [bytes.fromhex(p) for p in proof["path"]],
        )
        refused = found is None or found.hex() != root
        failures += 0 if refused else 1
        print(f'{"ok  " if refused else "FAIL"} refused proof: {proof["description"]}')
    return failures


def ts(us: int) -> str:
    """YYYY-MM-DDTHH:MM:SS.ffffffZ for microseconds since the epoch."""
    seconds, micros = divmod(us, 1_000_000)
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}Z"


def json_string(text: str) -> str:
    # ensure_ascii=False: non-ASCII literal; escapes " \\ \b \f \n \r \t and
    # \u00xx (lower-case hex) for the other controls: the spec's escaping.
    return json.dumps(text, ensure_ascii=False)


def src_of(address: str) -> str:
    if address.lower().startswith("::ffff:") and address.count(".") == 3:
        return address[7:]
    return address


def record_line(record: dict) -> bytes:
    if "gap" in record:
        gap = record["gap"]
        return (
            f'{{"seq":{record["seq"]},"ts":"{ts(record["written_at_us"])}","gap":{{'
            f'"reason":"{gap["reason"]}","lost":{gap["lost"]},'
            f'"first_ts":"{ts(gap["first_lost_at_us"])}","last_ts":"{ts(gap["last_lost_at_us"])}"}}}}\n'
        ).encode()
    datagram = bytes.fromhex(record["datagram_hex"])
    try:
        payload = '"msg":' + json_string(datagram.decode("utf-8"))  # strict: no surrogates, no overlongs
    except UnicodeDecodeError:
        payload = '"msg_b64":"' + base64.b64encode(datagram).decode() + '"'
    head = (
        f'{{"seq":{record["seq"]},"ts":"{ts(record["received_at_us"])}","src":"{src_of(record["src"])}",'
        f'"port":{record["port"]},"transport":"{record["transport"]}",'
    )
    return (head + payload + "}\n").encode("utf-8")


def check_window(chunk: dict) -> int:
    """The manifest's window rules (spec 5.2): every record's receive time lies in
    [window_start, window_end), inside the hour; part 0 starts at hour_start."""
    problems = []
    hour_start = chunk["hour_start"][:19] + ".000000Z"
    hour_end = ts(int(datetime.datetime.strptime(chunk["hour_start"], "%Y-%m-%dT%H:%M:%SZ")
                      .replace(tzinfo=datetime.timezone.utc).timestamp()) * 1_000_000 + 3_600_000_000)
    if not hour_start <= chunk["window_start"] < chunk["window_end"] <= hour_end:
        problems.append("window outside its hour or empty")
    if (chunk["part"] == 0) != (chunk["window_start"] == hour_start):
        problems.append("part 0 must start at hour_start, and only part 0")
    for record in chunk["records"]:
        at = ts(record["written_at_us"] if "gap" in record else record["received_at_us"])
        if not chunk["window_start"] <= at < chunk["window_end"]:
            problems.append(f'seq {record["seq"]} at {at} is outside the window')
    for problem in problems:
        print(f'FAIL {chunk["dir"]}: {problem}')
    return len(problems)


def main() -> int:
    vectors = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "v1")
    inputs = json.loads((vectors / "inputs.json").read_text("utf-8"))
    expected = json.loads((vectors / "expected.json").read_text("utf-8"))
    expected_chunks = {chunk["dir"]: chunk for chunk in expected["chunks"]}
    # A set that goes on from another's chain (v1.1 after v1) links to that manifest.
    continues = inputs.get("continues")
    prev_manifest_sha256 = (
        hashlib.sha256((vectors / continues / "manifest.json").read_bytes()).hexdigest()
        if continues else None
    )
    merkle = inputs["format"] == FORMAT_1_1
    failures = 0
    for chunk in inputs["chunks"]:
        failures += check_window(chunk)
        records = b"".join(record_line(record) for record in chunk["records"])
        seqs = [record["seq"] for record in chunk["records"]]
        hour_start = datetime.datetime.strptime(chunk["hour_start"], "%Y-%m-%dT%H:%M:%SZ")
        manifest = {
            "format": inputs["format"],
            "chain_id": inputs["chain_id"],
            "hotel_id": inputs["hotel_id"],
            "agent_id": inputs["agent_id"],
            "agent_cert_sha256": expected["agent_cert_sha256"],
            "hour_start": chunk["hour_start"],
            "hour_end": (hour_start + HOUR).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "part": chunk["part"],
            "window_start": chunk["window_start"],
            "window_end": chunk["window_end"],
            "first_seq": seqs[0] if seqs else None,
            "last_seq": seqs[-1] if seqs else None,
            "record_count": len(seqs),
            "gap_lost": sum(record["gap"]["lost"] for record in chunk["records"] if "gap" in record),
            "byte_length": len(records),
            "records_sha256": hashlib.sha256(records).hexdigest(),
        }
        if merkle:
            # Leaves: every line (data and gap records), without its newline.
            lines = records.split(b"\n")[:-1]
            manifest["merkle_root"] = mth([leaf_hash(line) for line in lines]).hex()
            manifest["merkle_size"] = len(lines)
            failures += check_tree(chunk["dir"], records, expected_chunks[chunk["dir"]])
        manifest["prev_manifest_sha256"] = prev_manifest_sha256
        manifest["clock"] = {"ntp_synchronized": chunk["clock"]["ntp_synchronized"], "source": chunk["clock"]["source"]}
        manifest["created_at"] = chunk["created_at"]
        manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        for name, mine in (("records.jsonl", records), ("manifest.json", manifest_bytes)):
            committed = (vectors / chunk["dir"] / name).read_bytes()
            ok = committed == mine
            failures += 0 if ok else 1
            print(f'{"ok  " if ok else "FAIL"} {chunk["dir"]}/{name} {hashlib.sha256(mine).hexdigest()}')
        prev_manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    if merkle:
        failures += check_invalid_proofs(vectors, expected)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
