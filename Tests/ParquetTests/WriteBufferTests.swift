import Testing

@testable import Parquet

@Suite struct WriteBufferTests {
    @Test func blockBytesKeepsOrderAcrossBlocksAndOversizedPages() {
        var blocks = BlockBytes(blockSize: 8)
        var expected: [UInt8] = []
        // Small appends that straddle blocks, one larger than a block, then small ones again.
        for length in [3, 5, 6, 20, 1, 7, 9, 0, 2] {
            let piece = (0..<length).map { UInt8(truncatingIfNeeded: expected.count + $0) }
            blocks.append(piece)
            expected += piece
        }
        #expect(blocks.count == expected.count)
        #expect(Array(blocks.blocks.joined()) == expected)
        // No block is left empty and none but an oversized page exceeds the block size.
        #expect(blocks.blocks.allSatisfy { !$0.isEmpty })
    }
}
