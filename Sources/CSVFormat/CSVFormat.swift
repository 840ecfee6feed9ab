// CSVFormat: RFC 4180 text over bytes, with dialects. Pure and synchronous, no I/O.
//
//   CSVDialect     delimiter, quote, escape, header flag and the bounds on fields and records
//   CSVTokenizer   streaming tokenizer: feed chunks split anywhere, get each record's fields
//                  as byte ranges (Tokenizer/: the record scanner, the partial-record tracker,
//                  SWAR byte search); `sniffDialect` guesses the delimiter
//   CSVRecord      one record's fields, valid during the callback only
//   CSVWriter      quoting a field only when a reader needs it
//   CSVError       the module's one error type: code, reason, line, offset, column
//
// The tokenizer reports how many fields each record has; deciding that a record is ragged is
// the caller's job (`CSVRecord.requireFieldCount`).
