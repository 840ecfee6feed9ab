// JSONFormat: strict RFC 8259 JSON over bytes, with no I/O and no Foundation.
//
// The module has two parts, both working on `UnsafeRawBufferPointer`:
//
// - `JSONParser` validates one JSON value and reports it as events to a `JSONVisitor`
//   (`beginObject`, `key`, `string`, `number`, ...). Strings arrive unescaped and validated as
//   UTF-8 in a buffer that lives for the call only; numbers arrive as their literal text. The
//   parser allocates nothing per value: its scratch buffers are kept between calls.
//   `parse` is `@inlinable` and generic, so the visitor's calls are specialized into the
//   caller's module and dispatched statically.
// - `JSONRecordFramer` cuts a stream fed in chunks into records (NDJSON lines, the elements of a
//   top-level array, the elements of an array under a root key, or one whole value) without
//   building values, with bounded buffering, and tells each record's offset, line and column
//   so that the parser's errors point into the whole input. `detectLayout` guesses the layout
//   from the first bytes.
//
// Every failure is a `JSONError` with a code, a reason and a location (byte offset, line,
// column), never quoting the input.
