import CRDKafka

/// An error from librdkafka or from this client, with librdkafka's name and text for the code.
///
/// Codes are librdkafka's `rd_kafka_resp_err_t` values: negative ones are the client's own
/// (`_TIMED_OUT`, `_QUEUE_FULL`, …), positive ones come from the broker (`TOPIC_ALREADY_EXISTS`, …).
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32

        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        init(_ error: rd_kafka_resp_err_t) {
            self.rawValue = error.rawValue
        }

        /// librdkafka's name for the code, for example `TOPIC_ALREADY_EXISTS` or `_TIMED_OUT`.
        public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }

        public var description: String { name }

        /// The code with librdkafka's name (`NOT_LEADER_FOR_PARTITION`, `_TRANSPORT`), if any.
        public init?(name: String) {
            var descriptions: UnsafePointer<rd_kafka_err_desc>?
            var count = 0
            rd_kafka_get_err_descs(&descriptions, &count)
            guard let descriptions else { return nil }
            for index in 0..<count {
                guard let descriptionName = descriptions[index].name, String(cString: descriptionName) == name else { continue }
                self.rawValue = descriptions[index].code.rawValue
                return
            }
            return nil
        }

        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        public static let noOffset = Code(RD_KAFKA_RESP_ERR__NO_OFFSET)
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        public static let partitionEOF = Code(RD_KAFKA_RESP_ERR__PARTITION_EOF)
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
    }

    public let code: Code
    /// librdkafka's text for the specific failure (or the code's generic text).
    public let message: String
    /// The client can no longer be used (for example an idempotent producer's fatal error).
    public let isFatal: Bool
    /// Retrying the same operation may succeed.
    public let isRetriable: Bool
    public let file: String
    public let line: UInt

    public init(
        code: Code,
        message: String? = nil,
        isFatal: Bool = false,
        isRetriable: Bool = false,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message ?? String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: code.rawValue)))
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.file = file
        self.line = line
    }

    /// Takes over an `rd_kafka_error_t` (and destroys it).
    init(consuming error: OpaquePointer, file: String = #fileID, line: UInt = #line) {
        self.init(
            code: Code(rd_kafka_error_code(error)),
            message: String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            file: file,
            line: line
        )
        rd_kafka_error_destroy(error)
    }

    /// A configuration property librdkafka refused.
    static func configuration(_ message: String, file: String = #fileID, line: UInt = #line) -> KafkaError {
        KafkaError(code: .invalidArgument, message: message, file: file, line: line)
    }

    public var description: String {
        "KafkaError(\(code.name) [\(code.rawValue)]: \(message)\(isFatal ? ", fatal" : ""))"
    }
}
