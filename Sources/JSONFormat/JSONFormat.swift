// JSONFormat: strict RFC 8259 JSON over bytes, with no I/O and no Foundation.
//
// The module has two parts, both working on `UnsafeRawBufferPointer`:
//
// - `JSONParser` validates one JSON value and reports it as events to a `JSONVisitor`
//   (`beginObject`, `key`, `string`, `number`, ...). Strings arrive unescaped and validated as
//   UTF-8 in a buffer that lives for the call only; numbers arrive as their literal text. The
//   parser allocates nothing per value: its scratch buffers are kept between calls.
//   `parse` is `@inlinable` and generic, so the visitor's calls are specialized into the
//   caller's module and dispatched statically. (Engine: JSONScanner.swift.)
// - `JSONRecordFramer` cuts a stream fed in chunks into records (NDJSON lines, the elements of a
//   top-level array, the elements of an array under a root key, or one whole value) without
//   building values, with bounded buffering, and tells each record's offset, line and column
//   so that the parser's errors point into the whole input. `detectLayout` guesses the layout
//   from the first bytes (JSONLayoutDetection.swift).
//
// Every failure is a `JSONError` with a code, a reason and a location (byte offset, line,
// column), never quoting the input.
//
// Decisions where RFC 8259 leaves a choice (the `i_` files of JSONTestSuite; the table in
// Tests/JSONFormatTests/MinefieldTests.swift lists each one):
// - numbers of any size or precision are accepted and passed on as text (over
//   `JSONLimits.maxNumberBytes` characters is `.limitExceeded`);
// - a `\u` escape of a lone UTF-16 surrogate, or of a pair in the wrong order, is rejected
//   (`.invalidEscape`): it has no UTF-8 form, and every string we pass on is valid UTF-8;
// - bytes that are not UTF-8 are rejected (`.invalidUTF8`), which also rejects UTF-16 and
//   Latin-1 input;
// - nesting is limited (`JSONLimits.maxDepth`, 256 by default, counted within one record);
// - a UTF-8 byte order mark is skipped by the framer when it is the very first thing in the
//   input; the parser never skips one, so a mark anywhere else is a `.syntax` error;
// - duplicate keys are passed on in document order; the visitor decides.
//
// Lines are counted at `\n` only (a `\r\n` ends one line; a lone `\r` does not end one), and
// columns count bytes from 1.
