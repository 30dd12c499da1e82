import Foundation

/// The deadline of one open step, computed from the demand's history.
public struct StepDeadline: Codable, Sendable, Hashable {
    public var step: DemandStep
    /// When the step began (the transition that opened it). The clock itself starts the next day.
    public var startedAt: Date
    /// Working days allowed, extensions included.
    public var budgetDays: Int
    /// When the step is due; nil while the clock is paused with time left.
    public var dueAt: Date?
    /// When the step becomes "due soon"; nil while paused.
    public var warnAt: Date?
    /// The clock has been paused since then (000 Q25: waiting for clarification).
    public var pausedSince: Date?
    /// Working seconds left when the clock was paused; the clock resumes with exactly this.
    public var remainingWhenPaused: TimeInterval?

    public var isPaused: Bool { pausedSince != nil && dueAt == nil }
}

/// Where a deadline stands at an instant.
public enum DeadlineStatus: Sendable, Hashable {
    case onTrack(remainingDays: Double)
    case dueSoon(remainingDays: Double)
    /// Past due by this many working days (rounded up: any part of a working day counts).
    case overdue(workingDays: Int)
    case paused(remainingDays: Double)

    public var isOverdue: Bool {
        if case .overdue = self { return true }
        return false
    }
}

/// A step that a transition finished, and whether it finished in time.
public struct StepCompletion: Codable, Sendable, Hashable {
    public var step: DemandStep
    public var startedAt: Date
    public var dueAt: Date?
    public var completedAt: Date
    public var onTime: Bool
    /// Working days from the step's start to its completion.
    public var workingDaysTaken: Double
}
