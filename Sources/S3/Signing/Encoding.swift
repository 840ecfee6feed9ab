import LakegateCore
import Crypto

/// Hex, Base64 and percent-encoding as Signature V4 and S3 spell them. Pure functions over bytes.
package enum S3Encoding {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    package static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String { hex(SHA256.hash(data: bytes)) }
    package static func sha256Hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { sha256Hex($0) } }

    /// Content-MD5: the Base64 of the body's MD5 (integrity only, not security).
    package static func md5Base64(_ bytes: UnsafeRawBufferPointer) -> String { base64(Insecure.MD5.hash(data: bytes)) }
    package static func md5Base64(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { md5Base64($0) } }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func base64<Bytes: Sequence<UInt8>>(_ input: Bytes) -> String {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(base64Alphabet[Int(b0 >> 2)])
            out.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SigV4's UriEncode: every UTF-8 byte except the unreserved `A-Za-z0-9-._~` becomes `%XY`
    /// (upper-case hex); `/` is kept when `keepSlash` (object key paths) and encoded otherwise
    /// (query names and values).
    package static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let upper = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upper[Int(byte >> 4)])
                out.append(upper[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always) static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }

    /// Decodes `%XY` escapes, and `+` as a space when `plusIsSpace` (S3's `encoding-type=url`
    /// lists use form encoding). nil for a broken escape or bytes that are not UTF-8.
    package static func percentDecode(_ text: String, plusIsSpace: Bool) -> String? {
        PercentEncoding.decode(text, plusIsSpace: plusIsSpace)
    }
}
