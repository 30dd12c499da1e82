/// 行业组别: the six industry groups that city-level dispatch is organised by (002 §22).
public enum IndustryGroup: String, Codable, Sendable, CaseIterable {
    case economyAndIT
    case housingAndConstruction
    case commerce
    case transport
    case agriculture
    case cultureAndTourism

    public var chineseName: String {
        switch self {
        case .economyAndIT: "经信"
        case .housingAndConstruction: "住建"
        case .commerce: "商务"
        case .transport: "交通"
        case .agriculture: "农业"
        case .cultureAndTourism: "文旅"
        }
    }
}
