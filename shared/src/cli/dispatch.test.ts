import { afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { parseArgs } from "node:util";
import { z } from "zod";
import { type CliSpec, describeError, isParseArgsError, runCli } from "./dispatch.ts";

const usage = "Usage: demo <command>";
const greetUsage = "Usage: demo greet --name N";

let stdout: string[];
let stderr: string[];
let logSpy: ReturnType<typeof spyOn>;
let errorSpy: ReturnType<typeof spyOn>;
beforeEach(() => {
  stdout = [];
  stderr = [];
  logSpy = spyOn(console, "log").mockImplementation((text: string) => stdout.push(text));
  errorSpy = spyOn(console, "error").mockImplementation((text: string) => stderr.push(text));
});
afterEach(() => {
  logSpy.mockRestore();
  errorSpy.mockRestore();
});

const nameSchema = z.string({ message: "--name is required" }).min(1);
const spec: CliSpec = {
  name: "demo",
  usage,
  commands: {
    greet: {
      usage: greetUsage,
      run: async (args) => {
        const { values } = parseArgs({ args, options: { name: { type: "string" } }, strict: true });
        console.log(`hello ${nameSchema.parse(values.name)}`);
        return 0;
      },
    },
    fail: async () => {
      throw new Error("the hub refused");
    },
    exit: async (args) => Number(args[0]),
  },
};

describe("runCli", () => {
  test("runs the named command with the arguments after it, and returns its exit code", async () => {
    expect(await runCli(spec, ["greet", "--name", "Ayşe"])).toBe(0);
    expect(stdout).toEqual(["hello Ayşe"]);
    expect(await runCli(spec, ["exit", "3"])).toBe(3);
  });

  test("no command: the usage and exit code 2; help asked for: the usage and 0", async () => {
    expect(await runCli(spec, [])).toBe(2);
    for (const help of ["--help", "-h", "help"]) expect(await runCli(spec, [help])).toBe(0);
    expect(stdout).toEqual([usage, usage, usage, usage]);
    expect(stderr).toEqual([]);
  });

  test("an unknown command names itself on stderr, with the usage, exit code 2", async () => {
    expect(await runCli(spec, ["grete"])).toBe(2);
    expect(await runCli(spec, ["toString"])).toBe(2);
    expect(stderr).toEqual([
      `demo: unknown command 'grete'\n\n${usage}`,
      `demo: unknown command 'toString'\n\n${usage}`,
    ]);
  });

  test("--help or -h after a command shows its own usage, else the CLI's, without running it", async () => {
    expect(await runCli(spec, ["greet", "--help"])).toBe(0);
    expect(await runCli(spec, ["fail", "-h"])).toBe(0);
    expect(stdout).toEqual([greetUsage, usage]);
    expect(stderr).toEqual([]);
  });

  test("a zod error is its messages in one sentence, then the command's usage; exit code 2", async () => {
    expect(await runCli(spec, ["greet", "--name", ""])).toBe(2);
    expect(stderr).toEqual([`demo greet: --name is required\n\n${greetUsage}`]);
  });

  test("an error of a command without its own usage is one line", async () => {
    expect(await runCli(spec, ["fail"])).toBe(2);
    expect(stderr).toEqual(["demo fail: the hub refused"]);
  });

  test("exitCodeFor picks the exit code of a thrown error", async () => {
    const agentLike: CliSpec = {
      ...spec,
      exitCodeFor: (error) => (isParseArgsError(error) ? 2 : 1),
    };
    expect(await runCli(agentLike, ["fail"])).toBe(1);
    expect(await runCli(agentLike, ["greet", "--nmae", "x"])).toBe(2);
    expect(stderr[1]).toStartWith("demo greet: Unknown option '--nmae'");
  });
});

describe("describeError", () => {
  test("joins zod messages, else takes the message, else the value", () => {
    const zodError = z
      .object({ a: z.string({ message: "a is wrong" }), b: z.number({ message: "b is wrong" }) })
      .safeParse({}).error;
    expect(describeError(zodError)).toBe("a is wrong; b is wrong");
    expect(describeError(new Error("plain"))).toBe("plain");
    expect(describeError("a string")).toBe("a string");
  });

  test("says why the database refused, not the query drizzle sent", () => {
    const refused = new Error("Failed query: DO $$ ... $$\nparams: ", {
      cause: new Error("the hub's database user lm may not create roles: ask the DBA ..."),
    });
    expect(describeError(refused)).toBe(
      "the database refused: the hub's database user lm may not create roles: ask the DBA ...",
    );
    expect(describeError(new Error("fetch failed", { cause: new Error("ECONNREFUSED") }))).toBe(
      "fetch failed: ECONNREFUSED",
    );
  });
});

test("isParseArgsError knows node:util parseArgs errors only", () => {
  let thrown: unknown;
  try {
    parseArgs({ args: ["--nope"], options: {}, strict: true });
  } catch (error) {
    thrown = error;
  }
  expect(isParseArgsError(thrown)).toBe(true);
  expect(isParseArgsError(new Error("other"))).toBe(false);
  expect(isParseArgsError(undefined)).toBe(false);
});
