/** Vitest: a clean DOM and storage between tests. */
import { cleanup } from "@solidjs/testing-library";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  localStorage.clear();
});
