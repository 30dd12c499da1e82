import Foundation
import Hummingbird
import Metrics

/// Counts every request and times it, by method, route (the matched pattern, such as
/// `/demands/{id}/sign`, so that ids do not make a series each) and status:
/// `http_requests_total` and `http_request_duration_seconds`. A read that asked to wait for a change
/// (``ConditionalRead``, `Prefer: wait`) lasts as long as the change takes, so it is timed apart, in
/// `http_waiting_request_duration_seconds`, and does not hide the route's own latency.
public struct RequestMetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await next(request, context)
            record(request, context, status: Int(response.status.code), since: start)
            return response
        } catch {
            record(request, context, status: Int(ErrorMiddleware.apiError(for: error).status.code), since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: UInt64) {
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(label: "http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))])
            .increment()
        let waited = request.preferredWait > .zero
        Metrics.Timer(label: waited ? "http_waiting_request_duration_seconds" : "http_request_duration_seconds",
            dimensions: [("method", method), ("route", route)])
            .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
    }
}
