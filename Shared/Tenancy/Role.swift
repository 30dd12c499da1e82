import Foundation

/// What a person (or the platform itself) may do, from the Shiyan platform manual (002 §1–6).
public enum Role: String, Codable, Sendable, CaseIterable {
    /// 企业账号: submits demands, follows them, rates the results.
    case enterprise
    /// 包联干部 / 企业服务专员: reviews its paired enterprises' demands, may submit on their behalf.
    case cadre
    /// 分办员: routes reviewed demands to handling units, or escalates them to the parent tier.
    case dispatcher
    /// 承办单位管理员: signs for, handles and answers demands routed to its unit.
    case unitAdmin
    /// 县市区管理员: acts as a unit admin for demands routed to the county, and reads its tier.
    case countyAdmin
    /// 双千办 / 服务企业发展领导小组办公室: the tier office; supervises, decides extensions, urges.
    case office
    /// 超级巡查员: reads everything in its subtree, changes nothing.
    case inspector
    /// The platform acting on its own (escalation receipt, outcome reports, deadline events).
    case system

    /// Chinese name shown to people.
    public var chineseName: String {
        switch self {
        case .enterprise: "企业"
        case .cadre: "包联干部"
        case .dispatcher: "分办员"
        case .unitAdmin: "承办单位管理员"
        case .countyAdmin: "县市区管理员"
        case .office: "双千办"
        case .inspector: "超级巡查员"
        case .system: "平台"
        }
    }

    /// Roles that act for a handling unit (sign, answer, return).
    public var actsForUnit: Bool { self == .unitAdmin || self == .countyAdmin }
}
