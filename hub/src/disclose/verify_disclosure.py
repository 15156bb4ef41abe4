#!/usr/bin/env python3
"""Check a LogMaster disclosure pack with Python's standard library alone.

A disclosure pack answers a court's question with only the lines asked for.
Each line comes with its place in its chunk's records.jsonl (its index) and
an RFC 6962 audit path: the hashes that, with the line, rebuild the Merkle
root that the agent signed in the chunk's manifest.json. This script rebuilds
every line's root and compares it with the manifest, and checks that the
pack holds exactly the lines disclosure.json lists: nothing added, nothing
removed, nothing moved between chunks.

It does not check signatures, certificates or time-stamps (the standard
library has no RSA, X.509 or CMS): VERIFY.md gives the openssl commands for
manifest.sig, agent.pem and manifest.tsr, the same as for a whole bundle.
Together they prove each line is exactly what the hotel's agent received,
sealed and time-stamped.

    python3 verify_disclosure.py [PACK_DIR]     (default: this script's folder)

Prints PASS, WARN or FAIL per check; exit status 0 when nothing failed.
Format: docs/custody-format.md, "Disclosure packs".
"""
import hashlib
import json
import os
import sys
from collections import Counter
from pathlib import Path

PACK_FORMAT = "logmaster-disclosure/1"
MERKLE_FORMAT = "logmaster-chunk/1.1"
WHOLE_FORMAT = "logmaster-chunk/1"
HEX64 = set("0123456789abcdef")
# The keys of disclosure.json, of its chunk entries and of a line of lines.jsonl: exactly these.
PACK_KEYS = {"format", "case", "hotel_id", "hotel_name", "made_by", "made_at", "audit_id",
             "query", "answer", "lines", "chunks"}
CHUNK_KEYS = {"dir", "agent_id", "chunk", "format", "manifest_sha256", "disclosed", "seqs"}
LINE_KEYS = {"index", "line", "audit_path"}


class Report:
    def __init__(self) -> None:
        self.failed = 0
        self.warned = 0
        self.passed = 0

    def line(self, verdict: str, what: str) -> None:
        if verdict == "FAIL":
            self.failed += 1
        elif verdict == "WARN":
            self.warned += 1
        else:
            self.passed += 1
        print(f"{verdict:4}  {what}")

    def check(self, ok: bool, what: str, why: str = "") -> bool:
        self.line("PASS" if ok else "FAIL", what if ok or not why else f"{what}: {why}")
        return ok


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(line: bytes) -> bytes:
    """RFC 6962: a leaf is SHA-256(0x00 || the line's bytes, without its newline)."""
    return sha256(b"\x00" + line)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def root_from_path(leaf: bytes, index: int, size: int, path: list) -> "bytes | None":
    """RFC 9162 section 2.1.3.2: the root an audit path leads to, or None if it cannot fit."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def chunk_id(manifest: dict) -> str:
    """The chunk's name: YYYY-MM-DDTHH for part 0 of an hour, YYYY-MM-DDTHH.N for part N."""
    hour, part = str(manifest.get("hour_start"))[:13], manifest.get("part")
    return hour if part == 0 else f"{hour}.{part}"


def chunk_folders(pack: Path) -> list:
    """Every folder below the pack with a manifest.json (not looking inside one), relative, sorted."""
    found = []
    for here, dirs, files in os.walk(pack):
        dirs.sort()
        if "manifest.json" in files:
            found.append(Path(here).relative_to(pack).as_posix())
            dirs.clear()
    return sorted(found)


def is_hex64(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX64


def read_json(path: Path, report: Report, what: str) -> "dict | None":
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        report.line("FAIL", f"{what}: cannot read {path.name}: {error}")
        return None
    if not isinstance(value, dict):
        report.line("FAIL", f"{what}: {path.name} is not a JSON object")
        return None
    return value


def check_lines(chunk_dir: Path, entry: dict, manifest: dict, report: Report) -> None:
    """A 1.1 chunk: every line of lines.jsonl rebuilds the signed Merkle root."""
    name = entry.get("dir", "?")
    root_hex = manifest.get("merkle_root")
    size = manifest.get("merkle_size")
    if not report.check(
        is_hex64(root_hex) and isinstance(size, int) and size == manifest.get("record_count"),
        f"{name}: manifest carries a Merkle root over its {manifest.get('record_count')} records",
        "merkle_root / merkle_size missing or not matching record_count",
    ):
        return
    root = bytes.fromhex(root_hex)
    try:
        text = (chunk_dir / "lines.jsonl").read_bytes()
    except OSError as error:
        report.line("FAIL", f"{name}: cannot read lines.jsonl: {error}")
        return
    if text and not text.endswith(b"\n"):
        report.line("FAIL", f"{name}: lines.jsonl does not end with a newline")
    seen_seqs = []
    last_index = -1
    first, last = manifest.get("first_seq"), manifest.get("last_seq")
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{name} lines.jsonl:{number}"
        try:
            item = json.loads(raw)
            index, line, path = item["index"], item["line"], item["audit_path"]
        except (ValueError, KeyError, TypeError) as error:
            report.line("FAIL", f"{where}: not a disclosed line ({error})")
            continue
        if set(item) != LINE_KEYS:
            report.line("FAIL", f"{where}: not a disclosed line (keys {sorted(item)}, not {sorted(LINE_KEYS)})")
            continue
        if not (is_int(index) and index >= 0 and isinstance(line, str) and isinstance(path, list)):
            report.line("FAIL", f"{where}: index, line or audit_path has the wrong type")
            continue
        if not all(is_hex64(p) for p in path):
            report.line("FAIL", f"{where}: audit_path holds something that is not a SHA-256")
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        seq = record.get("seq") if isinstance(record, dict) else None
        seq = seq if is_int(seq) else None
        seen_seqs.append(seq)
        # Every problem of the line on its one line: a line out of place is still checked against the root.
        problems = []
        if index <= last_index:
            problems.append(f"index {index} is not after {last_index} (lines in file order, each once)")
        else:
            last_index = index
        computed = root_from_path(
            leaf_hash(line.encode("utf-8")), index, size, [bytes.fromhex(p) for p in path]
        )
        if computed != root:
            problems.append("its leaf and audit path do not lead to the manifest's merkle_root")
        if seq is None:
            problems.append("its line is not a record with a seq")
        elif not (is_int(first) and is_int(last) and first <= seq <= last):
            problems.append(f"seq {seq} is outside the chunk's {first}..{last}")
        report.check(
            not problems,
            f"{where}: seq {seq}, line {index + 1} of records.jsonl, is in the signed records of {name}",
            "; ".join(problems),
        )
    listed = entry.get("seqs")
    if isinstance(listed, list):
        missing = sorted(set(listed) - set(seen_seqs))
        extra = sorted(set(seen_seqs) - set(listed), key=str)
        counts = Counter(seen_seqs)
        repeated = sorted(seq for seq, count in counts.items() if seq is not None and count > 1)
        report.check(
            not missing and not extra and not repeated and len(seen_seqs) == len(listed),
            f"{name}: the pack holds exactly the {len(listed)} lines disclosure.json lists",
            f"missing seqs {missing or '-'}, not listed {extra or '-'}, more than once {repeated or '-'}",
        )
    else:
        report.line("FAIL", f"{name}: disclosure.json does not list the chunk's seqs")


def check_whole(chunk_dir: Path, entry: dict, manifest: dict, report: Report) -> None:
    """A format-1 chunk (no Merkle tree): disclosed whole, checked against records_sha256."""
    name = entry.get("dir", "?")
    try:
        records = (chunk_dir / "records.jsonl").read_bytes()
    except OSError as error:
        report.line("FAIL", f"{name}: cannot read records.jsonl: {error}")
        return
    report.check(
        hashlib.sha256(records).hexdigest() == manifest.get("records_sha256")
        and len(records) == manifest.get("byte_length"),
        f"{name}: records.jsonl is the signed one (SHA-256 and length as in manifest.json)",
        "its SHA-256 or length differs from manifest.json",
    )
    first, last = manifest.get("first_seq"), manifest.get("last_seq")
    outside = [
        seq for seq in entry.get("seqs") or []
        if not (is_int(seq) and is_int(first) and is_int(last) and first <= seq <= last)
    ]
    if outside:
        report.line("FAIL", f"{name}: seqs {outside}, listed in disclosure.json, are not among the chunk's records")
        return
    report.line(
        "WARN",
        f"{name}: format {WHOLE_FORMAT} has no Merkle tree, so this chunk is disclosed whole: "
        f"all {manifest.get('record_count')} records, not only the {len(entry.get('seqs') or [])} asked for",
    )


def main(argv: list) -> int:
    pack = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    report = Report()
    disclosure = read_json(pack / "disclosure.json", report, "pack")
    if disclosure is None:
        return 1
    if not report.check(
        disclosure.get("format") == PACK_FORMAT,
        f"disclosure.json is a {PACK_FORMAT} pack (case {disclosure.get('case')!r})",
        f"format is {disclosure.get('format')!r}",
    ):
        return 1
    if set(disclosure) != PACK_KEYS:
        report.line("FAIL", f"disclosure.json has keys {sorted(disclosure)}, not {sorted(PACK_KEYS)}")
    chunks = disclosure.get("chunks")
    if not isinstance(chunks, list) or not chunks:
        report.line("FAIL", "disclosure.json lists no chunks")
        return 1
    listed_dirs = set()
    for entry in chunks:
        name = entry.get("dir") if isinstance(entry, dict) else None
        if not isinstance(name, str) or {".", ".."} & set(name.split("/")) or Path(name).is_absolute():
            report.line("FAIL", f"chunk entry {entry!r}: no safe relative dir")
            continue
        if name in listed_dirs:
            report.line("FAIL", f"{name}: listed twice in disclosure.json")
            continue
        listed_dirs.add(name)
        if set(entry) != CHUNK_KEYS:
            report.line("FAIL", f"{name}: its entry has keys {sorted(entry)}, not {sorted(CHUNK_KEYS)}")
        chunk_dir = pack / name
        manifest_bytes = (chunk_dir / "manifest.json").read_bytes() if (chunk_dir / "manifest.json").is_file() else None
        if manifest_bytes is None:
            report.line("FAIL", f"{name}: manifest.json is missing")
            continue
        manifest = read_json(chunk_dir / "manifest.json", report, name)
        if manifest is None:
            continue
        named = [
            f"{key} {entry.get(key)!r}, the manifest's is {value!r}"
            for key, value in (
                ("agent_id", manifest.get("agent_id")),
                ("chunk", chunk_id(manifest)),
                ("format", manifest.get("format")),
                ("dir", f"{manifest.get('agent_id')}/{chunk_id(manifest)}"),
            )
            if entry.get(key) != value
        ]
        if hashlib.sha256(manifest_bytes).hexdigest() != entry.get("manifest_sha256"):
            named.insert(0, "its SHA-256 differs from manifest_sha256")
        report.check(
            not named,
            f"{name}: manifest.json is the one disclosure.json names",
            "; ".join(named),
        )
        if manifest.get("format") == MERKLE_FORMAT and entry.get("disclosed") == "lines":
            check_lines(chunk_dir, entry, manifest, report)
        elif manifest.get("format") == WHOLE_FORMAT and entry.get("disclosed") == "whole":
            check_whole(chunk_dir, entry, manifest, report)
        else:
            report.line(
                "FAIL",
                f"{name}: a {manifest.get('format')} chunk cannot be disclosed as {entry.get('disclosed')!r}",
            )
    # Chunk folders the list does not name (a line moved into a folder of its own, say).
    for name in chunk_folders(pack):
        if name not in listed_dirs:
            report.line("FAIL", f"{name}: a chunk folder that disclosure.json does not list")
    print(
        f"\n{report.passed} passed, {report.warned} warnings, {report.failed} failed"
        + ("" if report.failed else " -- now run the openssl commands in VERIFY.md for signatures and time-stamps")
    )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
