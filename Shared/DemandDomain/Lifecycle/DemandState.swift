import Foundation
import Tenancy

/// Where a demand stands. At any moment one service holds a demand and is the only one that moves
/// it on: intake while it is reviewed, dispatch while it waits for routing (and after escalation),
/// handling from dispatch to closure.
public enum DemandState: String, Codable, Sendable, CaseIterable {
    /// 待审核: submitted, waiting for the paired cadre's review.
    case awaitingReview
    /// 已退回: sent back to the enterprise by its cadre, with a reason.
    case returnedToEnterprise
    /// 待分办: reviewed (or submitted directly, escalated here, or returned by a unit).
    case awaitingDispatch
    /// 已转报: escalated to the parent tier, which now handles it.
    case escalated
    /// 待签收: dispatched, waiting for the lead unit to sign.
    case awaitingSignature
    /// 办理中: signed, the unit is working on it.
    case inProgress
    /// 待评价: result submitted, waiting for the enterprise's rating.
    case awaitingRating
    /// 专项督办: the enterprise was not satisfied; the unit works on it again under supervision.
    case underSupervision
    /// 待领导同意销号: accepted by the enterprise (or left unrated), waiting for the pairing leader's
    /// agreement before it is closed, where the tier asks for it (Fuyuan, 001 §4.2(2)).
    case awaitingClosureAgreement
    /// 已销号: closed after the enterprise accepted the result.
    case closed
    /// 不予受理: refused by the office as outside what the platform handles (003 art. 2).
    case refused
    /// 已并单: merged into another open demand of the same enterprise, which answers both.
    case merged

    public var chineseName: String {
        switch self {
        case .awaitingReview: "待审核"
        case .returnedToEnterprise: "已退回企业"
        case .awaitingDispatch: "待分办"
        case .escalated: "已转报上级"
        case .awaitingSignature: "待签收"
        case .inProgress: "办理中"
        case .awaitingRating: "待评价"
        case .underSupervision: "专项督办"
        case .awaitingClosureAgreement: "待领导同意销号"
        case .closed: "已办结销号"
        case .refused: "不予受理"
        case .merged: "已并单"
        }
    }

    public var isClosed: Bool { self == .closed }

    /// Whether the demand's life is over in this state: no step and no deadline of it runs any more.
    /// A merged demand lives on in the one it joined, whose deadlines it shows.
    public var hasEnded: Bool { self == .closed || self == .refused }

    /// Whether the units of the demand's assignment hold it in this state (and so may read it):
    /// from dispatch until it closes, but not while it waits for routing again after a return.
    public var isWithUnits: Bool {
        switch self {
        case .awaitingSignature, .inProgress, .awaitingRating, .underSupervision, .awaitingClosureAgreement, .closed: true
        case .awaitingReview, .returnedToEnterprise, .awaitingDispatch, .escalated, .refused, .merged: false
        }
    }

    /// Whether a duplicate may be merged into a demand in this state (并单): one still to be handled
    /// or answered at its tier (or above it, after an escalation), not one ended or gone back.
    public var acceptsMergedDuplicates: Bool {
        switch self {
        case .awaitingDispatch, .escalated, .awaitingSignature, .inProgress, .awaitingRating, .underSupervision,
            .awaitingClosureAgreement:
            true
        case .awaitingReview, .returnedToEnterprise, .closed, .refused, .merged: false
        }
    }
}

