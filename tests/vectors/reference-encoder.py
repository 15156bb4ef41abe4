#!/usr/bin/env python3
"""An independent encoder for logmaster-chunk/1, in Python's standard library
only, written from docs/custody-format.md. It rebuilds every records.jsonl and
manifest.json of the v1 vectors from inputs.json and compares them byte for
byte with the committed files. A second implementation in another language is
the best evidence that the spec, not our TypeScript, defines the format.

    python3 tests/vectors/reference-encoder.py [tests/vectors/v1]

Exit status 0 when every file matches.
"""
import base64
import datetime
import hashlib
import json
import sys
from pathlib import Path

HOUR = datetime.timedelta(hours=1)


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
    prev_manifest_sha256 = None
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
            "prev_manifest_sha256": prev_manifest_sha256,
            "clock": {"ntp_synchronized": chunk["clock"]["ntp_synchronized"], "source": chunk["clock"]["source"]},
            "created_at": chunk["created_at"],
        }
        manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        for name, mine in (("records.jsonl", records), ("manifest.json", manifest_bytes)):
            committed = (vectors / chunk["dir"] / name).read_bytes()
            ok = committed == mine
            failures += 0 if ok else 1
            print(f'{"ok  " if ok else "FAIL"} {chunk["dir"]}/{name} {hashlib.sha256(mine).hexdigest()}')
        prev_manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
