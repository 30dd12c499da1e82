import PlatformAPI

extension PlatformClient {
    /// A client of the services of a running local stack.
    public init(stack: PlatformStack, observe: (@Sendable (String, Duration, UInt) -> Void)? = nil) {
        self.init(resolve: { stack.url($0, tier: $1) }, observe: observe)
    }
}
