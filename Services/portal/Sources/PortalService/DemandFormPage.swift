import DemandDomain
import Foundation
import InputValidation
import PlatformEvents
import Tenancy

/// The registration form (登记表): its fields named as the API names them, so the API's field
/// problems land beside the field they concern, and what was typed stays in place.
struct DemandFormPage {
    let values: [String: String]
    let errors: [String: String]
    let enterprises: [DirectoryEnterprise]
    /// The office registering a new demand may name an enterprise not in the roster (003 art. 7–10).
    var allowsProvisional = false

    /// The 企业 choice that registers the enterprise typed into the form.
    static let provisionalChoice = "provisional"

    struct Field {
        var name: String
        var label: String
        var kind: Kind
        var required: Bool
        var hint: String?

        enum Kind { case text, phone, email, textarea }
    }

    /// The particulars of an enterprise not in the roster, typed by the office.
    static let enterpriseFields: [Field] = [
        Field(name: "enterprise.name", label: "企业名称", kind: .text, required: true),
        Field(name: "enterprise.creditCode", label: "统一社会信用代码", kind: .text, required: true, hint: "18位，临时建档以此识别企业"),
        Field(name: "enterprise.address", label: "详细地址", kind: .text, required: true),
    ]

    static let fields: [Field] = [
        Field(name: "contact.name", label: "联系人", kind: .text, required: true),
        Field(name: "contact.title", label: "职务", kind: .text, required: true),
        Field(name: "contact.phone", label: "联系电话", kind: .phone, required: true,
            hint: "手机号码或带区号的固定电话。办理进度以短信告知手机号码；填写固定电话时，短信发送到企业登记的联络人手机"),
        Field(name: "contact.email", label: "电子邮箱", kind: .email, required: false),
        Field(name: "difficulty", label: "困难问题", kind: .textarea, required: true, hint: "企业生产经营中遇到的具体困难"),
        Field(name: "helpWanted", label: "诉求内容", kind: .textarea, required: true, hint: "希望政府部门协调解决的事项"),
    ]

    var fields: [String: Any] {
        [
            "enterprises": enterprises.map { enterprise -> [String: Any] in
                [
                    "id": enterprise.id, "name": enterprise.name + (enterprise.provisional == true ? "（临时建档）" : ""),
                    "creditCode": enterprise.creditCode.rawValue, "address": enterprise.address,
                    "selected": enterprise.id == values["enterpriseID"],
                ]
            },
            "chooseEnterprise": enterprises.count > 1 || allowsProvisional,
            "allowsProvisional": allowsProvisional,
            "provisionalChoice": Self.provisionalChoice,
            "provisionalChosen": values["enterpriseID"] == Self.provisionalChoice,
            "enterpriseInputs": allowsProvisional ? Self.enterpriseFields.map(input) : [],
            "inputs": Self.fields.map(input),
            "categories": DemandCategory.allCases.map { option(id: $0.rawValue, name: $0.chineseName, field: "category") },
            "industryGroups": IndustryGroup.allCases.map { option(id: $0.rawValue, name: $0.chineseName, field: "industryGroup") },
            "isConsultation": values["isConsultation"] == "true",
            // Staff register what came by hotline, e-mail, visit or letter, WeChat or research
            // (003 art. 7–9); an enterprise's own submission comes by the platform.
            "channels": DemandChannel.allCases.map { channel in
                ["id": channel.rawValue, "name": channel.chineseName, "selected": (values["channel"] ?? "platform") == channel.rawValue]
            },
            "raisedOn": values["raisedOn"] ?? "", "remarks": values["remarks"] ?? "", "suggestedUnit": values["suggestedUnit"] ?? "", "raisedOnError": errors["raisedOn"] ?? "",
            "submissionKey": values["submissionKey"] ?? UUID().uuidString,
            "enterpriseError": errors["enterpriseID"] ?? "", "categoryError": errors["category"] ?? "",
            "industryGroupError": errors["industryGroup"] ?? "", "note": values["note"] ?? "",
        ]
    }

    func input(_ field: Field) -> [String: Any] {
        [
            "name": field.name, "id": field.name.replacingOccurrences(of: ".", with: "-"), "label": field.label,
            "value": values[field.name] ?? "", "required": field.required, "isTextarea": field.kind == .textarea,
            "type": field.kind == .phone ? "tel" : field.kind == .email ? "email" : "text",
            "error": errors[field.name] ?? "", "hint": field.hint ?? "",
        ]
    }

    func option(id: String, name: String, field: String) -> [String: Any] {
        ["id": id, "name": name, "selected": values[field] == id]
    }

    /// A stored demand's content as the form's values, for correcting it.
    static func values(of content: DemandContent) -> [String: String] {
        var values = [
            "contact.name": content.contact.name, "contact.title": content.contact.title, "contact.phone": content.contact.phone.text,
            "difficulty": content.difficulty, "helpWanted": content.helpWanted, "category": content.category.rawValue,
            "industryGroup": content.industryGroup.rawValue, "isConsultation": content.isConsultation ? "true" : "false",
            "channel": content.channel.rawValue,
        ]
        if let raisedOn = content.raisedOn { values["raisedOn"] = raisedOn.description }
        if let remarks = content.remarks { values["remarks"] = remarks }
        if let unit = content.suggestedUnit { values["suggestedUnit"] = unit }
        if let email = content.contact.email { values["contact.email"] = email }
        return values
    }

    /// The form as the API takes it, or the fields a person must still fill in. The enterprise's
    /// own particulars come from the directory, never from what was typed, except for an enterprise
    /// the office registers provisionally (`enterprise` nil, `provisional` true).
    static func draft(from form: FormData, enterprise: DirectoryEnterprise?, provisional: Bool = false)
        -> (form: DemandForm?, errors: [String: String])
    {
        var errors: [String: String] = [:]
        for field in fields + (provisional ? enterpriseFields : []) where field.required && form[field.name] == nil {
            errors[field.name] = "请填写\(field.label)"
        }
        let category = form["category"].flatMap(DemandCategory.init(rawValue:))
        if category == nil { errors["category"] = "请选择诉求类别" }
        let group = form["industryGroup"].flatMap(IndustryGroup.init(rawValue:))
        if group == nil { errors["industryGroup"] = "请选择行业组" }
        let raisedOn = form["raisedOn"].flatMap(CivilDate.init)
        if form["raisedOn"] != nil, raisedOn == nil { errors["raisedOn"] = "反映时间应为日期，如2026-11-20" }
        let particulars: DemandForm.Enterprise
        if let enterprise {
            particulars = .init(name: enterprise.name, creditCode: enterprise.creditCode.rawValue, address: enterprise.address)
        } else if provisional {
            particulars = .init(name: form["enterprise.name"] ?? "", creditCode: form["enterprise.creditCode"] ?? "",
                address: form["enterprise.address"] ?? "")
        } else {
            errors["enterpriseID"] = "请选择企业"
            return (nil, errors)
        }
        guard errors.isEmpty, let category, let group else { return (nil, errors) }
        let demandForm = DemandForm(
            enterprise: particulars,
            contact: .init(name: form["contact.name"] ?? "", title: form["contact.title"] ?? "", phone: form["contact.phone"] ?? "",
                email: form["contact.email"]),
            channel: form["channel"].flatMap(DemandChannel.init(rawValue:)) ?? .platform, category: category, industryGroup: group,
            difficulty: form["difficulty"] ?? "", helpWanted: form["helpWanted"] ?? "",
            isConsultation: form["isConsultation"] == "true", raisedOn: raisedOn, remarks: form["remarks"],
            suggestedUnit: form["suggestedUnit"])
        return (demandForm, errors)
    }
}
