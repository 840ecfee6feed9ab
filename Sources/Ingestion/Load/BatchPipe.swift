import Columnar
import FileFormats
import Foundation

/// Runs a (synchronous) batch producer on its own thread and hands its batches to async code,
/// at most two ahead of the consumer: reading never outruns writing, memory stays bounded.
/// `cancel()` (when the consumer fails) makes the producer stop at its next batch.
public final class BatchPipe: @unchecked Sendable {
    public let stream: AsyncThrowingStream<RecordBatch, any Error>
    private let continuation: AsyncThrowingStream<RecordBatch, any Error>.Continuation
    private let condition = NSCondition()
    private var ahead = 0
    private var cancelled = false
    private static let maxAhead = 2

    public init() {
        (stream, continuation) = AsyncThrowingStream.makeStream(of: RecordBatch.self)
    }

    public func start(_ producer: any RecordBatchProducer) {
        let box = UncheckedBox(producer)
        let thread = Thread { [self] in
            do {
                try box.value.run { batch in try self.send(batch) }
                self.continuation.finish()
            } catch {
                self.continuation.finish(throwing: error)
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func send(_ batch: RecordBatch) throws {
        condition.lock()
        while ahead >= Self.maxAhead && !cancelled { condition.wait() }
        if cancelled {
            condition.unlock()
            throw CancellationError()
        }
        ahead += 1
        condition.unlock()
        continuation.yield(batch)
    }

    /// The consumer is done with a batch: the producer may read one more.
    public func consumed() {
        condition.lock()
        ahead -= 1
        condition.signal()
        condition.unlock()
    }

    /// The consumer gives up: the producer stops at its next batch.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Moves a non-Sendable value to the one thread that uses it from then on.
public struct UncheckedBox<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

