import AsyncHTTPClient
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole (bounded) answer.
package struct S3Response: Sendable {
    package var status: Int
    package var headers: [(String, String)]
    package var body: [UInt8]

    package func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }
}

/// Sending prepared requests, with retries, in two flavours that share everything but the wait:
/// `send` awaits (for async callers), `sendBlocking` blocks the calling thread. Both run the
/// request itself on the HTTP client's event loops through its future-based API, so a blocked
/// caller never waits on work that needs its own thread or the Swift concurrency pool.
extension S3Client {
    /// How the caller waits and sleeps between attempts.
    enum Waiting {
        case async
        case blocking
    }

    func send(_ request: S3Request, maxBody: Int? = nil, timeout: Double? = nil) async throws(S3Error) -> S3Response {
        var attempt = 1
        while true {
            do throws(S3Error) {
                let future = try start(request, maxBody: maxBody, timeout: timeout)
                let response: HTTPClient.Response
                do {
                    response = try await future.get()
                } catch {
                    throw classify(error, request: request)
                }
                return try check(answer(from: response), request: request)
            } catch {
                guard shouldRetry(error, request: request, attempt: attempt) else { throw error }
                try? await Task.sleep(nanoseconds: UInt64(delay(afterAttempt: attempt) * 1e9))
                attempt += 1
            }
        }
    }

    /// The same as `send`, blocking the calling thread until the answer is in. Refused on one of
    /// the client's event loop threads, where waiting would deadlock.
    func sendBlocking(_ request: S3Request, maxBody: Int? = nil, timeout: Double? = nil) throws(S3Error) -> S3Response {
        for loop in http.eventLoopGroup.makeIterator() where loop.inEventLoop {
            throw request.error(.invalidArgument, "a blocking S3 call on an event loop thread would deadlock")
        }
        var attempt = 1
        while true {
            do throws(S3Error) {
                let future = try start(request, maxBody: maxBody, timeout: timeout)
                let response: HTTPClient.Response
                do {
                    response = try future.wait()
                } catch {
                    throw classify(error, request: request)
                }
                return try check(answer(from: response), request: request)
            } catch {
                guard shouldRetry(error, request: request, attempt: attempt) else { throw error }
                let nanoseconds = delay(afterAttempt: attempt) * 1e9
                var wait = timespec(tv_sec: Int(nanoseconds / 1e9), tv_nsec: Int(nanoseconds.truncatingRemainder(dividingBy: 1e9)))
                var remaining = timespec()
                while nanosleep(&wait, &remaining) == -1 && errno == EINTR { wait = remaining }
                attempt += 1
            }
        }
    }

    func shouldRetry(_ error: S3Error, request: S3Request, attempt: Int) -> Bool {
        guard error.isRetryable, attempt < configuration.retry.maxAttempts else { return false }
        // A connection error may hide a request that did arrive: only idempotent ones go again.
        return error.code != .connection || request.idempotent
    }

    /// Full jitter: a random wait up to the exponential ceiling.
    func delay(afterAttempt attempt: Int) -> Double {
        Double.random(in: 0...max(0, configuration.retry.ceiling(afterAttempt: attempt)))
    }

    private func start(_ request: S3Request, maxBody: Int?, timeout: Double?) throws(S3Error) -> EventLoopFuture<HTTPClient.Response> {
        let prepared = try preparer.prepare(request, at: S3Timestamp.now())
        var httpRequest = try Self.httpRequest(prepared, request: request)
        if !prepared.body.isEmpty || prepared.method == "PUT" || prepared.method == "POST" {
            httpRequest.body = .bytes(prepared.body)
        }
        let limit = max(maxBody ?? configuration.limits.maxXMLBytes, 64 << 10)
        let seconds = timeout ?? configuration.timeouts.request
        let deadline = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
        let delegate = ResponseAccumulator(request: httpRequest, maxBodySize: limit)
        return http.execute(request: httpRequest, delegate: delegate, deadline: deadline).futureResult
    }

    static func httpRequest(_ prepared: PreparedRequest, request: S3Request) throws(S3Error) -> HTTPClient.Request {
        var httpRequest: HTTPClient.Request
        do {
            switch prepared.method {
            case "GET": httpRequest = try HTTPClient.Request(url: prepared.url, method: .GET)
            case "PUT": httpRequest = try HTTPClient.Request(url: prepared.url, method: .PUT)
            case "POST": httpRequest = try HTTPClient.Request(url: prepared.url, method: .POST)
            case "DELETE": httpRequest = try HTTPClient.Request(url: prepared.url, method: .DELETE)
            case "HEAD": httpRequest = try HTTPClient.Request(url: prepared.url, method: .HEAD)
            default: throw request.error(.invalidArgument, "unsupported method")
            }
        } catch {
            throw request.error(.invalidArgument, "the request URL is not valid")
        }
        for (name, value) in prepared.headers { httpRequest.headers.add(name: name, value: value) }
        return httpRequest
    }

    /// The answer as ours, or the error it reports (2xx answers with an `<Error>` document too).
    func answer(from response: HTTPClient.Response) -> S3Response {
        let headers = response.headers.map { ($0.name.lowercased(), String($0.value.prefix(configuration.limits.maxHeaderBytes))) }
        return S3Response(status: Int(response.status.code), headers: headers, body: response.body.map { Array($0.readableBytesView) } ?? [])
    }

    func check(_ answer: S3Response, request: S3Request) throws(S3Error) -> S3Response {
        let body = answer.body
        if (200..<300).contains(answer.status) {
            let mayEmbedError = request.method == "POST" || request.headers.contains { $0.0 == "x-amz-copy-source" }
            guard mayEmbedError, let document = S3XML.errorDocument(body, limits: configuration.limits, request: request) else {
                return answer
            }
            throw error(from: document, status: answer.status, response: answer, request: request)
        }
        let document = S3XML.errorDocument(body, limits: configuration.limits, request: request)
        throw error(from: document, status: answer.status, response: answer, request: request)
    }

    private func error(from document: S3ErrorDocument?, status: Int, response: S3Response, request: S3Request) -> S3Error {
        let s3Code = document?.code.map { String($0.prefix(64)) }
        var code = S3Error.code(forS3Code: s3Code, status: status)
        // An error document in a 200 answer: the operation failed on the server's side.
        if (200..<300).contains(status) && code == .requestRejected { code = .serverError }
        let message = scrub(document?.message ?? "HTTP \(status)")
        let requestId = response.header("x-amz-request-id") ?? document?.requestId
        return request.error(code, message, status: status, s3Code: s3Code, requestId: requestId.map { String($0.prefix(128)) })
    }

    /// Secrets out of a server's words (a broken proxy may echo what it got).
    func scrub(_ text: String) -> String {
        var text = text
        let secrets = [configuration.credentials.secretAccessKey, configuration.credentials.sessionToken ?? ""]
        for secret in secrets where !secret.isEmpty {
            text = text.replacing(secret, with: "<redacted>")
        }
        if let signature = text.firstRange(of: "Signature=") {
            text = String(text[..<signature.upperBound]) + "<redacted>"
        }
        return text
    }

    /// AsyncHTTPClient's and NIO's errors as ours: timeouts and lost connections may be retried.
    func classify(_ error: any Error, request: S3Request) -> S3Error {
        if let error = error as? S3Error { return error }
        if error is ResponseAccumulator.ResponseTooBigError {
            return request.error(.tooLarge, "the answer is larger than the limit for this request")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .invalidURL, .emptyHost, .emptyScheme:
                return request.error(.invalidArgument, "the request URL is not valid")
            case .alreadyShutdown:
                return request.error(.invalidArgument, "the S3 client is shut down", retryable: false)
            case .cancelled:
                return request.error(.connection, "the request was cancelled", retryable: false)
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                return request.error(.connection, "timed out (\(error))")
            default:
                return request.error(.connection, "\(error)")
            }
        }
        // NIO's connection errors (refused, reset, DNS) and anything else from the socket.
        return request.error(.connection, "connection failed: \(String(describing: type(of: error)))")
    }
}
