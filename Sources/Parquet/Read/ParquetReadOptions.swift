/// How `ParquetFileReader` reads a file: checks to make and bounds that protect against
/// hostile input. Every length and count taken from a file is checked against the bytes that
/// remain and against these limits before anything is allocated for it.
public struct ParquetReadOptions: Sendable, Hashable {
    /// Check each page's CRC-32 when the page header carries one; a mismatch throws
    /// `ParquetError.Code.checksumMismatch`.
    public var verifyChecksums: Bool
    public var limits: Limits

    public struct Limits: Sendable, Hashable {
        /// Largest footer (serialized FileMetaData) accepted.
        public var maxFooterSize: Int
        /// Largest page, compressed or uncompressed, in bytes. Page sizes are 32-bit in the
        /// format; real files hold pages of just over 1 GiB, so the default is 2 GiB - 1.
        public var maxPageSize: Int
        /// Largest dictionary page (uncompressed bytes) and most dictionary entries.
        public var maxDictionarySize: Int
        /// Most values (level entries) in one page.
        public var maxValuesPerPage: Int
        /// Deepest schema nesting (groups inside groups), counting the root.
        public var maxNestingDepth: Int
        /// Largest column chunk read in one request, in bytes.
        public var maxColumnChunkSize: Int
        /// Most schema elements and most row groups in a footer.
        public var maxSchemaElements: Int

        public init(
            maxFooterSize: Int = 64 << 20,
            maxPageSize: Int = Int(Int32.max),
            maxDictionarySize: Int = Int(Int32.max),
            maxValuesPerPage: Int = 1 << 28,
            maxNestingDepth: Int = 64,
            maxColumnChunkSize: Int = 4 << 30,
            maxSchemaElements: Int = 1 << 20
        ) {
            self.maxFooterSize = maxFooterSize
            self.maxPageSize = maxPageSize
            self.maxDictionarySize = maxDictionarySize
            self.maxValuesPerPage = maxValuesPerPage
            self.maxNestingDepth = maxNestingDepth
            self.maxColumnChunkSize = maxColumnChunkSize
            self.maxSchemaElements = maxSchemaElements
        }
    }

    public init(verifyChecksums: Bool = true, limits: Limits = Limits()) {
        self.verifyChecksums = verifyChecksums
        self.limits = limits
    }
}
