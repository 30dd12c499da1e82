import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request the HTTP parser refuses (headers over the size limit, a broken request line)
/// with the platform's JSON error body and a stable code, then closes the connection. Without it
/// Hummingbird answers a bare 400 with no body.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let logger: Logger
    /// Requests whose answer has not ended yet: a parser error while one is open belongs to that
    /// request (a broken body) and is left to Hummingbird, which already answers it.
    private var openRequests = 0
    private var answered = false

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { openRequests += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { openRequests = max(0, openRequests - 1) }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, openRequests == 0 else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let refusal = Self.refusal(for: parserError)
        logger.warning("Refused a malformed request", metadata: [
            "error.code": "\(refusal.code)", "parser.error": "\(parserError)",
            "client": "\(context.remoteAddress?.ipAddress ?? "unknown")",
        ])
        var headers = refusal.headers
        headers[.connection] = "close"
        let body = ByteBuffer(bytes: (try? refusal.jsonBody()) ?? Data())
        headers[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    static func refusal(for error: HTTPParserError) -> APIError {
        switch error {
        case .headerOverflow:
            APIError(.requestHeaderFieldsTooLarge, code: "HEADERS_TOO_LARGE", message: "请求头过大")
        default:
            APIError(.badRequest, code: "MALFORMED_REQUEST", message: "请求格式不正确")
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the platform's answer to requests the parser refuses.
    public static func platformHTTP1(logger: Logger) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestHandler(logger: logger)]))
    }
}
