// common.js's number formats and slot rule against the fixed table of cases that
// Python's tests read too (tests/support/format_cases.json, tests/widgets/test_format.py).
// Also a batch mode for those tests: with CONVTUTOR_FORMAT_BATCH set to a JSON file of
// [float64 as 16 hex digits (little-endian bytes), digits] pairs, it writes formatNumber
// of each ({text} or {error: the error's name}) to CONVTUTOR_FORMAT_OUT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { widgetModule } from "./fixture.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const cases = JSON.parse(readFileSync(join(here, "..", "support", "format_cases.json"), "utf8"));
const { formatNumber, formatCount, formatSignificant, fillTemplate } =
  await widgetModule("common");

/** A case's value: a number as written, or a string read as JavaScript reads a number. */
const number = (v) => (typeof v === "string" ? Number(v) : v);
const ERRORS = { type: TypeError, range: RangeError, missing: RangeError };

test("formatNumber: every case of the table", () => {
  assert.ok(cases.numbers.length > 40);
  for (const [v, digits, want] of cases.numbers) {
    assert.equal(formatNumber(number(v), digits), want, `${v}, ${digits}`);
  }
});

test("formatNumber: every refused case throws", () => {
  for (const [v, digits, error] of cases.numbers_refused) {
    assert.throws(() => formatNumber(number(v), digits), ERRORS[error], `${v}, ${digits}`);
  }
  assert.throws(() => formatNumber("1", 3), TypeError);
  assert.throws(() => formatNumber(true, 3), TypeError);
});

test("formatSignificant: every case of the table", () => {
  for (const [v, digits, want] of cases.significant) {
    assert.equal(formatSignificant(number(v), digits), want, `${v}, ${digits}`);
  }
  for (const [v, digits, error] of cases.significant_refused) {
    assert.throws(() => formatSignificant(number(v), digits), ERRORS[error], `${v}, ${digits}`);
  }
  assert.throws(() => formatSignificant("1", 3), TypeError);
});

test("formatCount: every case of the table", () => {
  for (const [n, want] of cases.counts) assert.equal(formatCount(number(n)), want, `${n}`);
  for (const [n, error] of cases.counts_refused) {
    assert.throws(() => formatCount(number(n)), ERRORS[error], `${n}`);
  }
  assert.throws(() => formatCount("7"), TypeError);
});

test("fillTemplate: every case of the table", () => {
  for (const c of cases.templates) {
    assert.equal(fillTemplate(c.template, c.slots), c.expected, c.template);
  }
  for (const c of cases.templates_refused) {
    assert.throws(
      () => fillTemplate(c.template, c.slots),
      (e) => e instanceof ERRORS[c.error] && e.message.includes(`{${c.names}}`),
      c.template,
    );
  }
});

test("batch for Python's tests", (t) => {
  const batch = process.env.CONVTUTOR_FORMAT_BATCH;
  if (!batch) return t.skip("CONVTUTOR_FORMAT_BATCH is not set");
  const out = JSON.parse(readFileSync(batch, "utf8")).map(([hex, digits]) => {
    const v = new DataView(Uint8Array.from(Buffer.from(hex, "hex")).buffer).getFloat64(0, true);
    try {
      return { text: formatNumber(v, digits) };
    } catch (e) {
      return { error: e.name };
    }
  });
  writeFileSync(process.env.CONVTUTOR_FORMAT_OUT, JSON.stringify(out));
});
