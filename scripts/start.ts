/**
 * `bun run start`: the zero-setup demo. Until the hub lands (issue 3) it shows
 * the parser, the part that exists, on a real RouterOS line.
 */
import { parseSyslog } from "../shared/src/syslog/index.ts";

const sample =
  "<134>Jan 15 10:30:45 MikroTik firewall,info forward: in:bridge out:ether1, src-mac aa:bb:cc:dd:ee:ff, proto TCP (SYN), 192.168.88.10:52345->8.8.8.8:443, NAT (192.168.88.10:52345->85.105.1.2:52345)->8.8.8.8:443, len 60";

console.log("LogMaster: the zero-setup hub and agent are not there yet (issue 3).");
console.log("What works now: the syslog parser the hub will index with.\n");
console.log(`$ printf '%s\\n' | bun run logmaster parse`);
console.log(JSON.stringify(parseSyslog(sample), null, 2));
