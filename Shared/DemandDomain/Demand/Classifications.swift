import Foundation
import Tenancy

/// 问题类别: the ten categories of Lincang's registration form (003 art. 10 and its form).
public enum DemandCategory: String, Codable, Sendable, CaseIterable {
    case policyImplementation
    case contractPerformance
    case landApproval
    case powerSupply
    case financing
    case talent
    case recruitment
    case projectPromotion
    case businessEnvironment
    case other

    public var chineseName: String {
        switch self {
        case .policyImplementation: "政策执行"
        case .contractPerformance: "合同履行"
        case .landApproval: "用地审批"
        case .powerSupply: "用电保障"
        case .financing: "融资服务"
        case .talent: "人才服务"
        case .recruitment: "招工用工"
        case .projectPromotion: "项目推动"
        case .businessEnvironment: "软环境建设"
        case .other: "其它"
        }
    }
}

/// 反映形式: how the demand reached the platform (003 art. 2, 7, 9).
public enum DemandChannel: String, Codable, Sendable, CaseIterable {
    case platform
    case hotline
    case email
    case visitOrLetter
    case wechat
    case onSiteResearch

    public var chineseName: String {
        switch self {
        case .platform: "平台提交"
        case .hotline: "来电反映"
        case .email: "电子邮件"
        case .visitOrLetter: "来人来函"
        case .wechat: "微信"
        case .onSiteResearch: "现场调研"
        }
    }
}

/// Legal proceedings that put a matter outside the demand procedure (003 art. 2).
public enum LegalProceeding: String, Codable, Sendable, CaseIterable {
    case litigation
    case arbitration
    case administrativeReview

    public var chineseName: String {
        switch self {
        case .litigation: "诉讼"
        case .arbitration: "仲裁"
        case .administrativeReview: "行政复议"
        }
    }
}

/// 办理结果分类 (003 art. 17).
public enum ResultClass: String, Codable, Sendable, CaseIterable {
    /// Solved or basically solved (已经解决或基本解决).
    case a = "A"
    /// Being solved, or scheduled to be solved step by step (正在解决或列入规划逐步解决).
    case b = "B"
    /// Cannot be solved for now (目前条件限制或其他原因需以后解决).
    case c = "C"

    public var chineseName: String {
        switch self {
        case .a: "A类（已经解决或基本解决）"
        case .b: "B类（正在解决或列入规划逐步解决）"
        case .c: "C类（目前条件限制需以后解决）"
        }
    }
}
