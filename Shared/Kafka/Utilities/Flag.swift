import Synchronization

/// A boolean shared between threads and closures (an `Atomic` cannot be captured: it is not copyable).
final class Flag: Sendable {
    private let value: Atomic<Bool>

    init(_ initial: Bool) {
        value = Atomic(initial)
    }

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set(_ newValue: Bool) {
        value.store(newValue, ordering: .releasing)
    }

    /// Sets the flag and returns its previous value.
    func exchange(_ newValue: Bool) -> Bool {
        value.exchange(newValue, ordering: .acquiringAndReleasing)
    }
}

extension String {
    /// Text that librdkafka wrote into a fixed-size error buffer.
    init(errorBuffer: [CChar]) {
        let bytes = errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
