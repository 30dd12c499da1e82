import DemandDomain
import DemandStore
import OfficeDocuments
import PlatformEvents
import Tenancy

extension DispatchSlip {
    /// 企业反映困难问题交办单 laid out as the form of 003: the same rows, groups and notes, so an
    /// office can print it, have the leader sign it and stamp it. The approving leader is printed
    /// where the procedure records one, else left blank for the signature.
    func wordDocument() -> WordDocument {
        typealias Cell = WordDocument.Cell
        let cooperating = cooperatingUnits.isEmpty ? "无" : cooperatingUnits.joined(separator: "、")
        let due = resultDueAt.map(CivilDate.deadlineText) ?? "签收后计算"
        let rows: [[Cell]] = [
            [.label("交办事项", rowSpan: .starts), .label("需要办理或协调解决事项"), Cell(matter, columns: 3)],
            [.continued, .label("反映企业"), Cell(enterprise, columns: 3)],
            [.continued, .label("企业地址"), Cell(address, columns: 3)],
            [.continued, .label("联系人"), Cell(contact), .label("联系电话"), Cell(phone)],
            [.label("办理要求", rowSpan: .starts), .label("牵头办理部门"), Cell(leadUnit), .label("办结时限"), Cell(due)],
            [.continued, .label("配合办理部门"), Cell(cooperating, columns: 3)],
            [.label("签交情况"), .label("签批领导"), Cell(approval ?? ""), .label("交办日期"), Cell(CivilDate(dispatchedAt).chineseText)],
            [.label("备注"), Cell(remarks, columns: 4)],
        ]
        return WordDocument([
            .title(title),
            .line("交办单位（盖章）：\(issuer)"),
            .line("交办编号：\(number)"),
            .table(DemandForms.table(rows, tall: [0: 1700, 6: 900, 7: 1700])),
            .note("注：1. 交办编号统一用：XX服企办交（20XX）第XX号；\n"
                + "2. 向承办单位下发《企业反映困难问题交办单》时，必须附服务企业发展领导小组领导的批示笺和《企业反映困难问题登记表》。"),
        ])
    }

    private var remarks: String {
        ["登记编号：\(registrationNumber ?? "")", "主要困难和问题：\(difficulty)"].joined(separator: "\n")
    }
}
