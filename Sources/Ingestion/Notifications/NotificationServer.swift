import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP endpoint that takes S3 event notifications (`POST` with the `Records` JSON, any
/// path): 200 with what was recorded, 400 for a body that is not a notification, 405 for other
/// methods, 413 past `maxBody` bytes, 503 when the landing zone or the catalog is unavailable
/// (the sender retries; the next listing finds the file anyway).
public final class NotificationServer: Sendable {
    let channel: any Channel
    public let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    public static func start(host: String, port: Int, intake: NotificationIntake, maxBody: Int = 1 << 20) async throws
        -> NotificationServer
    {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(NotificationHandler(intake: intake, maxBody: maxBody))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return NotificationServer(channel: channel, port: channel.localAddress?.port ?? port)
    }

    public func stop() async {
        try? await channel.close()
    }
}

final class NotificationHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let intake: NotificationIntake
    let maxBody: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(intake: NotificationIntake, maxBody: Int) {
        self.intake = intake
        self.maxBody = maxBody
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > maxBody {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if head.method != .POST { return respond(context, .methodNotAllowed, #"{"error":"POST an S3 event notification"}"#) }
            if tooLarge { return respond(context, .payloadTooLarge, #"{"error":"the body is over \#(maxBody) bytes"}"#) }
            let bytes = body
            let intake = self.intake
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { () async -> (HTTPResponseStatus, String) in
                do {
                    let result = try await intake.accept(bytes)
                    let json = (try? JSONEncoder().encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                    return (.ok, json)
                } catch {
                    let status: HTTPResponseStatus = (error as? IngestionError)?.code == .unavailable ? .serviceUnavailable : .badRequest
                    let message = String(describing: error).replacingOccurrences(of: "\"", with: "'")
                    return (status, #"{"error":"\#(message)"}"#)
                }
            }.whenSuccess { status, text in
                let (handler, context) = bound.value
                handler.respond(context, status, text)
            }
        }
    }

    func respond(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ text: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
