import Foundation
import InputValidation
import Tenancy

/// Everything that can happen to a demand. A ``Transition`` records one action with who did it and
/// when.
///
/// JSON shape: `{"kind": "dispatch", "payload": {…}}`, so that consumers in any language can switch on
/// `kind` and ignore kinds they do not know.
public enum DemandAction: Sendable, Hashable {
    case submit(Submission)
    case receiveEscalation(EscalationReceipt)
    case edit(ContentEdit)
    case approve(Approval)
    case sendBack(SendBack)
    case resubmit(ContentEdit)
    case dispatch(Assignment)
    case escalate(EscalationSlip)
    case refuse(Refusal)
    case merge(Merger)
    case sign(Signature)
    case addProgressNote(ProgressNote)
    case submitOpinion(CooperationOpinion)
    case pauseClock(ClockPause)
    case resumeClock(ClockResume)
    case requestExtension(ExtensionRequest)
    case decideExtension(ExtensionDecision)
    case submitResult(ResultReport)
    case returnNotOurRemit(RemitReturn)
    case rate(Rating)
    case closeUnrated(RatingTimeout)
    case decideClosure(ClosureDecision)
    case urge(UrgeLetter)
    case flagSupervision(SupervisionFlag)
    case superviseAnswer(AnswerSupervision)
    case recordFollowUp(FollowUp)
    case recordMeeting(SupervisionMeeting)
    case reportCompletion(CompletionReport)
    case recordEscalationOutcome(EscalationOutcome)

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case submit
        case receiveEscalation
        case edit
        case approve
        case sendBack
        case resubmit
        case dispatch
        case escalate
        case refuse
        case merge
        case sign
        case addProgressNote
        case submitOpinion
        case pauseClock
        case resumeClock
        case requestExtension
        case decideExtension
        case submitResult
        case returnNotOurRemit
        case rate
        case closeUnrated
        case decideClosure
        case urge
        case flagSupervision
        case superviseAnswer
        case recordFollowUp
        case recordMeeting
        case reportCompletion
        case recordEscalationOutcome

        /// Chinese name of the step, for ledgers and printouts.
        public var chineseName: String {
            switch self {
            case .submit: "提交诉求"
            case .receiveEscalation: "接收转报"
            case .edit: "修改诉求"
            case .approve: "审核通过"
            case .sendBack: "退回企业"
            case .resubmit: "重新提交"
            case .dispatch: "分办"
            case .escalate: "转报上级"
            case .refuse: "不予受理"
            case .merge: "并单"
            case .sign: "签收"
            case .addProgressNote: "办理进展"
            case .submitOpinion: "配合单位意见"
            case .pauseClock: "暂停计时"
            case .resumeClock: "恢复计时"
            case .requestExtension: "申请延期"
            case .decideExtension: "延期审批"
            case .submitResult: "提交办理结果"
            case .returnNotOurRemit: "退回（不属于本单位职能）"
            case .rate: "企业评价"
            case .closeUnrated: "逾期未评价销号"
            case .decideClosure: "包联领导销号意见"
            case .urge: "催办"
            case .flagSupervision: "挂牌督办"
            case .superviseAnswer: "专项督办（答复不规范）"
            case .recordFollowUp: "跟踪回访"
            case .recordMeeting: "约谈/会办"
            case .reportCompletion: "报告完成情况"
            case .recordEscalationOutcome: "上级办理结果"
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .submit: .submit
        case .receiveEscalation: .receiveEscalation
        case .edit: .edit
        case .approve: .approve
        case .sendBack: .sendBack
        case .resubmit: .resubmit
        case .dispatch: .dispatch
        case .escalate: .escalate
        case .refuse: .refuse
        case .merge: .merge
        case .sign: .sign
        case .addProgressNote: .addProgressNote
        case .submitOpinion: .submitOpinion
        case .pauseClock: .pauseClock
        case .resumeClock: .resumeClock
        case .requestExtension: .requestExtension
        case .decideExtension: .decideExtension
        case .submitResult: .submitResult
        case .returnNotOurRemit: .returnNotOurRemit
        case .rate: .rate
        case .closeUnrated: .closeUnrated
        case .decideClosure: .decideClosure
        case .urge: .urge
        case .flagSupervision: .flagSupervision
        case .superviseAnswer: .superviseAnswer
        case .recordFollowUp: .recordFollowUp
        case .recordMeeting: .recordMeeting
        case .reportCompletion: .reportCompletion
        case .recordEscalationOutcome: .recordEscalationOutcome
        }
    }
}

extension DemandAction: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind
        case payload
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(Kind.self, forKey: .kind)
        func payload<T: Decodable>(_: T.Type) throws -> T { try container.decode(T.self, forKey: .payload) }
        switch kind {
        case .submit: self = .submit(try payload(Submission.self))
        case .receiveEscalation: self = .receiveEscalation(try payload(EscalationReceipt.self))
        case .edit: self = .edit(try payload(ContentEdit.self))
        case .approve: self = .approve(try payload(Approval.self))
        case .sendBack: self = .sendBack(try payload(SendBack.self))
        case .resubmit: self = .resubmit(try payload(ContentEdit.self))
        case .dispatch: self = .dispatch(try payload(Assignment.self))
        case .escalate: self = .escalate(try payload(EscalationSlip.self))
        case .refuse: self = .refuse(try payload(Refusal.self))
        case .merge: self = .merge(try payload(Merger.self))
        case .sign: self = .sign(try payload(Signature.self))
        case .addProgressNote: self = .addProgressNote(try payload(ProgressNote.self))
        case .submitOpinion: self = .submitOpinion(try payload(CooperationOpinion.self))
        case .pauseClock: self = .pauseClock(try payload(ClockPause.self))
        case .resumeClock: self = .resumeClock(try payload(ClockResume.self))
        case .requestExtension: self = .requestExtension(try payload(ExtensionRequest.self))
        case .decideExtension: self = .decideExtension(try payload(ExtensionDecision.self))
        case .submitResult: self = .submitResult(try payload(ResultReport.self))
        case .returnNotOurRemit: self = .returnNotOurRemit(try payload(RemitReturn.self))
        case .rate: self = .rate(try payload(Rating.self))
        case .closeUnrated: self = .closeUnrated(try payload(RatingTimeout.self))
        case .decideClosure: self = .decideClosure(try payload(ClosureDecision.self))
        case .urge: self = .urge(try payload(UrgeLetter.self))
        case .flagSupervision: self = .flagSupervision(try payload(SupervisionFlag.self))
        case .superviseAnswer: self = .superviseAnswer(try payload(AnswerSupervision.self))
        case .recordFollowUp: self = .recordFollowUp(try payload(FollowUp.self))
        case .recordMeeting: self = .recordMeeting(try payload(SupervisionMeeting.self))
        case .reportCompletion: self = .reportCompletion(try payload(CompletionReport.self))
        case .recordEscalationOutcome: self = .recordEscalationOutcome(try payload(EscalationOutcome.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .submit(let value): try container.encode(value, forKey: .payload)
        case .receiveEscalation(let value): try container.encode(value, forKey: .payload)
        case .edit(let value): try container.encode(value, forKey: .payload)
        case .approve(let value): try container.encode(value, forKey: .payload)
        case .sendBack(let value): try container.encode(value, forKey: .payload)
        case .resubmit(let value): try container.encode(value, forKey: .payload)
        case .dispatch(let value): try container.encode(value, forKey: .payload)
        case .escalate(let value): try container.encode(value, forKey: .payload)
        case .refuse(let value): try container.encode(value, forKey: .payload)
        case .merge(let value): try container.encode(value, forKey: .payload)
        case .sign(let value): try container.encode(value, forKey: .payload)
        case .addProgressNote(let value): try container.encode(value, forKey: .payload)
        case .submitOpinion(let value): try container.encode(value, forKey: .payload)
        case .pauseClock(let value): try container.encode(value, forKey: .payload)
        case .resumeClock(let value): try container.encode(value, forKey: .payload)
        case .requestExtension(let value): try container.encode(value, forKey: .payload)
        case .decideExtension(let value): try container.encode(value, forKey: .payload)
        case .submitResult(let value): try container.encode(value, forKey: .payload)
        case .returnNotOurRemit(let value): try container.encode(value, forKey: .payload)
        case .rate(let value): try container.encode(value, forKey: .payload)
        case .closeUnrated(let value): try container.encode(value, forKey: .payload)
        case .decideClosure(let value): try container.encode(value, forKey: .payload)
        case .urge(let value): try container.encode(value, forKey: .payload)
        case .flagSupervision(let value): try container.encode(value, forKey: .payload)
        case .superviseAnswer(let value): try container.encode(value, forKey: .payload)
        case .recordFollowUp(let value): try container.encode(value, forKey: .payload)
        case .recordMeeting(let value): try container.encode(value, forKey: .payload)
        case .reportCompletion(let value): try container.encode(value, forKey: .payload)
        case .recordEscalationOutcome(let value): try container.encode(value, forKey: .payload)
        }
    }
}
