import Columnar

/// Counts a reader keeps as it goes (for progress and the closing summary).
public struct InputProgress: Sendable {
    /// Bytes of the file read so far (as stored: compressed when it is).
    public var bytesRead = 0
    /// Size of the file as stored.
    public var bytesTotal = 0
    /// Records read, good and bad.
    public var records = 0
    /// Records set aside as bad.
    public var rejected = 0

    public init() {}
}

/// A reader that turns one input into record batches and pushes them to a consumer.
///
/// Batches may grow the schema: a later batch can add columns after the ones of the batches
/// before it (fields that first appear late in a JSON input); the columns already there keep
/// their names, types and order.
public protocol RecordBatchProducer: AnyObject {
    /// Reads the whole input, handing each batch to `consume` in order.
    func run(_ consume: (RecordBatch) throws -> Void) throws
    /// The schema of the last batch (after `run`, of the whole input, even an empty one).
    var schema: Schema { get }
    var progress: InputProgress { get }
    /// Called as the input is read, with the counts so far (not more often than per chunk).
    var onProgress: ((InputProgress) -> Void)? { get set }
}
